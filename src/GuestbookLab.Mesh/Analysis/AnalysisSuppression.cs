using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>
/// istioctl analyze's --suppress: <c>CODE=Kind name</c>, the resource as <c>Kind namespace/name</c> (how findings name it)
/// or <c>Kind name.namespace</c> (istioctl's help), with * matching any characters in the code and the resource.
/// </summary>
public sealed class AnalysisSuppression
{
    private readonly Regex code;
    private readonly Regex resource;

    private AnalysisSuppression(string text, string code, string resource)
    {
        Text = text;
        this.code = Glob(code);
        this.resource = Glob(resource);
    }

    public string Text { get; }

    /// <summary>Istio's analyzer codes (IST0001-IST0157) and GuestbookLab's (GBL0001-GBL0009), to warn of a code that suppresses nothing.</summary>
    public static bool IsKnownCode(string code) =>
        code.Contains('*', StringComparison.Ordinal) || Regex.IsMatch(code, "^(IST0(0(0[12])|1([0-4][0-9]|5[0-7]))|GBL000[1-9])$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Reads <c>CODE=Kind name</c>; throws <see cref="FormatException"/> when it has no single '=' or an empty side.</summary>
    public static AnalysisSuppression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('=');
        if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
        {
            throw new FormatException($"'{text}' is not a valid suppression: write CODE=Kind name, e.g. 'IST0102=Namespace default' or 'IST0103=Pod *.testing'.");
        }

        return new AnalysisSuppression(text, parts[0].Trim(), parts[1].Trim());
    }

    public string Code => Text.Split('=')[0].Trim();

    /// <summary>Whether the finding is suppressed: its code matches, and its resource in either spelling does.</summary>
    public bool Matches(AnalysisMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!code.IsMatch(message.Code))
        {
            return false;
        }

        var space = message.Resource.IndexOf(' ', StringComparison.Ordinal);
        var dotted = message.Resource;
        if (space > 0 && message.Resource.IndexOf('/', space) is var slash and > 0)
        {
            dotted = $"{message.Resource[..space]} {message.Resource[(slash + 1)..]}.{message.Resource[(space + 1)..slash]}";
        }

        return resource.IsMatch(message.Resource) || resource.IsMatch(dotted);
    }

    /// <summary>The findings none of <paramref name="suppressions"/> matches.</summary>
    public static IReadOnlyList<AnalysisMessage> Filter(IEnumerable<AnalysisMessage> messages, IReadOnlyCollection<AnalysisSuppression> suppressions) =>
        messages.Where(m => !suppressions.Any(s => s.Matches(m))).ToList();

    private static Regex Glob(string pattern) =>
        new("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public override string ToString() => Text;
}
