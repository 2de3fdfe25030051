using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace GuestbookLab.Model;

/// <summary>The operators of a Kubernetes label selector requirement.</summary>
// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum SelectorOperator : long
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>One requirement of a label selector: a key, an operator and its values.</summary>
public sealed record SelectorRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    /// <summary>Whether labels meet the requirement, as the API server decides (!=, notin and !key hold when the key is absent).</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        var has = labels is not null && labels.TryGetValue(Key, out _);
        var value = has ? labels![Key] : null;
        return Operator switch
        {
            SelectorOperator.Equals => has && value == Values[0],
            SelectorOperator.NotEquals => !has || value != Values[0],
            SelectorOperator.In => has && Values.Contains(value!, StringComparer.Ordinal),
            SelectorOperator.NotIn => !has || !Values.Contains(value!, StringComparer.Ordinal),
            SelectorOperator.Exists => has,
            _ => !has,
        };
    }

    public override string ToString() => Operator switch
    {
        SelectorOperator.Equals => $"{Key}={Values[0]}",
        SelectorOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectorOperator.In => $"{Key} in ({string.Join(",", Values)})",
        SelectorOperator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
        SelectorOperator.Exists => Key,
        _ => "!" + Key,
    };
}

/// <summary>
/// A Kubernetes label selector in its full syntax (k8s.io/apimachinery labels.Parse): <c>app=ui</c>, <c>app==ui</c>,
/// <c>tier!=web</c>, <c>app in (ui,redis)</c>, <c>app notin (ui)</c>, <c>app</c>, <c>!app</c>, joined by commas (ANDed).
/// A hashtable of labels is the equality selector (matchLabels). The API server and the directory target evaluate it alike.
/// </summary>
public sealed class LabelQuery
{
    // A label key: an optional DNS-subdomain prefix and '/', then a name of up to 63 characters.
    private static readonly Regex KeyPattern = new(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant);
    private static readonly Regex ValuePattern = new(@"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$", RegexOptions.CultureInvariant);
    private static readonly Regex SetPattern = new(@"^(?<key>[^\s!=(),]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$", RegexOptions.CultureInvariant);

    public LabelQuery(IEnumerable<SelectorRequirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        Requirements = requirements.ToList();
    }

    /// <summary>The requirements, all of which must hold.</summary>
    public IReadOnlyList<SelectorRequirement> Requirements { get; }

    /// <summary>The equality requirements of a label map (matchLabels).</summary>
    public static LabelQuery FromLabels(IDictionary labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var requirements = new List<SelectorRequirement>();
        foreach (DictionaryEntry entry in labels)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            var value = Convert.ToString(entry.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            requirements.Add(Checked(new SelectorRequirement(key, SelectorOperator.Equals, [value]), $"{key}={value}"));
        }

        return new LabelQuery(requirements.OrderBy(r => r.Key, StringComparer.Ordinal));
    }

    /// <summary>Reads the selector syntax; <see cref="FormatException"/> names the part that is not a requirement.</summary>
    public static LabelQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var requirements = new List<SelectorRequirement>();
        foreach (var part in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(part.Trim()));
        }

        return new LabelQuery(requirements);
    }

    /// <summary>Whether labels meet every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels) => Requirements.All(r => r.Matches(labels));

    /// <summary>The labels an equality-only selector names (what matchLabels can hold); null when another operator is used.</summary>
    public IReadOnlyDictionary<string, string>? AsMatchLabels() =>
        Requirements.All(r => r.Operator == SelectorOperator.Equals)
            ? Requirements.ToDictionary(r => r.Key, r => r.Values[0], StringComparer.Ordinal)
            : null;

    /// <summary>The selector as the API server's labelSelector parameter takes it.</summary>
    public override string ToString() => string.Join(",", Requirements);

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        if (depth != 0)
        {
            throw new FormatException($"'{text}' has unbalanced parentheses: write a set as 'app in (ui,redis)'");
        }

        yield return text[start..];
    }

    private static SelectorRequirement ParseRequirement(string part)
    {
        if (part.Length == 0)
        {
            throw new FormatException("an empty requirement (two commas, or one at an end): write 'app=ui,tier!=web'");
        }

        var set = SetPattern.Match(part);
        if (set.Success)
        {
            var values = set.Groups["values"].Value.Split(',').Select(v => v.Trim()).ToList();
            var op = set.Groups["op"].Value == "in" ? SelectorOperator.In : SelectorOperator.NotIn;
            return Checked(new SelectorRequirement(set.Groups["key"].Value, op, values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()), part);
        }

        if (part.StartsWith('!'))
        {
            return Checked(new SelectorRequirement(part[1..].Trim(), SelectorOperator.DoesNotExist, []), part);
        }

        foreach (var (token, op) in new[] { ("!=", SelectorOperator.NotEquals), ("==", SelectorOperator.Equals), ("=", SelectorOperator.Equals) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at >= 0)
            {
                return Checked(new SelectorRequirement(part[..at].Trim(), op, [part[(at + token.Length)..].Trim()]), part);
            }
        }

        return Checked(new SelectorRequirement(part, SelectorOperator.Exists, []), part);
    }

    private static SelectorRequirement Checked(SelectorRequirement requirement, string part)
    {
        if (!KeyPattern.IsMatch(requirement.Key))
        {
            throw new FormatException($"'{part}': '{requirement.Key}' is not a label key (a name of up to 63 letters, digits, '-', '_' and '.', optionally after a DNS prefix and '/')");
        }

        if ((requirement.Operator is SelectorOperator.In or SelectorOperator.NotIn) && requirement.Values.Count == 0)
        {
            throw new FormatException($"'{part}': a set needs at least one value");
        }

        foreach (var value in requirement.Values.Where(v => !ValuePattern.IsMatch(v)))
        {
            throw new FormatException($"'{part}': '{value}' is not a label value (up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)");
        }

        return requirement;
    }
}

/// <summary>
/// The one matcher of equality selectors (a selector's matchLabels, a Service's selector, a Sidecar's or a policy's
/// workloadSelector) against a workload's labels: every selector entry must be a label with that value.
/// </summary>
internal static class LabelMatch
{
    /// <summary>Whether <paramref name="selector"/> selects <paramref name="labels"/>; no selector selects everything, an empty one too.</summary>
    public static bool Selects(IReadOnlyDictionary<string, string>? selector, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null || selector.Count == 0)
        {
            return true;
        }

        if (labels is null || labels.Count < selector.Count)
        {
            return false;
        }

        if (selector is Dictionary<string, string> map)
        {
            // The concrete dictionary's enumerator is a struct: no allocation on this path, which the simulator takes per request.
            foreach (var (key, value) in map)
            {
                if (!labels.TryGetValue(key, out var label) || !string.Equals(label, value, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var (key, value) in selector)
        {
            if (!labels.TryGetValue(key, out var label) || !string.Equals(label, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
