using System.Collections.Generic;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

public class YamlCodecTests
{
    [Theory]
    [InlineData("1.0", 1.0)]
    [InlineData("100", 100L)]
    [InlineData("-7", -7L)]
    [InlineData("0x1F", 31L)]
    [InlineData("true", true)]
    [InlineData("yes", true)]
    [InlineData("off", false)]
    [InlineData("hello", "hello")]
    [InlineData("5m", "5m")]
    [InlineData("*.ubuntu.com", "*.ubuntu.com")]
    public void Plain_scalars_resolve_as_kubectl_reads_them(string text, object expected)
    {
        var doc = YamlCodec.Parse($"value: {(text.StartsWith('*') ? $"'{text}'" : text)}")[0];
        Assert.Equal(expected, doc["value"]);
    }

    [Fact]
    public void Null_forms_resolve_to_null()
    {
        var doc = YamlCodec.Parse("a: ~\nb: null\nc:\n")[0];
        Assert.Null(doc["a"]);
        Assert.Null(doc["b"]);
        Assert.Null(doc["c"]);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("2")]
    [InlineData("yes")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("0x10")]
    [InlineData("1e3")]
    public void Strings_that_would_read_as_other_types_are_quoted(string value)
    {
        var yaml = YamlCodec.Emit([new Dictionary<string, object?> { ["v"] = value }]);
        Assert.Equal($"v: \"{value}\"\n", yaml);
        Assert.Equal(value, YamlCodec.Parse(yaml)[0]["v"]);
    }

    [Fact]
    public void Keys_are_written_in_kubectl_order_and_sequences_are_not_indented()
    {
        var tree = new Dictionary<string, object?>
        {
            ["spec"] = new Dictionary<string, object?> { ["hosts"] = new List<object?> { "*" }, ["empty"] = new Dictionary<string, object?>() },
            ["metadata"] = new Dictionary<string, object?> { ["name"] = "x" },
            ["kind"] = "Gateway",
            ["apiVersion"] = "networking.istio.io/v1beta1",
        };

        var yaml = YamlCodec.Emit([tree]);

        Assert.Equal("apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: x\nspec:\n  empty: {}\n  hosts:\n  - '*'\n", yaml);
    }

    [Fact]
    public void Documents_are_separated_and_empty_documents_are_skipped()
    {
        var docs = YamlCodec.Parse("---\na: 1\n---\n---\nb: 2\n...\n");
        Assert.Equal(2, docs.Count);
        var yaml = YamlCodec.Emit(docs);
        Assert.Equal("a: 1\n---\nb: 2\n", yaml);
    }

    [Fact]
    public void Multi_line_strings_round_trip()
    {
        var jwks = "{\n  \"keys\": []\n}\n";
        var yaml = YamlCodec.Emit([new Dictionary<string, object?> { ["jwks"] = jwks }]);
        Assert.Contains("jwks: |", yaml, System.StringComparison.Ordinal);
        Assert.Equal(jwks, YamlCodec.Parse(yaml)[0]["jwks"]);
    }

    [Fact]
    public void Bad_yaml_is_a_format_error_with_its_position()
    {
        var ex = Assert.Throws<ManifestFormatException>(() => YamlCodec.Parse("a: [1, 2\nb: 3", "lab.yaml"));
        Assert.Contains("lab.yaml", ex.Message, System.StringComparison.Ordinal);
        var ex2 = Assert.Throws<ManifestFormatException>(() => YamlCodec.Parse("a: b: c\n", "lab.yaml"));
        Assert.Contains("lab.yaml line 1", ex2.Message, System.StringComparison.Ordinal);
        Assert.True(ex2.Line > 0);
    }

    [Fact]
    public void A_document_must_be_a_mapping()
    {
        var ex = Assert.Throws<ManifestFormatException>(() => YamlCodec.Parse("- a\n- b\n"));
        Assert.Contains("must be a mapping", ex.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        var ex = Assert.Throws<ManifestFormatException>(() => YamlCodec.Parse("a: 1\na: 2\n"));
        Assert.Contains("line 2, column 1: the key 'a' appears twice", ex.Message, System.StringComparison.Ordinal);
        Assert.Equal(("a", 2L, 1L), (ex.Field, ex.Line, ex.Column));
    }

    [Fact]
    public void Doubles_are_written_without_losing_precision()
    {
        var yaml = YamlCodec.Emit([new Dictionary<string, object?> { ["a"] = 100.0, ["b"] = 0.0001, ["c"] = 12.5 }]);
        Assert.Equal("a: 100\nb: 0.0001\nc: 12.5\n", yaml);
        var back = YamlCodec.Parse(yaml)[0];
        Assert.Equal(100L, back["a"]);
        Assert.Equal(0.0001, back["b"]);
    }
}
