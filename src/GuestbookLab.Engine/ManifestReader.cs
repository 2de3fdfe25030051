using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// The module's one manifest reader: text, files, folders (every .yaml and .yml file below them, in path order, as
/// kubectl apply -R -f reads them) and http(s) URLs, as 'kubectl apply -f URL' does. A document that does not fit its
/// kind is a <see cref="ManifestFormatException"/> naming the source, document and field; a file that cannot be read
/// an <see cref="IOException"/>; a URL that does not answer an <see cref="HttpRequestException"/>. Every input is held
/// to <see cref="ManifestLimits"/>: a file or download over the size limit is refused before it is read whole, a file
/// that is not text (a NUL byte, bytes that are not UTF-8) is refused, a download follows at most
/// <see cref="ManifestLimits.MaxRedirects"/> redirects, each to http(s), and must end within
/// <see cref="ManifestLimits.DownloadTimeout"/>.
/// </summary>
public static class ManifestReader
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(30) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Every document of a multi-document YAML text.</summary>
    public static IReadOnlyList<LabResource> ReadText(string text, string? source = null) => ManifestSerializer.Deserialize(text, source);

    /// <summary>Every document of a multi-document YAML text, held to <paramref name="limits"/>.</summary>
    public static IReadOnlyList<LabResource> ReadText(string text, string? source, ManifestLimits limits) => ManifestSerializer.Deserialize(text, source, limits);

    /// <summary>Whether a file name is a manifest's (.yaml or .yml).</summary>
    /// <summary>
    /// A mesh config file, as istioctl analyze --meshConfigFile reads it: one YAML (or JSON) mapping of MeshConfig
    /// fields (rootNamespace, defaultConfig, defaultProviders ...), as a tree. Anything else is a ManifestFormatException.
    /// </summary>
    public static async Task<IDictionary<string, object?>> ReadMeshConfigAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var documents = YamlCodec.Parse(text, path);
        return documents.Count switch
        {
            0 => new Dictionary<string, object?>(StringComparer.Ordinal),
            1 => documents[0],
            _ => throw new ManifestFormatException($"{path}: a mesh config file has one document, not {documents.Count}.", field: null, path),
        };
    }

    public static bool IsManifestFile(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The manifest files below a folder, in the order of their paths relative to it (symbolic links: see <see cref="FilesIn(string, ManifestLimits, ICollection{string}?)"/>).</summary>
    public static IReadOnlyList<string> FilesIn(string folder) => FilesIn(folder, ManifestLimits.Default with { MaxFolderFiles = int.MaxValue, MaxFolderBytes = long.MaxValue }, null);

    /// <summary>
    /// The manifest files below a folder, in the order of their paths relative to it. Symbolic links (and junctions)
    /// below it are not followed out of it: a linked folder is not entered (as kubectl apply -R does not enter one),
    /// and a linked file is read only when it leads to a file inside the folder; each link passed by is added to
    /// <paramref name="skipped"/>. More than <see cref="ManifestLimits.MaxFolderFiles"/> files, or more than
    /// <see cref="ManifestLimits.MaxFolderBytes"/> bytes together, is a <see cref="ManifestFormatException"/> (its
    /// Limit names which) before any file is read.
    /// </summary>
    public static IReadOnlyList<string> FilesIn(string folder, ManifestLimits limits, ICollection<string>? skipped)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(limits);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var root = Path.GetFullPath(folder);
        var inside = Path.TrimEndingDirectorySeparator(ResolvedRoot(root)) + Path.DirectorySeparatorChar;
        var files = new List<string>();
        long bytes = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            foreach (var entry in new DirectoryInfo(pending.Pop()).EnumerateFileSystemInfos())
            {
                var isFolder = Directory.Exists(entry.FullName);
                if (entry.LinkTarget is { } target)
                {
                    var final = isFolder ? null : entry.ResolveLinkTarget(returnFinalTarget: true);
                    if (isFolder || final is not { Exists: true } || !(final.FullName.StartsWith(inside, StringComparison.Ordinal) || final.FullName.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                    {
                        if (isFolder || IsManifestFile(entry.Name))
                        {
                            skipped?.Add($"{Path.GetRelativePath(root, entry.FullName)} is a symbolic link to {(isFolder ? "a folder" : "a file")} ({target}){(isFolder ? string.Empty : " outside the folder")}: it is not read");
                        }

                        continue;
                    }
                }

                if (isFolder)
                {
                    pending.Push(entry.FullName);
                    continue;
                }

                if (!IsManifestFile(entry.Name))
                {
                    continue;
                }

                files.Add(entry.FullName);
                bytes += new FileInfo(entry.FullName).Length;
                if (files.Count > limits.MaxFolderFiles)
                {
                    throw new ManifestFormatException(
                        $"{root}: the folder has more than {limits.MaxFolderFiles.ToString("N0", CultureInfo.InvariantCulture)} manifest files, the most a folder read as manifests may have; none is read.",
                        field: null, root) { Limit = nameof(ManifestLimits.MaxFolderFiles) };
                }

                if (bytes > limits.MaxFolderBytes)
                {
                    throw new ManifestFormatException(
                        $"{root}: the folder's manifest files hold more than the {ManifestLimits.ShowBytes(limits.MaxFolderBytes)} a folder read as manifests may have together; none is read.",
                        field: null, root) { Limit = nameof(ManifestLimits.MaxFolderBytes) };
                }
            }
        }

        return files.OrderBy(f => Path.GetRelativePath(root, f).Replace('\\', '/'), StringComparer.Ordinal).ToList();
    }

    // The folder with its own links resolved (it may itself be a link the user named), so links inside can be compared with it.
    private static string ResolvedRoot(string root)
    {
        var info = new DirectoryInfo(root);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final ? final.FullName : root;
    }

    /// <summary>A file's documents; a folder's files' documents, in path order.</summary>
    public static Task<IReadOnlyList<LabResource>> ReadPathAsync(string path, CancellationToken cancellationToken) =>
        ReadPathAsync(path, ManifestLimits.Default, cancellationToken);

    /// <summary>A file's documents; a folder's files' documents, in path order; each file held to <paramref name="limits"/>.</summary>
    public static Task<IReadOnlyList<LabResource>> ReadPathAsync(string path, ManifestLimits limits, CancellationToken cancellationToken) =>
        ReadPathAsync(path, limits, null, cancellationToken);

    /// <summary>
    /// A file's documents; a folder's files' documents, in path order (links below the folder not followed out of it,
    /// each added to <paramref name="skipped"/>); each file, and the folder, held to <paramref name="limits"/>.
    /// </summary>
    public static async Task<IReadOnlyList<LabResource>> ReadPathAsync(string path, ManifestLimits limits, ICollection<string>? skipped, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limits);
        if (!Directory.Exists(path))
        {
            return ReadText(await ReadFileTextAsync(path, limits, cancellationToken).ConfigureAwait(false), path, limits);
        }

        var all = new List<LabResource>();
        foreach (var file in FilesIn(path, limits, skipped))
        {
            all.AddRange(ReadText(await ReadFileTextAsync(file, limits, cancellationToken).ConfigureAwait(false), file, limits));
        }

        return all;
    }

    /// <summary>
    /// A file's text: at most <see cref="ManifestLimits.MaxBytes"/> bytes (a larger file is refused without being read
    /// whole), UTF-8 (a byte-order mark for UTF-8, UTF-16 or UTF-32 is followed); a NUL byte or bytes that are not
    /// UTF-8 make it "not text".
    /// </summary>
    public static async Task<string> ReadFileTextAsync(string path, ManifestLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limits);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.CanSeek && stream.Length > limits.MaxBytes)
            {
                throw TooLarge(path, stream.Length, limits);
            }

            return DecodeText(await ReadCappedAsync(stream, path, limits, cancellationToken).ConfigureAwait(false), path);
        }
    }

    /// <summary>The documents at an http(s) URL.</summary>
    public static Task<IReadOnlyList<LabResource>> ReadUriAsync(Uri uri, CancellationToken cancellationToken) =>
        ReadUriAsync(uri, ManifestLimits.Default, cancellationToken);

    /// <summary>
    /// The documents at an http(s) URL: redirects are followed by hand, at most <see cref="ManifestLimits.MaxRedirects"/>
    /// and only to http(s) (never from https to http); the body may have at most <see cref="ManifestLimits.MaxBytes"/>
    /// bytes (a larger Content-Length is refused before the body is read) and the whole download must end within
    /// <see cref="ManifestLimits.DownloadTimeout"/>.
    /// </summary>
    public static async Task<IReadOnlyList<LabResource>> ReadUriAsync(Uri uri, ManifestLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(limits);
        if (!IsHttp(uri))
        {
            throw new ArgumentException($"'{uri.OriginalString}' is not an http(s) URL", nameof(uri));
        }

        string text;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limits.DownloadTimeout);
        try
        {
            var current = uri;
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (redirects >= limits.MaxRedirects)
                    {
                        throw new HttpRequestException($"{uri} redirects more than {limits.MaxRedirects.ToString(CultureInfo.InvariantCulture)} times (the last answer, from {current}, redirects to {next}): a manifest download follows at most {limits.MaxRedirects.ToString(CultureInfo.InvariantCulture)}.");
                    }

                    if (!IsHttp(next))
                    {
                        throw new HttpRequestException($"{current} redirects to '{next.OriginalString}', which is not an http(s) URL: the redirect is not followed.");
                    }

                    if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
                    {
                        throw new HttpRequestException($"{current} redirects to {next}, from https to http: the redirect is not followed.");
                    }

                    current = next;
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{current} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
                }

                if (response.Content.Headers.ContentLength is { } length && length > limits.MaxBytes)
                {
                    throw TooLarge(current.ToString(), length, limits);
                }

                var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    text = DecodeText(await ReadCappedAsync(body, current.ToString(), limits, deadline.Token).ConfigureAwait(false), current.ToString());
                }

                break;
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"{uri} did not send the whole manifest within {limits.DownloadTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, the longest a download may take.", ex);
        }

        // The documents name the URL without its user information and query (a password or a signed token's).
        return ReadText(text, uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped), limits);
    }

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static ManifestFormatException TooLarge(string source, long? length, ManifestLimits limits) =>
        new(
            $"{source}: the manifest is {(length is { } n ? ManifestLimits.ShowBytes(n) + ", " : string.Empty)}larger than the {ManifestLimits.ShowBytes(limits.MaxBytes)} a manifest may have; it is not read.",
            field: null, source) { Limit = nameof(ManifestLimits.MaxBytes) };

    // Reads at most limits.MaxBytes bytes; one more is TooLarge.
    private static async Task<byte[]> ReadCappedAsync(Stream stream, string source, ManifestLimits limits, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > limits.MaxBytes)
            {
                throw TooLarge(source, null, limits);
            }

            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>
    /// Bytes as text: a byte-order mark (UTF-8, UTF-16, UTF-32) is followed, anything else must be UTF-8; a NUL byte
    /// (in UTF-8) or an invalid sequence is "not text", with its offset.
    /// </summary>
    public static string DecodeText(byte[] bytes, string? source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var where = source ?? "YAML";
        Encoding encoding = StrictUtf8;
        var skip = 0;
        if (bytes is [0xEF, 0xBB, 0xBF, ..])
        {
            skip = 3;
        }
        else if (bytes is [0xFF, 0xFE, 0x00, 0x00, ..])
        {
            (encoding, skip) = (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4);
        }
        else if (bytes is [0x00, 0x00, 0xFE, 0xFF, ..])
        {
            (encoding, skip) = (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4);
        }
        else if (bytes is [0xFF, 0xFE, ..])
        {
            (encoding, skip) = (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2);
        }
        else if (bytes is [0xFE, 0xFF, ..])
        {
            (encoding, skip) = (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2);
        }
        else if (Array.IndexOf(bytes, (byte)0) is var nul and >= 0)
        {
            throw new ManifestFormatException(
                $"{where}: byte {nul.ToString(CultureInfo.InvariantCulture)} is NUL: this is not a text file, and manifests are YAML text.", field: null, source);
        }

        try
        {
            return encoding.GetString(bytes, skip, bytes.Length - skip);
        }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index >= 0 ? $"byte {(ex.Index + skip).ToString(CultureInfo.InvariantCulture)}" : "a byte";
            var shown = ex.BytesUnknown is { Length: > 0 } unknown ? $" (0x{Convert.ToHexString(unknown)})" : string.Empty;
            throw new ManifestFormatException(
                $"{where}: {at}{shown} is not {encoding.WebName.ToUpperInvariant()} text: this is not a text file in UTF-8, and manifests are YAML text.", field: null, source, innerException: ex);
        }
    }
}
