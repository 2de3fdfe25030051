using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// IST0130/IST0131 as Istio 1.17's VirtualService validation reports them (analyzeUnreachable{HTTP,TCP,TLS}Rules): a
// rule after a match-less rule, matches identical to an earlier rule's, and a URI prefix match covered by an earlier one.
public static partial class MeshAnalyzer
{
    private static void UnreachableRules(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var vs in model.VirtualServices)
        {
            void Unused(string rule, string reason) =>
                messages.Add(new("IST0130", "VirtualServiceUnreachableRule", AnalysisLevel.Warning, Ref(vs), $"VirtualService rule {rule} not used ({reason})."));
            void Ineffective(string rule, string match, string duplicate) =>
                messages.Add(new("IST0131", "VirtualServiceIneffectiveMatch", AnalysisLevel.Info, Ref(vs), $"VirtualService rule {rule} match {match} is not used (duplicate/overlapping match in rule {duplicate})."));

            var http = vs.Spec.Http ?? [];
            var prefixes = Duplicates(http.Select((r, i) => (Name: RuleName(r.Name, i), Matches: (IReadOnlyList<ApiObject>?)r.Match)).ToList(), Unused, Ineffective,
                (match, i) => match is HttpMatchRequest { Name: { Length: > 0 } name } ? Quote(name) : $"#{i}");
            for (var a = 0; a < prefixes.Count; a++)
            {
                for (var b = a + 1; b < prefixes.Count; b++)
                {
                    if (prefixes[b].Prefix != prefixes[a].Prefix && Covers(prefixes[a], prefixes[b]))
                    {
                        Ineffective(prefixes[b].Rule, $"{prefixes[b].Match} of prefix {prefixes[b].Prefix}", $"{prefixes[a].Match} of prefix {prefixes[a].Prefix} on {prefixes[a].Rule}");
                    }
                }
            }

            Duplicates((vs.Spec.Tcp ?? []).Select((r, i) => ($"#{i}", (IReadOnlyList<ApiObject>?)r.Match)).ToList(), Unused, Ineffective, (_, i) => $"#{i}");
            Duplicates((vs.Spec.Tls ?? []).Select((r, i) => ($"#{i}", (IReadOnlyList<ApiObject>?)r.Match)).ToList(), Unused, Ineffective, (_, i) => $"#{i}");
        }
    }

    private static string RuleName(string? name, int index) => string.IsNullOrEmpty(name) ? $"#{index}" : Quote(name);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private sealed record PrefixMatch(string Rule, string Match, string Prefix, int? Port, string Method, string Authority,
        Dictionary<string, string> Headers, Dictionary<string, string> QueryParams, Dictionary<string, string> WithoutHeaders);

    /// <summary>Reports rules after a match-less rule and matches seen before; returns the HTTP URI-prefix matches for the overlap check.</summary>
    private static List<PrefixMatch> Duplicates(List<(string Name, IReadOnlyList<ApiObject>? Matches)> rules, Action<string, string> unused,
        Action<string, string, string> ineffective, Func<ApiObject, int, string> matchName)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var emptySeen = false;
        var prefixes = new List<PrefixMatch>();
        // A match can only repeat an earlier one when there are two: one alone needs no canonical key.
        var compare = rules.Sum(r => r.Matches?.Count ?? 0) > 1;
        for (var rule = 0; rule < rules.Count; rule++)
        {
            var matches = rules[rule].Matches ?? [];
            if (matches.Count == 0)
            {
                if (emptySeen)
                {
                    unused(rules[rule].Name, "only the last rule can have no matches");
                }

                emptySeen = true;
                continue;
            }

            var duplicates = 0;
            for (var m = 0; m < matches.Count; m++)
            {
                if (compare)
                {
                    var tree = ApiObjectMapper.ToTree(matches[m]);
                    if (matches[m] is HttpMatchRequest)
                    {
                        tree.Remove("name");
                    }

                    var key = ApiObjectMapper.CanonicalKey(tree);
                    if (seen.TryGetValue(key, out var earlier))
                    {
                        ineffective(rules[rule].Name, matchName(matches[m], m), rules[earlier].Name);
                        duplicates++;
                        continue;
                    }

                    seen[key] = rule;
                }

                if (matches[m] is HttpMatchRequest { Uri.Prefix: { Length: > 0 } prefix } http)
                {
                    prefixes.Add(new PrefixMatch(rules[rule].Name, matchName(http, m), prefix, http.Port,
                        ExactOrPrefix(http.Method) is { Length: > 0 } method ? method : "exact:GET", ExactOrPrefix(http.Authority),
                        (http.Headers ?? []).ToDictionary(h => h.Key, h => ExactOrPrefix(h.Value), StringComparer.Ordinal),
                        (http.QueryParams ?? []).ToDictionary(h => h.Key, h => ExactOrPrefix(h.Value), StringComparer.Ordinal),
                        WithoutHeaders(http)));
                }
            }

            if (duplicates == matches.Count)
            {
                unused(rules[rule].Name, "all matches used by prior rules");
            }
        }

        return prefixes;
    }

    private static Dictionary<string, string> WithoutHeaders(HttpMatchRequest match)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (match.AdditionalFields.TryGetValue("withoutHeaders", out var without) && without is IDictionary<string, object?> map)
        {
            foreach (var (key, value) in map)
            {
                var exact = Tree.Str(Tree.Path(value, "exact"));
                var prefix = Tree.Str(Tree.Path(value, "prefix"));
                result[key] = !string.IsNullOrEmpty(exact) ? "exact:" + exact : !string.IsNullOrEmpty(prefix) ? "prefix:" + prefix : string.Empty;
            }
        }

        return result;
    }

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
