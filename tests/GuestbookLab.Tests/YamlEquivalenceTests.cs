using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using GuestbookLab.Engine;
using GuestbookLab.Model;
using Xunit.Abstractions;

namespace GuestbookLab.Tests;

/// <summary>
/// The YAML fast path (BlockYaml: a reader and a writer of our own for the block-style subset manifests use) against
/// YamlDotNet, the reference: over every YAML file in tests/data and the fuzz tests' corpus and mutations, whatever the
/// fast reader reads, YamlDotNet reads as the same trees (same keys, values and value types), and whatever the fast
/// writer writes is the text YamlDotNet's emitter writes. What the fast path declines, YamlDotNet handles (its own
/// tests: YamlCodecTests, ManifestFuzzTests, HostileInputTests).
/// </summary>
public class YamlEquivalenceTests(ITestOutputHelper output)
{
    private static readonly ManifestLimits Limits = ManifestLimits.Default;

    private static IEnumerable<string> DataFiles() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    // Returns whether the fast reader read the text (and then it matched YamlDotNet).
    private static bool ReadsTheSame(string text)
    {
        var fast = BlockYaml.TryParse(text, Limits);
        if (fast is null)
        {
            return false;
        }

        (IReadOnlyList<Dictionary<string, object?>> Trees, IReadOnlyList<int> Lines) reference;
        try
        {
            reference = YamlCodec.ParseWithYamlDotNet(text, null, Limits);
        }
        catch (ManifestFormatException ex)
        {
            throw new Xunit.Sdk.XunitException($"the fast reader read what YamlDotNet refuses ({ex.Message}):\n{text}");
        }

        var (trees, lines) = fast.Value;
        Assert.Equal(reference.Trees.Count, trees.Count);
        for (var i = 0; i < trees.Count; i++)
        {
            AssertSame(reference.Trees[i], trees[i], $"document {i + 1} of:\n{text}\n");
        }

        // The line each document's root starts on (LabResource.Source, where findings are placed).
        Assert.True(reference.Lines.SequenceEqual(lines), $"document lines {string.Join(",", reference.Lines)} vs {string.Join(",", lines)} of:\n{text}");

        return true;
    }

    // Returns whether the fast writer wrote the document (and then as YamlDotNet does).
    private static bool WritesTheSame(IDictionary<string, object?> document)
    {
        var fast = new StringBuilder();
        if (!BlockYaml.TryEmit(document, fast))
        {
            return false;
        }

        Assert.Equal(YamlCodec.EmitWithYamlDotNet(document), fast.ToString());
        return true;
    }

    private static void AssertSame(object? expected, object? actual, string where)
    {
        switch (expected)
        {
            case Dictionary<string, object?> map:
                var other = Assert.IsType<Dictionary<string, object?>>(actual);
                Assert.True(map.Keys.Order(StringComparer.Ordinal).SequenceEqual(other.Keys.Order(StringComparer.Ordinal)), $"{where}keys {string.Join(",", map.Keys)} vs {string.Join(",", other.Keys)}");
                foreach (var (key, value) in map)
                {
                    AssertSame(value, other[key], $"{where}.{key}");
                }

                break;
            case List<object?> list:
                var otherList = Assert.IsType<List<object?>>(actual);
                Assert.True(list.Count == otherList.Count, $"{where}: {list.Count} items vs {otherList.Count}");
                for (var i = 0; i < list.Count; i++)
                {
                    AssertSame(list[i], otherList[i], $"{where}[{i}]");
                }

                break;
            case null:
                Assert.True(actual is null, $"{where}: null vs {actual}");
                break;
            default:
                Assert.True(expected.GetType() == actual?.GetType() && expected.Equals(actual), $"{where}: {expected} ({expected.GetType().Name}) vs {actual} ({actual?.GetType().Name})");
                break;
        }
    }

    [Fact]
    public void Every_data_file_reads_and_writes_as_with_YamlDotNet()
    {
        var files = DataFiles().ToList();
        Assert.NotEmpty(files);
        int read = 0, written = 0, documents = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            if (ReadsTheSame(text))
            {
                read++;
            }

            IReadOnlyList<Dictionary<string, object?>> trees;
            try
            {
                trees = YamlCodec.ParseWithYamlDotNet(text, file, Limits).Trees;
            }
            catch (ManifestFormatException)
            {
                continue;
            }

            foreach (var tree in trees)
            {
                documents++;
                written += WritesTheSame(tree) ? 1 : 0;
                IReadOnlyList<LabResource> typed;
                try
                {
                    typed = ManifestSerializer.Deserialize(text, file);
                }
                catch (ManifestFormatException)
                {
                    continue;
                }

                foreach (var resource in typed)
                {
                    WritesTheSame(SecretValue.TreeOf(resource, reveal: true));
                }
            }
        }

