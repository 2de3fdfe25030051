using System;
using System.Globalization;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// The one time-out convention of the waiting cmdlets (-Timeout, alias -TimeoutSec): a duration as Istio and kubectl
/// write it ('90s', '10m', '1h30m'), a [TimeSpan] ('00:05:00'), or a number of seconds (90). PowerShell reads an
/// unquoted 90s as the [short] 90, which is seconds too. A value that is not one, not positive or over a day is refused
/// with a message naming the forms; so is a number PowerShell read from a suffix that is not a unit of time (1d is a
/// [decimal], 1kb is 1024).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TimeoutTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>The longest time-out taken: a day.</summary>
    public static TimeSpan Longest { get; } = TimeSpan.FromDays(1);

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        TimeSpan? span;
        try
        {
            span = value switch
            {
                TimeSpan t => t,
                MeshDuration d => d.TimeSpan,
                int or long or short or byte or ushort or uint => Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                double or float => Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => Seconds(seconds),
                string text => Parse(text),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is OverflowException or ArgumentException)
        {
            span = null;
        }

        if (span is not { } result || result <= TimeSpan.Zero || result > Longest)
        {
            throw new ArgumentTransformationMetadataException(
                $"'{LabCmdlet.ToText(value)}' is not a time-out: give a duration up to a day such as 90s, 10m or 1h30m, a TimeSpan, or a number of seconds.");
        }

        return result;
    }

    private static TimeSpan? Seconds(double seconds) =>
        double.IsFinite(seconds) && seconds <= Longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;

    // '1h30m', '90s', '500ms' (Istio's and Go's duration form), or '00:05:00'.
    private static TimeSpan? Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var clock))
        {
            return clock;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < trimmed.Length)
        {
            var start = i;
            while (i < trimmed.Length && (char.IsAsciiDigit(trimmed[i]) || trimmed[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < trimmed.Length && char.IsAsciiLetter(trimmed[i]))
            {
                i++;
            }

            if (start == unitStart || !double.TryParse(trimmed[start..unitStart], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                return null;
            }

            TimeSpan? part = trimmed[unitStart..i] switch
            {
                _ when !double.IsFinite(amount) || amount > Longest.TotalHours * 3600000 => null,
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                _ => null,
            };
            if (part is null)
            {
                return null;
            }

            total += part.Value;
        }

        return trimmed.Length == 0 ? null : total;
    }
}
