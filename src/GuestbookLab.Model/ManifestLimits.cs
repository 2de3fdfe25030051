using System;

namespace GuestbookLab.Model;

/// <summary>
/// The limits every manifest the module reads is held to (text, files, folders' files, downloads), in one place, so a
/// hostile or broken input is refused quickly and with bounded memory instead of exhausting the process. The
/// defaults (<see cref="Default"/>) are generous for Kubernetes manifests: the codelab's largest document is a few
/// kilobytes, the Istio install's CRDs under 1 MiB, and an object stored by the API server at most 1.5 MiB (etcd's
/// request limit).
/// </summary>
public sealed record ManifestLimits
{
    /// <summary>16 MiB: the largest text, file or download read as manifests.</summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    /// <summary>200: the deepest nesting of mappings and sequences in a document.</summary>
    public const int DefaultMaxDepth = 200;

    /// <summary>2,000,000: the most YAML nodes (scalars, mappings, sequences, counting each alias's copy) in one text.</summary>
    public const long DefaultMaxNodes = 2_000_000;

    /// <summary>100,000: the most nodes copied by aliases (<c>*name</c>) in one text: what stops "billion laughs".</summary>
    public const long DefaultMaxAliasNodes = 100_000;

    /// <summary>5: the most redirects a -Uri download follows.</summary>
    public const int DefaultMaxRedirects = 5;

    /// <summary>60 s: the longest a -Uri download may take, redirects and body included.</summary>
    public static readonly TimeSpan DefaultDownloadTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The limits the module uses.</summary>
    public static ManifestLimits Default { get; } = new();

    /// <summary>The largest text, file or download, in bytes (characters for text given as a string).</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>The deepest nesting of mappings and sequences.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    /// <summary>The most nodes in one text, alias copies included.</summary>
    public long MaxNodes { get; init; } = DefaultMaxNodes;

    /// <summary>The most nodes copied by aliases in one text.</summary>
    public long MaxAliasNodes { get; init; } = DefaultMaxAliasNodes;

    /// <summary>The most redirects a download follows.</summary>
    public int MaxRedirects { get; init; } = DefaultMaxRedirects;

    /// <summary>The longest a download may take.</summary>
    public TimeSpan DownloadTimeout { get; init; } = DefaultDownloadTimeout;

    /// <summary>A size in bytes as people read it (16 MiB, 512 KiB, 100 bytes).</summary>
    public static string ShowBytes(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? FormattableString.Invariant($"{bytes / (1024 * 1024)} MiB")
        : bytes >= 1024 && bytes % 1024 == 0 ? FormattableString.Invariant($"{bytes / 1024} KiB")
        : FormattableString.Invariant($"{bytes} bytes");
}
