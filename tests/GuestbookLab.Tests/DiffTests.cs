using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GuestbookLab.Mesh.Diff;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Compare-LabResource's comparison: fields as kubectl diff's changes, and diff -u's unified format.</summary>
public sealed class DiffTests
{
    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    [Fact]
    public void Fields_name_what_is_added_changed_and_removed_by_path()
    {
        var live = Map(("spec", Map(("hosts", new List<object?> { "ui" }), ("http", new List<object?> { Map(("route", new List<object?> { Map(("weight", 20L)), Map(("weight", 80L)) })) }), ("gone", "x"))));
        var applied = Map(("spec", Map(("hosts", new List<object?> { "ui", "ui.example.com" }), ("http", new List<object?> { Map(("route", new List<object?> { Map(("weight", 50L)), Map(("weight", 50L)) })) }), ("tls", Map(("mode", "SIMPLE"))))));
        var fields = ResourceDiff.Fields(live, applied);
        Assert.Equal(
            [
                new FieldDifference("spec.hosts[1]", FieldChange.Added, null, "ui.example.com"),
                new FieldDifference("spec.http[0].route[0].weight", FieldChange.Changed, "20", "50"),
                new FieldDifference("spec.http[0].route[1].weight", FieldChange.Changed, "80", "50"),
                new FieldDifference("spec.tls", FieldChange.Added, null, "{mode: SIMPLE}"),
                new FieldDifference("spec.gone", FieldChange.Removed, "x", null),
            ],
            fields);
        Assert.Empty(ResourceDiff.Fields(applied, applied));
    }

    [Fact]
    public void Secret_values_are_compared_but_never_shown()
    {
        var hidden = ResourceDiff.SecretValues("Secret");
        var fields = ResourceDiff.Fields(Map(("data", Map(("token", "b2xk")))), Map(("data", Map(("token", "bmV3"), ("extra", "eA==")))), hidden);
        Assert.Equal(2, fields.Count);
        foreach (var value in new[] { "b2xk", "bmV3", "eA==" })
        {
            Assert.All(fields, f => Assert.DoesNotContain(value, f.ToString(), StringComparison.Ordinal));
        }

        Assert.Equal(new FieldDifference("data.token", FieldChange.Changed, "(hidden)", "(hidden)"), fields[0]);
        Assert.False(ResourceDiff.SecretValues("ConfigMap")("data.token"));
    }

    [Fact]
    public void Bookkeeping_and_status_are_left_out()
    {
        var tree = Map(("metadata", Map(("name", "ui"), ("resourceVersion", "7"), ("uid", "u"), ("generation", 2L), ("creationTimestamp", "t"), ("managedFields", new List<object?>()))), ("status", Map(("replicas", 1L))));
        var comparable = ResourceDiff.Comparable(tree);
        Assert.Equal(["metadata"], comparable.Keys);
        Assert.Equal(["name"], ((IDictionary<string, object?>)comparable["metadata"]!).Keys);
        Assert.True(tree.ContainsKey("status"), "the input is not changed");
    }

    [Fact]
    public void Unified_diffs_read_as_diff_u_writes_them()
    {
        string[] before = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
        string[] after = ["a", "B", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
        // GNU diff 3's output for these lines (diff -u), headers aside.
        Assert.Equal(["@@ -1,5 +1,5 @@", " a", "-b", "+B", " c", " d", " e", "@@ -9,3 +9,4 @@", " i", " j", " k", "+l"], ResourceDiff.Unified(before, after, "x", "y").Skip(2));
        Assert.Equal(["--- LIVE", "+++ APPLIED", "@@ -0,0 +1,2 @@", "+a", "+b"], ResourceDiff.Unified([], ["a", "b"], "LIVE", "APPLIED"));
        Assert.Equal("@@ -1,2 +0,0 @@", ResourceDiff.Unified(["a", "b"], [], "x", "y")[2]);
        Assert.Empty(ResourceDiff.Unified(before, before, "x", "y"));

        // Hunks join when at most 2 × 3 unchanged lines lie between two changes, as in diff -u.
        string[] nine = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
        Assert.Single(ResourceDiff.Unified(nine, ["1", "X", "3", "4", "5", "6", "7", "8", "Y"], "x", "y"), l => l.StartsWith('@'));
        Assert.Equal(2, ResourceDiff.Unified([.. nine, "10"], ["1", "X", "3", "4", "5", "6", "7", "8", "9", "Y"], "x", "y").Count(l => l.StartsWith('@')));
    }

    [Fact]
    public void Unified_diffs_rebuild_the_new_text_and_are_as_small_as_diff_minimal()
    {
        var random = new Random(20261202);
        var gnuDiff = File.Exists("/usr/bin/diff");
        for (var run = 0; run < 300; run++)
        {
            var before = Enumerable.Range(0, random.Next(0, 30)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToList();
            var after = before.ToList();
            for (var edit = random.Next(0, 6); edit > 0; edit--)
            {
                var at = random.Next(0, after.Count + 1);
                switch (random.Next(3))
                {
                    case 0: after.Insert(at, ((char)('a' + random.Next(4))).ToString()); break;
                    case 1 when at < after.Count: after.RemoveAt(at); break;
                    default: if (at < after.Count) { after[at] = "x"; } break;
                }
            }

            var diff = ResourceDiff.Unified(before, after, "a", "b");
            Assert.Equal(after, Patch(before, diff));
            if (gnuDiff && run % 10 == 0)
            {
                var gnu = Gnu(before, after);
                var ours = diff.Skip(2).ToList();
                Assert.Equal(gnu.Count(l => l.StartsWith('+')), ours.Count(l => l.StartsWith('+')));
                Assert.Equal(gnu.Count(l => l.StartsWith('-')), ours.Count(l => l.StartsWith('-')));
            }
        }
    }

    // Applies a unified diff, checking every context and removed line against the old text.
    private static List<string> Patch(List<string> before, IReadOnlyList<string> diff)
    {
        var result = new List<string>();
        var at = 0;
        foreach (var line in diff.Skip(2))
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                var range = line.Split(' ')[1][1..].Split(',');
                var start = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
                var count = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
                var index = count == 0 ? start : start - 1;
                result.AddRange(before.Skip(at).Take(index - at));
                at = index;
                continue;
            }

            switch (line[0])
            {
                case ' ': Assert.Equal(before[at], line[1..]); result.Add(line[1..]); at++; break;
                case '-': Assert.Equal(before[at], line[1..]); at++; break;
                default: result.Add(line[1..]); break;
            }
        }

        result.AddRange(before.Skip(at));
        return result;
    }

    private static List<string> Gnu(List<string> before, List<string> after)
    {
        var a = Path.GetTempFileName();
        var b = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(a, before);
            File.WriteAllLines(b, after);
            using var diff = Process.Start(new ProcessStartInfo("/usr/bin/diff", ["-u", "--minimal", a, b]) { RedirectStandardOutput = true })!;
            var text = diff.StandardOutput.ReadToEnd();
            diff.WaitForExit();
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }
}
