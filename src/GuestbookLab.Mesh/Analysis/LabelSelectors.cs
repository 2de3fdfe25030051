using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>Kubernetes label selectors (matchLabels, matchExpressions) read from untyped trees, as webhooks carry them.</summary>
internal static class LabelSelectors
{
    /// <summary>
    /// Whether <paramref name="selector"/> selects <paramref name="labels"/> (metav1.LabelSelectorAsSelector, then
    /// Matches): no selector selects everything; a selector Kubernetes rejects (an unknown operator, In or NotIn
    /// without values, Exists or DoesNotExist with values) selects nothing.
    /// </summary>
    public static bool Matches(object? selector, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return true;
        }

        labels ??= new Dictionary<string, string>();

        // A selector of the wrong shape is invalid, and an invalid selector selects nothing.
        if (Tree.Path(selector, "matchLabels") is not (null or IDictionary<string, object?>) || Tree.Path(selector, "matchExpressions") is not (null or System.Collections.IList))
        {
            return false;
        }

        if (Tree.Path(selector, "matchLabels") is IDictionary<string, object?> matchLabels
            && !matchLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && v == (Tree.Str(kv.Value) ?? string.Empty)))
        {
            return false;
        }

        foreach (var expression in Tree.Seq(Tree.Path(selector, "matchExpressions")))
        {
            var key = Tree.Str(Tree.Path(expression, "key")) ?? string.Empty;
            var values = Tree.Seq(Tree.Path(expression, "values")).Select(v => Tree.Str(v) ?? string.Empty).ToList();
            var has = labels.TryGetValue(key, out var value);
            var matches = Tree.Str(Tree.Path(expression, "operator")) switch
            {
                "In" when values.Count > 0 => has && values.Contains(value!, StringComparer.Ordinal),
                "NotIn" when values.Count > 0 => !has || !values.Contains(value!, StringComparer.Ordinal),
                "Exists" when values.Count == 0 => has,
                "DoesNotExist" when values.Count == 0 => !has,
                _ => false,
            };
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The values a selector gives <paramref name="key"/>: its matchLabels entry and every matchExpressions value of that key.</summary>
    public static IEnumerable<string> ValuesOf(object? selector, string key)
    {
        if (Tree.Path(selector, "matchLabels") is IDictionary<string, object?> matchLabels && matchLabels.TryGetValue(key, out var value))
        {
            yield return Tree.Str(value) ?? string.Empty;
        }

        foreach (var expression in Tree.Seq(Tree.Path(selector, "matchExpressions")).Where(e => Tree.Str(Tree.Path(e, "key")) == key))
        {
            foreach (var v in Tree.Seq(Tree.Path(expression, "values")))
            {
                yield return Tree.Str(v) ?? string.Empty;
            }
        }
    }
}
