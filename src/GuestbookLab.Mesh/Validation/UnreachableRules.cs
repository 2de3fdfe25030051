using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>Whether a VirtualService rule is never used, or only one of its matches is not.</summary>
public enum UnreachableKind
{
    /// <summary>The rule is never used (Istio's VirtualServiceUnreachableRule, IST0130).</summary>
    Unused,

    /// <summary>One match of the rule is never used (Istio's VirtualServiceIneffectiveMatch, IST0131).</summary>
    Ineffective,
}

/// <summary>
/// A rule, or a rule's match, that Istio's validation reports as not used: <see cref="Rule"/> as Istio names it (#2, or
/// its quoted name), <see cref="Detail"/> the reason (Unused) or the match's name (Ineffective), <see cref="Duplicate"/>
/// the earlier rule that takes its requests (Ineffective).
/// </summary>
public sealed record UnreachableRule(UnreachableKind Kind, string Field, string Rule, string Detail, string? Duplicate)
{
    /// <summary>Istio 1.17's validation warning for it, word for word.</summary>
    public string Message => Kind == UnreachableKind.Unused
        ? $"virtualService rule {Rule} not used ({Detail})"
        : $"virtualService rule {Rule} match {Detail} is not used (duplicate/overlapping match in rule {Duplicate})";
}

/// <summary>
/// Istio 1.17's analyzeUnreachable{HTTP,TCP,TLS}Rules (pkg/config/validation/validation.go), the one place both
/// Test-MeshResource's warnings and Test-MeshConfiguration's IST0130/IST0131 come from: a match-less rule after another
/// match-less rule, matches identical to an earlier rule's (the match's name aside), a rule all of whose matches are
/// such, and an HTTP URI-prefix match covered by an earlier one (coveredValidation).
/// </summary>
public static class UnreachableRules
{
    /// <summary>Every unused rule and ineffective match of a VirtualService: http rules, then tcp, then tls.</summary>
    public static IReadOnlyList<UnreachableRule> Find(VirtualServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var found = new List<UnreachableRule>();
        var http = spec.Http ?? [];
        static string MatchName(ApiObject match, int i) => match is HttpMatchRequest { Name: { Length: > 0 } name } ? Quote(name) : $"#{i}";
        var prefixMatches = Duplicates(found, "spec.http", http.Select(r => (r?.Name, (IReadOnlyList<ApiObject>?)r?.Match, r is not null)).ToList(), MatchName);

        // A prefix can only cover a later one when there are two.
        var prefixes = prefixMatches.Count < 2 ? [] : prefixMatches.Select(p => new PrefixMatch($"spec.http[{p.Rule}].match[{p.Index}]", RuleName(http[p.Rule]!.Name, p.Rule),
            MatchName(p.Match, p.Index), p.Match.Uri!.Prefix!, p.Match.Port, ExactOrPrefix(p.Match.Method) is { Length: > 0 } method ? method : "exact:GET",
            ExactOrPrefix(p.Match.Authority), Conditions(p.Match.Headers), Conditions(p.Match.QueryParams), Conditions(p.Match.WithoutHeaders))).ToList();
        for (var a = 0; a < prefixes.Count; a++)
        {
            for (var b = a + 1; b < prefixes.Count; b++)
            {
                if (prefixes[b].Prefix != prefixes[a].Prefix && Covers(prefixes[a], prefixes[b]))
                {
                    found.Add(new(UnreachableKind.Ineffective, prefixes[b].Field, prefixes[b].Rule, $"{prefixes[b].Match} of prefix {prefixes[b].Prefix}",
                        $"{prefixes[a].Match} of prefix {prefixes[a].Prefix} on {prefixes[a].Rule}"));
                }
            }
        }

        Duplicates(found, "spec.tcp", (spec.Tcp ?? []).Select(r => ((string?)null, (IReadOnlyList<ApiObject>?)r?.Match, r is not null)).ToList(), (_, i) => $"#{i}");
        Duplicates(found, "spec.tls", (spec.Tls ?? []).Select(r => ((string?)null, (IReadOnlyList<ApiObject>?)r?.Match, r is not null)).ToList(), (_, i) => $"#{i}");
        return found;
    }

    /// <summary>
    /// The first match-less HTTP rule when it is not the last: no request reaches the rules after it. Istio's validation
    /// reports such a rule only when a second match-less rule follows; GuestbookLab says it at once (GBL0009, and the
    /// building cmdlets' warning).
    /// </summary>
    public static int? CatchAllBeforeLast(VirtualServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var http = spec.Http ?? [];
        var catchAll = http.FindIndex(r => r is not null && r.Match is not { Count: > 0 });

        // Only when a rule with matches follows: a second match-less rule is Istio's own "only the last rule" warning.
        return catchAll >= 0 && http.Skip(catchAll + 1).Any(r => r?.Match is { Count: > 0 }) ? catchAll : null;
    }

