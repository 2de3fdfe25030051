using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Diff;

/// <summary>
/// kubectl diff's comparison, pure: the fields that differ between the stored object and what applying would store,
/// and a unified diff of their YAML. The API server's bookkeeping (metadata.managedFields, resourceVersion, uid,
/// creationTimestamp, generation) and status are left out of both, since applying does not set them.
/// </summary>
public static class ResourceDiff
{
    /// <summary>The metadata fields the API server keeps, left out of a comparison.</summary>
    public static IReadOnlyList<string> Bookkeeping { get; } = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"];

    /// <summary>Lines of context around each change in <see cref="Unified"/>, as diff -u.</summary>
    public const int Context = 3;

    // Past this many line pairs in the part that differs, the diff is the whole part removed and added.
    private const long MaxLinePairs = 4_000_000;

    /// <summary>A copy of an object's tree without the API server's bookkeeping and status.</summary>
    public static Dictionary<string, object?> Comparable(IDictionary<string, object?> tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var copy = (Dictionary<string, object?>)ApiObjectMapper.CopyTree(tree)!;
        copy.Remove("status");
        if (copy.TryGetValue("metadata", out var metadata) && metadata is IDictionary<string, object?> meta)
        {
            foreach (var field in Bookkeeping)
            {
                meta.Remove(field);
            }
        }

        return copy;
    }

    /// <summary>
    /// The fields that differ, depth first in the applied object's field order: mappings are compared key by key and
    /// lists item by item. <paramref name="hidden"/> says which paths' values must not be shown (a Secret's data):
    /// they are compared, and reported as "(hidden)".
    /// </summary>
    public static IReadOnlyList<FieldDifference> Fields(IDictionary<string, object?>? live, IDictionary<string, object?> applied, Func<string, bool>? hidden = null)
    {
        ArgumentNullException.ThrowIfNull(applied);
        var found = new List<FieldDifference>();
        Compare(string.Empty, live, applied, found, hidden ?? (_ => false));
        return found;
    }

    /// <summary>Whether a path is a Secret's value (data or stringData), which a diff must not show.</summary>
    public static Func<string, bool> SecretValues(string kind) =>
        kind == "Secret" ? path => path.StartsWith("data.", StringComparison.Ordinal) || path.StartsWith("stringData.", StringComparison.Ordinal) || path is "data" or "stringData" : _ => false;

    /// <summary>
    /// Replaces a Secret's values (data, stringData) in both trees as kubectl diff masks them: <c>***</c> where they
    /// are equal, <c>*** (before)</c> and <c>*** (after)</c> where they differ, so a diff shows which changed and never
    /// a value.
    /// </summary>
    public static void MaskSecretValues(IDictionary<string, object?>? live, IDictionary<string, object?> applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        foreach (var field in new[] { "data", "stringData" })
        {
            var before = live is not null && live.TryGetValue(field, out var b) ? b as IDictionary<string, object?> : null;
            var after = applied.TryGetValue(field, out var a) ? a as IDictionary<string, object?> : null;
            foreach (var key in (before?.Keys ?? []).Union(after?.Keys ?? []).ToList())
            {
                object? was = null, now = null;
                var had = before?.TryGetValue(key, out was) == true;
                var has = after?.TryGetValue(key, out now) == true;
                var same = had && has && ApiObjectMapper.CanonicalKey(was) == ApiObjectMapper.CanonicalKey(now);
                if (had)
                {
                    before![key] = same ? "***" : "*** (before)";
                }

                if (has)
                {
                    after![key] = same ? "***" : "*** (after)";
                }
            }
        }
    }