        output.WriteLine($"{files.Count} files: {read} read by the fast reader; {written} of {documents} documents written by the fast writer");
        Assert.True(read > files.Count / 2, $"the fast reader read only {read} of {files.Count} files");
        Assert.True(written > documents / 2, $"the fast writer wrote only {written} of {documents} documents");
    }

    [Fact]
    public void The_fuzz_corpus_and_its_mutations_read_and_write_as_with_YamlDotNet()
    {
        int read = 0, written = 0;
        for (var i = 0; i < 12_000; i++)
        {
            var input = ManifestFuzzTests.Inputs.Generate(new PCG((uint)i, 20_261_203), null!, out _);
            var text = ManifestFuzzTests.TextOf(input);
            try
            {
                read += ReadsTheSame(text) ? 1 : 0;
                foreach (var tree in YamlCodec.ParseWithYamlDotNet(text, null, Limits).Trees)
                {
                    written += WritesTheSame(tree) ? 1 : 0;
                }
            }
            catch (ManifestFormatException)
            {
                // Refused by YamlDotNet (and declined by the fast reader, or ReadsTheSame would have failed).
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"PCG stream {i}: {ex}\n{text}");
            }
        }

        output.WriteLine($"12,000 mutated documents: {read} read by the fast reader, {written} documents written by the fast writer");
        Assert.True(read > 1000);
        Assert.True(written > 1000);
    }

    private static readonly string[] Specials = ["-", "- x", "---", "...", "::/0", "a: b", "a:b", "#x", "a #b", "a#b", " x", "x ", "'", "\"", "''", "-1", "-.5", "?x", ":x", "x:", "@x", "%x", "1e3", "yes", "null", "~", "0x1F", "2026-12-02", "12:30", "[x]", "{a}", "a,b", "\\"];

    private static readonly Gen<string> AsciiText = Gen.String[Gen.Char[' ', '~'], 0, 12];

    private static readonly Gen<string> Line = Gen.OneOf(
        AsciiText,
        Gen.Int[0, Specials.Length - 1].Select(i => Specials[i]));

    [Fact]
    public void Strings_are_written_as_YamlDotNet_writes_them_and_read_back_the_same()
    {
        // Single-line and multi-line strings as values, keys and items: written the same, and what is written reads
        // back the same with both readers.
        var texts = Gen.OneOf(Line, Gen.Select(Line.Array[1, 4], Gen.Bool, (lines, end) => string.Join("\n", lines) + (end ? "\n" : string.Empty)));
        texts.Sample(text =>
        {
            var document = new Dictionary<string, object?>
            {
                ["key"] = text,
                ["items"] = new List<object?> { text, new Dictionary<string, object?> { ["a"] = text, ["b"] = new List<object?> { text } } },
                ["nested"] = new Dictionary<string, object?> { ["deeper"] = new Dictionary<string, object?> { ["value"] = text } },
            };
            if (text.Length > 0 && !text.Contains('\n', StringComparison.Ordinal))
            {
                document[text] = "k";
            }

            WritesTheSame(document);
            ReadsTheSame(YamlCodec.EmitWithYamlDotNet(document));
        }, iter: 20_000, seed: "0N0XIULBb7i2");
    }

    private static readonly string[] FlowPieces = ["[", "]", "{", "}", ", ", ",", ": ", ":", " ", "a", "b c", "'q'", "'it''s'", "\"d\\\"\"", "\"", "'", "-1", "- ", "-x", "#", " #c", "1.5", "~", "yes", "*x", "&x", "!t", "?", "\n  ", "\n", "*", "|", ">", "%", "@", "`", "<<", ".inf", "1_0", "0x1F", "null", "a:b"];

    [Fact]
    public void Flow_collections_and_keys_read_as_with_YamlDotNet_or_are_left_to_it()
    {
        // Random lines of flow indicators, scalars and keys after "key: " and "- ": whatever the fast reader reads,
        // YamlDotNet reads the same (or ReadsTheSame fails); what it declines is YamlDotNet's.
        var line = Gen.Int[0, FlowPieces.Length - 1].Array[1, 12].Select(p => string.Concat(p.Select(i => FlowPieces[i])));
        var read = 0;
        Gen.Select(line, line, Gen.Int[0, 3]).Sample((key, value, form) =>
        {
            var text = form switch
            {
                0 => $"k: {value}\n",
                1 => $"k:\n- {value}\n",
                2 => $"{key}: {value}\nz: 1\n",
                _ => $"k:\n  {value}\n",
            };
            try
            {
                read += ReadsTheSame(text) ? 1 : 0;
            }
            catch (ManifestFormatException)
            {
            }
        }, iter: 50_000, seed: "0N0XIULBb7i2");
        output.WriteLine($"{read} of 50,000 read by the fast reader");
        Assert.True(read > 1000, $"the fast reader read only {read}");
    }

    [Fact]
    public void The_lab_manifests_in_tests_data_are_read_by_the_fast_reader()
    {
        // The codelab's manifests (as the lab writes them and as hand-written in tests/data/codelab) are in the subset
        // the fast reader reads, so the YAML figure measures it; what they hold is YamlDotNet's (ReadsTheSame).
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data", "codelab"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var texts = files.Select(File.ReadAllText).ToList();
        var all = texts.SelectMany(t => ManifestSerializer.Deserialize(t)).ToList();
        texts.Add(ManifestSerializer.Serialize(all, includeSecrets: true));
        texts.Add(ManifestSerializer.Serialize(all));
        var declined = files.Append("the codelab written back").Append("the codelab written back, secrets redacted").Where((_, i) => !ReadsTheSame(texts[i])).ToList();
        Assert.True(declined.Count == 0, $"the fast reader declines {string.Join(", ", declined)}");
    }

    [Fact]
    public void Document_lines_are_YamlDotNets_after_comments_blank_lines_and_separators()
    {
        // Each document's line is its root mapping's first key, as YamlDotNet marks it; the fast reader must read this.
        const string text = "# head\n\n---\n\n# c\nkind: A\nspec:\n  x: |\n    a\n\n    b\n---\nkind: B\n\n\n---   \n---\n\n\nkind: C # c\n";
        Assert.True(ReadsTheSame(text));
        Assert.Equal([6, 13, 20], BlockYaml.TryParse(text, Limits)!.Value.Lines);
    }

    [Theory]
    [InlineData("a: |\n  x\n\n  y\nb: >\n  one\n  two\n\n  three\nc: >-\n  z\n  w\n")]
    [InlineData("---\n# c\na: 'it''s' # note\nb: \"q\\\"\\\\\\n\\x41\\u00e9\"\nc: [] \nd: {}\n---\n---\ne:\n- 1\n- -2\n- 0o17\n- 1_000\n- .5\n- .Inf\n- ::/0\n")]
    [InlineData("a:\n  - x: 1\n    y:\n    - z\n  -\n    w: 2\n  - \nb: ~\n")]
    [InlineData("a: b\n  c\n")]
    [InlineData("a: b\n- c\n")]
    [InlineData("a:\n  b: 1\n c: 2\n")]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("a: |\n   x\n  y\n")]
    [InlineData("a: |\n  x")]
    [InlineData("a: [\"GET\", 'POST', x y, -1, 0x1F, ~, yes]\nb: {k: v, 'q': \"w\", n: [1, {m: []}], e: {}}\n")]
    [InlineData("a: [x,y]\nb: [x, ]\nc: {a:b}\nd: {a: }\ne: [a: b]\nf: [http://x]\n")]
    [InlineData("a: [x, y\n  , z]\n")]
    [InlineData("a: {k: 1, k: 2}\n")]
    [InlineData("a: [x] y\nb: [x] # c\n")]
    [InlineData("spec:\n  {}\nb:\n  'q'\nc:\n  plain\nd:\n  [1, 2]\n")]
    [InlineData("spec:\n  plain\n  more\n")]
    [InlineData("spec:\n  |\n  x\n")]
    [InlineData(".dockerconfigjson: x\n\"80\": y\n'a b': z\na b: w\n-x: 1\n<<: m\nkey:with: colon\n")]
    [InlineData("a : b\n")]
    [InlineData("a[0]: b\n")]
    [InlineData("\"a\"b: c\n")]
    [InlineData("- a: b\n")]
    [InlineData("a:\n- \"k\": v\n  'j': [w]\n")]
    [InlineData("k:  |\n  \n   \"d\\\"\"\n")]
    [InlineData("k: |\n  \n    x\n")]
    [InlineData("k: |\n \n  x\n")]
    [InlineData("k: |\n\n  \n  x\n")]
    [InlineData("k: >\n  \n    x\n")]
    public void Hand_written_cases_read_the_same_or_are_left_to_YamlDotNet(string text)
    {
        try
        {
            ReadsTheSame(text);
        }
        catch (ManifestFormatException)
        {
        }
    }
}
