using System;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

public class MeshDurationTests
{
    [Theory]
    [InlineData("2s", 2_000_000_000L)]
    [InlineData("500ms", 500_000_000L)]
    [InlineData("5m", 300_000_000_000L)]
    [InlineData("1h30m", 5_400_000_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData("250us", 250_000L)]
    [InlineData("0", 0L)]
    public void Go_durations_parse(string text, long nanoseconds)
    {
        var d = MeshDuration.Parse(text);
        Assert.True(d.IsValid, d.Error);
        Assert.Equal(nanoseconds, d.Nanoseconds);
        Assert.Equal(text, d.Text);
    }

    [Theory]
    [InlineData("5", "no unit")]
    [InlineData("5 days", "unknown unit")]
    [InlineData("", "empty")]
    [InlineData("s", "not a duration")]
    public void Bad_durations_say_why(string text, string why)
    {
        var d = MeshDuration.Parse(text);
        Assert.False(d.IsValid);
        Assert.Contains(why, d.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, 2, 0, "2s")]
    [InlineData(0, 5, 0, 0, "5m")]
    [InlineData(0, 15, 0, 0, "15m")]
    [InlineData(1, 0, 0, 0, "1h")]
    [InlineData(0, 0, 0, 500, "500ms")]
    [InlineData(0, 0, 1, 500, "1500ms")]
    public void TimeSpans_are_written_as_istio_writes_them(int h, int m, int s, int ms, string expected) =>
        Assert.Equal(expected, MeshDuration.FromTimeSpan(new TimeSpan(0, h, m, s, ms)).Text);

    [Fact]
    public void TimeSpan_text_is_accepted() => Assert.Equal("2s", MeshDuration.Parse("00:00:02").Text);
}

public class Re2SyntaxTests
{
    [Theory]
    [InlineData(".*Chrome.*")]
    [InlineData("^/api/v[0-9]+/.*$")]
    [InlineData("(?i)chrome")]
    [InlineData("a{2,3}")]
    [InlineData("\\d+\\.\\d+")]
    public void Re2_patterns_pass(string pattern) => Assert.Null(Re2Syntax.Check(pattern));

    [Theory]
    [InlineData("(?=a)")]
    [InlineData("(?!a)")]
    [InlineData("(?<=a)b")]
    [InlineData("(?<!a)b")]
    [InlineData("(a)\\1")]
    [InlineData("(?>a)")]
    [InlineData("a++")]
    [InlineData("a\\Z")]
    [InlineData("(")]
    public void Constructs_re2_lacks_fail(string pattern) => Assert.NotNull(Re2Syntax.Check(pattern));

    [Fact]
    public void Escaped_parentheses_are_not_lookarounds() => Assert.Null(Re2Syntax.Check("\\(\\?=literal\\)"));

    [Fact]
    public void Long_patterns_fail() => Assert.NotNull(Re2Syntax.Check(new string('a', 1025)));
}

public class RulePrimitiveTests
{
    [Theory]
    [InlineData("*.ubuntu.com", true)]
    [InlineData("*", true)]
    [InlineData("*foo.com", true)]
    [InlineData("message-service", true)]
    [InlineData("a.b.c.", true)]
    [InlineData("foo.*.com", false)]
    [InlineData("-a.com", false)]
    [InlineData("a..com", false)]
    public void Wildcard_domains(string host, bool valid) => Assert.Equal(valid, Rules.WildcardDomainProblem(host) is null);

    [Theory]
    [InlineData("HTTP", true)]
    [InlineData("grpc-web", true)]
    [InlineData("HTTPX", false)]
    public void Protocols(string protocol, bool valid)
    {
        var result = new ValidationResult();
        Assert.Equal(valid, Rules.Protocol(result, "-Protocol", protocol));
        if (!valid)
        {
            Assert.Equal("-Protocol", Assert.Single(result.Errors).Field);
        }
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(0.0001, true)]
    [InlineData(100.0, true)]
    [InlineData(0.00005, false)]
    [InlineData(-0.1, false)]
    public void Percentages(double value, bool valid) => Assert.Equal(valid, Rules.Percentage(new ValidationResult(), "-Percent", value));
}

public class TreeTests
{
    [Fact]
    public void A_scalar_reads_as_text_as_yaml_spells_it()
    {
        Assert.Equal(["true", "false", "8080", "1.5", "x"], new object[] { true, false, 8080L, 1.5d, "x" }.Select(Tree.Str));
        Assert.Null(Tree.Str(null));
        Assert.Null(Tree.Str(new System.Collections.Generic.Dictionary<string, object?>()));
    }
}
