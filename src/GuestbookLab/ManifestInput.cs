using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// The one way cmdlets read manifests given by the user: -Path (wildcards), -LiteralPath, each a file or a folder
/// (every .yaml and .yml file below it), and -Uri (http or https), read by the engine's ManifestReader, with one set
/// of errors: ManifestNotFound (nothing there), ManifestReadFailed (unreadable), InvalidManifest (the document and
/// field named), ManifestLimitExceeded (over a limit of ManifestLimits: size, depth, nodes, alias copies),
/// ManifestDownloadFailed (the URL did not answer, redirected too often or elsewhere than http(s), or was too slow), InvalidUri.
/// </summary>
public abstract partial class CancellableCmdlet
{
    /// <summary>How a cmdlet treats a manifest it cannot read.</summary>
    protected internal enum ManifestErrors
    {
        /// <summary>Report it and go on with the next source (ConvertFrom-LabYaml).</summary>
        Continue,

        /// <summary>End the command: every source must be read before anything is done with them (Publish-LabResource, Test-Mesh*).</summary>
        Stop,
    }

    /// <summary>The manifests of every source given, in the order given.</summary>
    protected internal IReadOnlyList<LabResource> ReadManifests(IEnumerable<string>? path, IEnumerable<string>? literalPath, IEnumerable<Uri>? uri, ManifestErrors onError)
    {
        var all = new List<LabResource>();
        foreach (var pattern in path ?? [])
        {
            foreach (var file in ResolvePattern(pattern, onError))
            {
                all.AddRange(ReadSource(file, () => ManifestReader.ReadPathAsync(file, CancellationToken), onError));
            }
        }

        foreach (var literal in literalPath ?? [])
        {
            var file = GetUnresolvedProviderPathFromPSPath(literal);
            if (File.Exists(file) || Directory.Exists(file))
            {
                all.AddRange(ReadSource(file, () => ManifestReader.ReadPathAsync(file, CancellationToken), onError));
            }
            else
            {
                Report(LabErrors.Create(ErrorIds.ManifestNotFound, new FileNotFoundException(Messages.ManifestNotFound(literal), literal), literal), onError);
            }
        }

        foreach (var address in uri ?? [])
        {
            if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                ThrowInvalid(ErrorIds.InvalidUri, "-Uri", address.OriginalString, Messages.NotUsableUri(address.OriginalString));
            }

            WriteVerbose($"Downloading {address}");
            all.AddRange(ReadSource(address, () => ManifestReader.ReadUriAsync(address, CancellationToken), onError));
        }

        return all;
    }

    /// <summary>The manifests of YAML text (piped lines joined).</summary>
    protected internal IReadOnlyList<LabResource> ReadManifestText(string text, ManifestErrors onError) =>
        ReadSource(null, () => System.Threading.Tasks.Task.FromResult(ManifestReader.ReadText(text)), onError);

    private IReadOnlyList<LabResource> ReadSource(object? source, Func<System.Threading.Tasks.Task<IReadOnlyList<LabResource>>> read, ManifestErrors onError)
    {
        try
        {
            return Await(read());
        }
        catch (ManifestFormatException ex)
        {
            Report(LabErrors.FromManifest(ex, source), onError);
        }
        catch (HttpRequestException ex)
        {
            Report(LabErrors.Create(ErrorIds.ManifestDownloadFailed, ex, source), onError);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Report(LabErrors.Create(ErrorIds.ManifestReadFailed, ex, source), onError);
        }

        return [];
    }

    // The files a -Path pattern matches on the file system (a folder only when named without wildcards, as
    // Get-ChildItem -Path lab/* lists a folder's entries without reading into its subfolders); nothing is ManifestNotFound,
    // except for a wildcard pattern, which may match nothing (as with Get-Content -Path ./no*.yaml).
    private List<string> ResolvePattern(string pattern, ManifestErrors onError)
    {
        List<string> found;
        try
        {
            found = GetResolvedProviderPathFromPSPath(pattern, out var provider)
                .Where(p => provider.Name == "FileSystem" && (File.Exists(p) || (!WildcardPattern.ContainsWildcardCharacters(pattern) && Directory.Exists(p))))
                .ToList();
        }
        catch (ItemNotFoundException)
        {
            found = [];
        }

        if (found.Count == 0 && WildcardPattern.ContainsWildcardCharacters(pattern))
        {
            // As PowerShell's own cmdlets: a wildcard that matches nothing is not an error.
            WriteVerbose($"-Path {pattern} matches no file.");
        }
        else if (found.Count == 0)
        {
            Report(LabErrors.Create(ErrorIds.ManifestNotFound, new FileNotFoundException(Messages.ManifestNotFound(pattern), pattern), pattern), onError);
        }

        return found;
    }

    private void Report(ErrorRecord error, ManifestErrors onError)
    {
        if (onError == ManifestErrors.Stop)
        {
            ThrowTerminatingError(error);
        }

        WriteError(error);
    }
}
