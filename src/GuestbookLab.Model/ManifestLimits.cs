using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

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

    /// <summary>10,000: the most manifest files (.yaml, .yml) a folder read by -Path may hold.</summary>
    public const int DefaultMaxFolderFiles = 10_000;

    /// <summary>256 MiB: the most bytes a folder's manifest files may hold together.</summary>
    public const long DefaultMaxFolderBytes = 256L * 1024 * 1024;

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

    /// <summary>The most manifest files in a folder.</summary>
    public int MaxFolderFiles { get; init; } = DefaultMaxFolderFiles;

    /// <summary>The most bytes of a folder's manifest files together.</summary>
    public long MaxFolderBytes { get; init; } = DefaultMaxFolderBytes;

    /// <summary>The names of the limits, as <see cref="With"/> takes them.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [nameof(MaxBytes), nameof(MaxDepth), nameof(MaxNodes), nameof(MaxAliasNodes), nameof(MaxRedirects), nameof(DownloadTimeout), nameof(MaxFolderFiles), nameof(MaxFolderBytes)];

    /// <summary>
    /// These limits with one changed, by name (case-insensitive): a whole number (at least 1; MaxRedirects at least 0)
    /// or, for DownloadTimeout, a TimeSpan or a number of seconds. An unknown name or an unusable value is an
    /// <see cref="ArgumentException"/> that says which names and values there are.
    /// </summary>
    public ManifestLimits With(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var known = Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"'{name}' is not a manifest limit: the limits are {string.Join(", ", Names)}.", nameof(name));
        if (known == nameof(DownloadTimeout))
        {
            var timeout = value switch
            {
                TimeSpan span => span,
                _ when Number(value) is { } seconds => TimeSpan.FromSeconds(seconds),
                _ => TimeSpan.Zero,
            };
            return timeout > TimeSpan.Zero && timeout <= TimeSpan.FromDays(1)
                ? this with { DownloadTimeout = timeout }
                : throw new ArgumentException($"DownloadTimeout: '{value}' is not a time from 1 s to a day (a TimeSpan or a number of seconds).", nameof(value));
        }

        var minimum = known == nameof(MaxRedirects) ? 0 : 1;
        var maximum = known is nameof(MaxDepth) or nameof(MaxRedirects) or nameof(MaxFolderFiles) ? int.MaxValue : long.MaxValue;
        if (Number(value) is not { } number || number != Math.Floor(number) || number < minimum || number > maximum)
        {
            throw new ArgumentException($"{known}: '{value}' is not a whole number from {minimum} to {maximum.ToString(CultureInfo.InvariantCulture)}.", nameof(value));
        }

        var n = (long)number;
        return known switch
        {
            nameof(MaxBytes) => this with { MaxBytes = n },
            nameof(MaxDepth) => this with { MaxDepth = (int)n },
            nameof(MaxNodes) => this with { MaxNodes = n },
            nameof(MaxAliasNodes) => this with { MaxAliasNodes = n },
            nameof(MaxRedirects) => this with { MaxRedirects = (int)n },
            nameof(MaxFolderFiles) => this with { MaxFolderFiles = (int)n },
            _ => this with { MaxFolderBytes = n },
        };
    }

    private static double? Number(object? value) => value switch
    {
        byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>A size in bytes as people read it (16 MiB, 512 KiB, 100 bytes).</summary>
    public static string ShowBytes(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? FormattableString.Invariant($"{bytes / (1024 * 1024)} MiB")
        : bytes >= 1024 && bytes % 1024 == 0 ? FormattableString.Invariant($"{bytes / 1024} KiB")
        : FormattableString.Invariant($"{bytes} bytes");
}
