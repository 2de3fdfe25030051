using System;
using System.Globalization;

namespace GuestbookLab.Model;

/// <summary>
/// A duration as Istio writes it (Go syntax: <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h30m</c>), made from such a
/// string or from a <see cref="TimeSpan"/>. An unparsable input is kept (with <see cref="IsValid"/> false) so the
/// cmdlet that receives it can report it with its own error.
/// </summary>
public readonly struct MeshDuration : IEquatable<MeshDuration>
{
    private MeshDuration(string text, long? nanoseconds, string? error)
    {
        Text = text;
        Nanoseconds = nanoseconds;
        Error = error;
    }

    /// <summary>The duration as written to the manifest.</summary>
    public string Text { get; }

    /// <summary>The length in nanoseconds; null when the text did not parse.</summary>
    public long? Nanoseconds { get; }

    /// <summary>Why the text did not parse.</summary>
    public string? Error { get; }

    public bool IsValid => Nanoseconds is not null;

    public TimeSpan? TimeSpan => Nanoseconds is { } ns ? System.TimeSpan.FromTicks(ns / 100) : null;

    /// <summary>Parses Go duration syntax; never throws.</summary>
    public static MeshDuration Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new MeshDuration(text ?? string.Empty, null, "a duration cannot be empty");
        }

        var trimmed = text.Trim();
        if (System.TimeSpan.TryParseExact(trimmed, "c", CultureInfo.InvariantCulture, out var span) && trimmed.Contains(':', StringComparison.Ordinal))
        {
            return FromTimeSpan(span);
        }

        var ns = ParseGo(trimmed, out var error);
        return new MeshDuration(trimmed, ns, error);
    }

    /// <summary>Writes a TimeSpan the shortest way Istio reads it: 15m, 2s, 500ms.</summary>
    public static MeshDuration FromTimeSpan(TimeSpan value)
    {
        if (value < System.TimeSpan.Zero)
        {
            return new MeshDuration(value.ToString("c", CultureInfo.InvariantCulture), null, "a duration cannot be negative");
        }

        var ticks = value.Ticks;
        string text;
        if (ticks == 0)
        {
            text = "0s";
        }
        else if (ticks % System.TimeSpan.TicksPerHour == 0)
        {
            text = $"{ticks / System.TimeSpan.TicksPerHour}h";
        }
        else if (ticks % System.TimeSpan.TicksPerMinute == 0)
        {
            text = $"{ticks / System.TimeSpan.TicksPerMinute}m";
        }
        else if (ticks % System.TimeSpan.TicksPerSecond == 0)
        {
            text = $"{ticks / System.TimeSpan.TicksPerSecond}s";
        }
        else if (ticks % System.TimeSpan.TicksPerMillisecond == 0)
        {
            text = $"{ticks / System.TimeSpan.TicksPerMillisecond}ms";
        }
        else
        {
            text = $"{ticks / 10}us";
        }

        return new MeshDuration(text, ticks * 100, null);
    }

    public override string ToString() => Text;

    public bool Equals(MeshDuration other) => Nanoseconds == other.Nanoseconds && (IsValid || Text == other.Text);

    public override bool Equals(object? obj) => obj is MeshDuration other && Equals(other);

    public override int GetHashCode() => Nanoseconds?.GetHashCode() ?? StringComparer.Ordinal.GetHashCode(Text);

    public static bool operator ==(MeshDuration left, MeshDuration right) => left.Equals(right);

    public static bool operator !=(MeshDuration left, MeshDuration right) => !left.Equals(right);

    // time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ ; "0" alone is allowed.
    private static long? ParseGo(string s, out string? error)
    {
        error = null;
        if (s == "0")
        {
            return 0;
        }

        var i = 0;
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i++;
        }

        decimal total = 0;
        var any = false;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                error = $"'{s}' is not a duration such as 500ms, 2s, 5m or 1h30m";
                return null;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal? scale = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (scale is null)
            {
                error = unitStart == i
                    ? $"'{s}' has no unit (use ns, us, ms, s, m or h)"
                    : $"'{s}' has an unknown unit '{s[unitStart..i]}' (use ns, us, ms, s, m or h)";
                return null;
            }

            total += amount * scale.Value;
            any = true;
        }

        if (!any)
        {
            error = $"'{s}' is not a duration such as 500ms, 2s, 5m or 1h30m";
            return null;
        }

        if (total > long.MaxValue)
        {
            error = $"'{s}' is too long a duration";
            return null;
        }

        var ns = (long)decimal.Truncate(total);
        return negative ? -ns : ns;
    }
}
