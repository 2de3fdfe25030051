using System;
using System.Globalization;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// The one time-out convention of the waiting cmdlets (-Timeout, alias -TimeoutSec): a duration as Istio and kubectl
/// write it ('90s', '10m', '1h30m'), a [TimeSpan] ('00:05:00'), or a number of seconds (90). PowerShell reads an
/// unquoted 90s as the [short] 90, which is seconds too. A value that is not one, or not positive, is refused with a
/// message naming the forms.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TimeoutTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        TimeSpan? span = value switch
        {
            TimeSpan t => t,
            MeshDuration d => d.TimeSpan,
            int or long or short or byte or ushort or uint => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
            string text => Parse(text),
            _ => null,
        };
        if (span is not { } result || result <= TimeSpan.Zero)
        {
            throw new ArgumentTransformationMetadataException(
                $"'{LabCmdlet.ToText(value)}' is not a time-out: give a positive duration such as 90s, 10m or 1h30m, a TimeSpan, or a number of seconds.");
        }

        return result;
    }

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