    private static void Compare(string path, object? live, object? applied, List<FieldDifference> found, Func<string, bool> hidden)
    {
        if (live is IDictionary<string, object?> a && applied is IDictionary<string, object?> b)
        {
            foreach (var (key, value) in b)
            {
                var child = Join(path, key);
                if (a.TryGetValue(key, out var before))
                {
                    Compare(child, before, value, found, hidden);
                }
                else
                {
                    found.Add(new(child, FieldChange.Added, null, Show(child, value, hidden)));
                }
            }

            foreach (var (key, value) in a)
            {
                if (!b.ContainsKey(key))
                {
                    var child = Join(path, key);
                    found.Add(new(child, FieldChange.Removed, Show(child, value, hidden), null));
                }
            }

            return;
        }

        if (live is IList x && applied is IList y && live is not string && applied is not string)
        {
            for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
            {
                var child = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
                if (i >= x.Count)
                {
                    found.Add(new(child, FieldChange.Added, null, Show(child, y[i], hidden)));
                }
                else if (i >= y.Count)
                {
                    found.Add(new(child, FieldChange.Removed, Show(child, x[i], hidden), null));
                }
                else
                {
                    Compare(child, x[i], y[i], found, hidden);
                }
            }

            return;
        }

        if (live is null && applied is null)
        {
            return;
        }

        if (ApiObjectMapper.CanonicalKey(live) != ApiObjectMapper.CanonicalKey(applied))
        {
            found.Add(live is null && path.Length > 0 ? new(path, FieldChange.Added, null, Show(path, applied, hidden))
                : new(path, FieldChange.Changed, Show(path, live, hidden), Show(path, applied, hidden)));
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Show(string path, object? value, Func<string, bool> hidden) => hidden(path) ? "(hidden)" : FlowText.Value(value);

    /// <summary>
    /// A unified diff (diff -u) of two texts' lines with <see cref="Context"/> lines of context; empty when they are
    /// equal. The headers name <paramref name="from"/> and <paramref name="to"/>.
    /// </summary>
    public static IReadOnlyList<string> Unified(IReadOnlyList<string> before, IReadOnlyList<string> after, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var edits = Edits(before, after);
        if (edits.All(e => e.Op == ' '))
        {
            return [];
        }

        var lines = new List<string> { $"--- {from}", $"+++ {to}" };
        var i = 0;
        while (i < edits.Count)
        {
            // The next change, with context before it; the hunk runs on while the lines between two changes are at most 2 × context.
            var first = edits.FindIndex(i, e => e.Op != ' ');
            if (first < 0)
            {
                break;
            }

            var start = Math.Max(i, first - Context);
            var end = first;
            for (var k = first; k < edits.Count && k <= end + (2 * Context) + 1; k++)
            {
                if (edits[k].Op != ' ')
                {
                    end = k;
                }
            }

            var stop = Math.Min(edits.Count, end + Context + 1);
            var hunk = edits.GetRange(start, stop - start);
            var oldStart = hunk[0].Before;
            var newStart = hunk[0].After;
            var oldCount = hunk.Count(e => e.Op != '+');
            var newCount = hunk.Count(e => e.Op != '-');
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"@@ -{Range(oldStart, oldCount)} +{Range(newStart, newCount)} @@"));
            lines.AddRange(hunk.Select(e => e.Op + e.Text));
            i = stop;
        }

        return lines;
    }

    // diff -u's ranges: 1-based start, the count after a comma unless it is 1; an empty side starts at the line before.
    private static string Range(int start, int count) => count switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"{start},0"),
        1 => string.Create(CultureInfo.InvariantCulture, $"{start + 1}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{start + 1},{count}"),
    };

    private readonly record struct Edit(char Op, string Text, int Before, int After);

    // The edit script: common prefix and suffix kept, the middle by longest common subsequence of lines.
    private static List<Edit> Edits(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix])
        {
            suffix++;
        }

        var edits = new List<Edit>();
        for (var k = 0; k < prefix; k++)
        {
            edits.Add(new(' ', a[k], k, k));
        }

        int n = a.Count - prefix - suffix, m = b.Count - prefix - suffix;
        if ((long)n * m > MaxLinePairs)
        {
            for (var k = 0; k < n; k++)
            {
                edits.Add(new('-', a[prefix + k], prefix + k, prefix));
            }

            for (var k = 0; k < m; k++)
            {
                edits.Add(new('+', b[prefix + k], prefix + n, prefix + k));
            }
        }
        else
        {
            var lcs = new int[n + 1, m + 1];
            for (var x = n - 1; x >= 0; x--)
            {
                for (var y = m - 1; y >= 0; y--)
                {
                    lcs[x, y] = a[prefix + x] == b[prefix + y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
                }
            }

            int p = 0, q = 0;
            while (p < n || q < m)
            {
                if (p < n && q < m && a[prefix + p] == b[prefix + q])
                {
                    edits.Add(new(' ', a[prefix + p], prefix + p, prefix + q));
                    p++;
                    q++;
                }
                else if (p < n && (q == m || lcs[p + 1, q] >= lcs[p, q + 1]))
                {
                    // Removals before additions, as diff writes a changed block.
                    edits.Add(new('-', a[prefix + p], prefix + p, prefix + q));
                    p++;
                }
                else
                {
                    edits.Add(new('+', b[prefix + q], prefix + p, prefix + q));
                    q++;
                }
            }
        }

        for (var k = 0; k < suffix; k++)
        {
            edits.Add(new(' ', a[a.Count - suffix + k], a.Count - suffix + k, b.Count - suffix + k));
        }

        return edits;
    }
}
