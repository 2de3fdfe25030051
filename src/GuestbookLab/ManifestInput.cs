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
/// The limits are <see cref="ManifestLimits.Default"/> unless the preference variable $GuestbookLabManifestLimits (a
/// hashtable of limit names and values, or a ManifestLimits) changes some of them, in PowerShell's scopes: set in a
/// script or function it holds there. A folder's symbolic links that are not followed are each a warning.
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

    /// <summary>The preference variable that changes the manifest limits.</summary>
    public const string LimitsVariable = "GuestbookLabManifestLimits";

    private readonly List<string> pendingWarnings = [];

    /// <summary>The manifests of every source given, in the order given.</summary>
    protected internal IReadOnlyList<LabResource> ReadManifests(IEnumerable<string>? path, IEnumerable<string>? literalPath, IEnumerable<Uri>? uri, ManifestErrors onError)
    {
        var limits = ManifestLimitsInUse();
        var all = new List<LabResource>();
        foreach (var pattern in path ?? [])
        {
            foreach (var file in ResolvePattern(pattern, onError))
            {
                all.AddRange(ReadSource(file, () => ReadPathAsync(file, limits), onError));
            }
        }

        foreach (var literal in literalPath ?? [])
        {
            var file = GetUnresolvedProviderPathFromPSPath(literal);
            if (File.Exists(file) || Directory.Exists(file))
            {
                all.AddRange(ReadSource(file, () => ReadPathAsync(file, limits), onError));
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
            all.AddRange(ReadSource(address, () => ManifestReader.ReadUriAsync(address, limits, CancellationToken), onError));
        }

        return all;
    }

    /// <summary>The manifests of YAML text (piped lines joined).</summary>
    protected internal IReadOnlyList<LabResource> ReadManifestText(string text, ManifestErrors onError)
    {
        var limits = ManifestLimitsInUse();
        return ReadSource(null, () => System.Threading.Tasks.Task.FromResult(ManifestReader.ReadText(text, null, limits)), onError);
    }

    /// <summary>
    /// The limits in force: <see cref="ManifestLimits.Default"/> changed by $GuestbookLabManifestLimits (a hashtable
    /// such as @{ MaxBytes = 64MB; MaxFolderFiles = 50000 }, or a ManifestLimits); anything else, an unknown name or
    /// an unusable value is the terminating error InvalidManifestLimits.
    /// </summary>
    protected internal ManifestLimits ManifestLimitsInUse()
    {
        var value = SessionState.PSVariable.GetValue(LimitsVariable);
        try
        {
            switch (value is PSObject wrapped ? wrapped.BaseObject : value)
            {
                case null:
                    return ManifestLimits.Default;
                case ManifestLimits limits:
                    return limits;
                case System.Collections.IDictionary table:
                    var result = ManifestLimits.Default;
                    foreach (System.Collections.DictionaryEntry entry in table)
                    {
                        result = result.With(entry.Key?.ToString() ?? string.Empty, entry.Value is PSObject p ? p.BaseObject : entry.Value);
                    }

                    return result;
                default:
                    throw new ArgumentException($"it is a {value.GetType().Name}: give a hashtable of limits (@{{ MaxBytes = 64MB }}) or a ManifestLimits; the limits are {string.Join(", ", ManifestLimits.Names)}.");
            }
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidManifestLimits, $"${LimitsVariable}: {ex.Message}", value, ex));
            throw;
        }
    }

    // A file's or folder's documents; each symbolic link a folder has that is not followed is a warning (written by ReadSource).
    private async System.Threading.Tasks.Task<IReadOnlyList<LabResource>> ReadPathAsync(string file, ManifestLimits limits)
    {
        var skipped = new List<string>();
        try
        {
            return await ManifestReader.ReadPathAsync(file, limits, skipped, CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (pendingWarnings)
            {
                pendingWarnings.AddRange(skipped.Select(s => $"{file}: {s}; links are not followed out of a folder (name the file or folder itself to read it)."));
            }
        }
    }

    private IReadOnlyList<LabResource> ReadSource(object? source, Func<System.Threading.Tasks.Task<IReadOnlyList<LabResource>>> read, ManifestErrors onError)
    {
        try
        {
            var resources = Await(read());
            WritePendingWarnings();
            return resources;
        }
        catch (ManifestFormatException ex)
        {
            WritePendingWarnings();
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

    private void WritePendingWarnings()
    {
        string[] warnings;
        lock (pendingWarnings)
        {
            warnings = [.. pendingWarnings];
            pendingWarnings.Clear();
        }

        foreach (var warning in warnings)
        {
            WriteWarning(warning);
        }
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
