using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GuestbookLab.Engine;

/// <summary>
/// Where a followed log has got to, so that a stream that breaks off resumes without a duplicated or lost line: each
/// line is asked for with its time (timestamps=true, RFC 3339 with nanoseconds, as the kubelet stamps it); a resumed
/// stream asks for the lines since the last time seen (sinceTime, which the API server passes on in whole seconds),
/// and the lines before that time, and as many lines of that very time as were already given, are skipped.
/// </summary>
public sealed partial class LogCursor
{
    private (DateTimeOffset Second, int Nanoseconds)? last;
    private int atLast;
    private int skip;

    /// <summary>The time to resume from (sinceTime), or null when no line has been seen.</summary>
    public string? Since { get; private set; }

    /// <summary>
    /// Takes one stamped line: the text to give (its time stripped), or null when it was given before. A line without
    /// a time is given as it is.
    /// </summary>
    public string? Take(string stamped)
    {
        ArgumentNullException.ThrowIfNull(stamped);
        var space = stamped.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || Parse(stamped[..space]) is not { } time)
        {
            return stamped;
        }

        if (last is { } seen)
        {
            var order = seen.Second.CompareTo(time.Second) is var c and not 0 ? c : seen.Nanoseconds.CompareTo(time.Nanoseconds);
            if (order > 0)
            {
                return null;
            }

            if (order == 0)
            {
                // A line of the last time seen: skip as many as were given (the resumed stream sends them again).
                if (skip > 0)
                {
                    skip--;
                    return null;
                }

                atLast++;
                return stamped[(space + 1)..];
            }
        }

        last = time;
        atLast = 1;
        skip = 0;
        Since = stamped[..space];
        return stamped[(space + 1)..];
    }

    /// <summary>Call before reading a resumed stream: the lines of the last time seen are skipped once more.</summary>
    public void Resume() => skip = atLast;

    // 2006-01-02T15:04:05.999999999Z07:00 (fraction optional, up to nine digits).
    private static (DateTimeOffset Second, int Nanoseconds)? Parse(string text)
    {
        var match = Stamp().Match(text);
        if (!match.Success || !DateTimeOffset.TryParse(match.Groups[1].Value + match.Groups[3].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var second))
        {
            return null;
        }

        var fraction = match.Groups[2].Success ? match.Groups[2].Value.PadRight(9, '0') : "0";
        return (second.ToUniversalTime(), int.Parse(fraction, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$", RegexOptions.CultureInvariant)]
    private static partial Regex Stamp();
}
