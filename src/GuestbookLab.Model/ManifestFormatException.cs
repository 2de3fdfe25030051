using System;

namespace GuestbookLab.Model;

/// <summary>A manifest that cannot be read: bad YAML, or a field whose value does not fit the API's type.</summary>
public sealed class ManifestFormatException : FormatException
{
    public ManifestFormatException()
    {
    }

    public ManifestFormatException(string message)
        : base(message)
    {
    }

    public ManifestFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ManifestFormatException(string message, string? field, string? source = null, long line = 0, long column = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        Field = field;
        Source = source;
        Line = line;
        Column = column;
    }

    /// <summary>The API path of the field at fault, e.g. <c>spec.http[0].route[0].weight</c>.</summary>
    public string? Field { get; }

    /// <summary>1-based line in the YAML text, when known.</summary>
    public long Line { get; }

    /// <summary>1-based column in the YAML text, when known.</summary>
    public long Column { get; }

    /// <summary>
    /// The <see cref="ManifestLimits"/> limit the input went over (e.g. <c>MaxBytes</c>, <c>MaxDepth</c>,
    /// <c>MaxAliasNodes</c>), or null when the input is malformed rather than too large.
    /// </summary>
    public string? Limit { get; init; }
}
