using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// The module's one manifest reader: text, files, folders (every .yaml and .yml file below them, in path order, as
/// kubectl apply -R -f reads them) and http(s) URLs, as 'kubectl apply -f URL' does. A document that does not fit its
/// kind is a <see cref="ManifestFormatException"/> naming the source, document and field; a file that cannot be read
/// an <see cref="IOException"/>; a URL that does not answer an <see cref="HttpRequestException"/>.
/// </summary>
public static class ManifestReader
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Every document of a multi-document YAML text.</summary>
    public static IReadOnlyList<LabResource> ReadText(string text, string? source = null) => ManifestSerializer.Deserialize(text, source);

    /// <summary>Whether a file name is a manifest's (.yaml or .yml).</summary>
    public static bool IsManifestFile(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The manifest files below a folder, in the order of their paths relative to it.</summary>
    public static IReadOnlyList<string> FilesIn(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(IsManifestFile)
            .OrderBy(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A file's documents; a folder's files' documents, in path order.</summary>
    public static async Task<IReadOnlyList<LabResource>> ReadPathAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Directory.Exists(path))
        {
            return ReadText(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
        }

        var all = new List<LabResource>();
        foreach (var file in FilesIn(path))
        {
            all.AddRange(ReadText(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), file));
        }

        return all;
    }

    /// <summary>The documents at an http(s) URL.</summary>
    public static async Task<IReadOnlyList<LabResource>> ReadUriAsync(Uri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{uri.OriginalString}' is not an http(s) URL", nameof(uri));
        }

        string text;
        try
        {
            using var response = await Http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }

            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"{uri} did not answer in time.", ex);
        }

        return ReadText(text, uri.ToString());
    }
}