    private static string RuleName(string? name, int index) => string.IsNullOrEmpty(name) ? $"#{index}" : Quote(name);

    // Go's %q.
    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private sealed record PrefixMatch(string Field, string Rule, string Match, string Prefix, int? Port, string Method, string Authority,
        Dictionary<string, string> Headers, Dictionary<string, string> QueryParams, Dictionary<string, string> WithoutHeaders);

    /// <summary>Reports rules after a match-less rule and matches seen before; returns the HTTP URI-prefix matches for the overlap check.</summary>
    // A rule's name in the findings (Go's %q of its name, or #index) is made only for a finding: most rules have none.
    private static List<(int Rule, int Index, HttpMatchRequest Match)> Duplicates(List<UnreachableRule> found, string field, List<(string? Name, IReadOnlyList<ApiObject>? Matches, bool Present)> rules, Func<ApiObject, int, string> matchName)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var emptySeen = false;
        var prefixes = new List<(int Rule, int Index, HttpMatchRequest Match)>();

        // A match can only repeat an earlier one when there are two: one alone needs no canonical key.
        var compare = rules.Sum(r => r.Matches?.Count ?? 0) > 1;
        for (var rule = 0; rule < rules.Count; rule++)
        {
            // A null rule (an object edited in PowerShell) is passed over, as Istio passes over a nil route.
            if (rules[rule].Present is false)
            {
                continue;
            }

            var matches = rules[rule].Matches ?? [];
            if (matches.Count == 0)
            {
                if (emptySeen)
                {
                    found.Add(new(UnreachableKind.Unused, $"{field}[{rule}]", RuleName(rules[rule].Name, rule), "only the last rule can have no matches", null));
                }

                emptySeen = true;
                continue;
            }

            var duplicates = 0;
            for (var m = 0; m < matches.Count; m++)
            {
                if (matches[m] is null)
                {
                    continue;
                }

                if (compare)
                {
                    var tree = ApiObjectMapper.ToTree(matches[m]);
                    if (matches[m] is HttpMatchRequest)
                    {
                        // The match's name does not change what it matches.
                        tree.Remove("name");
                    }

                    // As Go's JSON of the match (omitempty): 0, false, "" and empty collections are not written.
                    var key = ApiObjectMapper.CanonicalKey(WithoutDefaults(tree));
                    if (seen.TryGetValue(key, out var earlier))
                    {
                        found.Add(new(UnreachableKind.Ineffective, $"{field}[{rule}].match[{m}]", RuleName(rules[rule].Name, rule), matchName(matches[m], m), RuleName(rules[earlier].Name, earlier)));
                        duplicates++;
                        continue;
                    }

                    seen[key] = rule;
                }

                if (matches[m] is HttpMatchRequest { Uri.Prefix.Length: > 0 } http)
                {
                    prefixes.Add((rule, m, http));
                }
            }

            if (duplicates == matches.Count)
            {
                found.Add(new(UnreachableKind.Unused, $"{field}[{rule}]", RuleName(rules[rule].Name, rule), "all matches used by prior rules", null));
            }
        }

        return prefixes;
    }

    private static Dictionary<string, object?> WithoutDefaults(IDictionary<string, object?> tree)
    {
        var kept = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in tree)
        {
            var stripped = value is IDictionary<string, object?> map ? WithoutDefaults(map) : value;
            if (stripped is not (null or 0L or 0 or 0d or false or "") && stripped is not System.Collections.ICollection { Count: 0 })
            {
                kept[key] = stripped;
            }
        }

        return kept;
    }

    private static Dictionary<string, string> Conditions(Dictionary<string, StringMatch>? matches) =>
        (matches ?? []).ToDictionary(h => h.Key, h => ExactOrPrefix(h.Value), StringComparer.Ordinal);

    private static string ExactOrPrefix(StringMatch? match) =>
        !string.IsNullOrEmpty(match?.Exact) ? "exact:" + match.Exact : !string.IsNullOrEmpty(match?.Prefix) ? "prefix:" + match.Prefix : string.Empty;

    /// <summary>Whether the earlier prefix match <paramref name="a"/> covers the later <paramref name="b"/> (Istio's coveredValidation).</summary>
    private static bool Covers(PrefixMatch a, PrefixMatch b)
    {
        static bool Within(string x, string y) => x == y || x.StartsWith(y, StringComparison.Ordinal);
        static bool Maps(Dictionary<string, string> x, Dictionary<string, string> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && Within(kv.Value, v));
        return b.Prefix.StartsWith(a.Prefix, StringComparison.Ordinal) && a.Port == b.Port && Within(a.Method, b.Method) && Within(a.Authority, b.Authority)
            && Maps(a.Headers, b.Headers) && Maps(a.QueryParams, b.QueryParams) && Maps(a.WithoutHeaders, b.WithoutHeaders);
    }
}
