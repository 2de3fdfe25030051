using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>What an AuthorizationPolicy rule is matched against.</summary>
internal readonly record struct AuthorizationContext(
    bool IsHttp, string? PeerPrincipal, string? RequestPrincipal, JwtPrincipal? Token, string Method, string Path,
    string Host, int Port, IReadOnlyDictionary<string, string> Headers, string? SourceNamespace);

/// <summary>AuthorizationPolicy evaluation (authz/builder, SEMANTICS §2): CUSTOM, DENY, then ALLOW; AUDIT never decides.</summary>
internal static class Authorization
{
    private static readonly string[] HttpOnlyConditionPrefixes = ["request.headers", "request.auth."];

    // No ALLOW policy: allowed (records are immutable, so one serves every such decision).
    private static readonly AuthorizationDecision NoPolicy = new("Allowed", null, null, null);

    public static (AuthorizationDecision Decision, bool Allowed) Evaluate(MeshModel model, WorkloadInfo workload, in AuthorizationContext context)
    {
        var policies = model.PoliciesFor(workload);

        for (var i = 0; i < policies.Count; i++)
        {
            var custom = policies[i];
            if (custom.Spec.Action == "CUSTOM" && MatchIndex(custom, context, deny: false) is { } rule)
            {
                // GuestbookLab does not model mesh extension providers: like an unknown provider, it denies.
                return (model.RuleDecision(custom, rule, "CUSTOM", MakeRuleDecision), false);
            }
        }

        for (var i = 0; i < policies.Count; i++)
        {
            var deny = policies[i];
            if (deny.Spec.Action == "DENY" && MatchIndex(deny, context, deny: true) is { } rule)
            {
                return (model.RuleDecision(deny, rule, "DENY", MakeRuleDecision), false);
            }
        }

        var anyAllow = false;
        for (var i = 0; i < policies.Count; i++)
        {
            var allow = policies[i];
            if (!IsAllow(allow))
            {
                continue;
            }

            anyAllow = true;
            if (MatchIndex(allow, context, deny: false) is { } rule)
            {
                return (model.RuleDecision(allow, rule, "ALLOW", MakeRuleDecision), true);
            }
        }

        if (!anyAllow)
        {
            return (NoPolicy, true);
        }

        return (model.NoAllowMatched(workload, MakeNoneMatched), false);
    }

    private static bool IsAllow(AuthorizationPolicy p) => (p.Spec.Action ?? "ALLOW") == "ALLOW";

    // The decisions Evaluate gives; the model remembers them, so each is made once per simulator.
    private static AuthorizationDecision MakeRuleDecision((AuthorizationPolicy Policy, int Rule, string Action) k) =>
        new(k.Action == "ALLOW" ? "Allowed" : "Denied", Name(k.Policy), k.Rule, k.Action);

    private static AuthorizationDecision MakeNoneMatched(IReadOnlyList<AuthorizationPolicy> policies) =>
        new("Denied", string.Join(", ", policies.Where(IsAllow).Select(Name)), null, "ALLOW (none matched)");

    private static string Name(AuthorizationPolicy p) => $"{MeshModel.NamespaceOf(p)}/{p.Name}";

    /// <summary>The index of the first matching rule; rules are ORed, and no rules match nothing.</summary>
    private static int? MatchIndex(AuthorizationPolicy policy, in AuthorizationContext context, bool deny)
    {
        if (policy.Spec.Rules is not { } rules)
        {
            return null;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            if (RuleMatches(rules[i], context, deny))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// from, to and when are ANDed; entries inside from (and inside to) are ORed. On TCP, HTTP-only fields make an ALLOW
    /// rule never match and are ignored in a DENY rule (model.Generate(forTCP)).
    /// </summary>
    private static bool RuleMatches(AuthorizationRule rule, in AuthorizationContext c, bool deny)
    {
        if (!c.IsHttp && UsesHttpOnlyFields(rule) && !deny)
        {
            return false;
        }

        return (rule.From is null || AnySource(rule.From, c)) && (rule.To is null || AnyOperation(rule.To, c)) && (rule.When is null || AllConditions(rule.When, c));
    }

    private static bool AnySource(List<RuleFrom> from, in AuthorizationContext c)
    {
        foreach (var f in from)
        {
            if (f.Source is { } s && SourceMatches(s, c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyOperation(List<RuleTo> to, in AuthorizationContext c)
    {
        foreach (var t in to)
        {
            if (t.Operation is { } o && OperationMatches(o, c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllConditions(List<Condition> when, in AuthorizationContext c)
    {
        foreach (var w in when)
        {
            if (!ConditionMatches(w, c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool UsesHttpOnlyFields(AuthorizationRule rule) =>
        (rule.From?.Any(f => f.Source?.RequestPrincipals is not null || f.Source?.NotRequestPrincipals is not null) ?? false)
        || (rule.To?.Any(t => t.Operation is { } o && (o.Methods ?? o.NotMethods ?? o.Paths ?? o.NotPaths ?? o.Hosts ?? o.NotHosts) is not null) ?? false)
        || (rule.When?.Any(w => HttpOnlyConditionPrefixes.Any(p => w.Key?.StartsWith(p, StringComparison.Ordinal) == true)) ?? false);

    private static bool SourceMatches(Source s, in AuthorizationContext c) =>
        Field(s.Principals, s.NotPrincipals, c.PeerPrincipal, ignoreCase: false)
        && Field(s.RequestPrincipals, s.NotRequestPrincipals, c.RequestPrincipal, ignoreCase: false, tcpIgnores: !c.IsHttp)
        && NamespaceField(s.Namespaces, s.NotNamespaces, c.PeerPrincipal);

    private static bool OperationMatches(Operation o, in AuthorizationContext c) =>
        Field(o.Methods, o.NotMethods, c.Method, ignoreCase: false, tcpIgnores: !c.IsHttp)
        && Field(o.Paths, o.NotPaths, c.Path, ignoreCase: false, tcpIgnores: !c.IsHttp)
        && Field(o.Hosts, o.NotHosts, c.Host, ignoreCase: true, tcpIgnores: !c.IsHttp)
        && (o.Ports is null && o.NotPorts is null || Field(o.Ports, o.NotPorts, c.Port.ToString(CultureInfo.InvariantCulture), ignoreCase: false));

    private static bool ConditionMatches(Condition w, in AuthorizationContext c)
    {
        var key = w.Key ?? string.Empty;
        IEnumerable<string> actual = key switch
        {
            "source.principal" => c.PeerPrincipal is null ? [] : [c.PeerPrincipal],
            "source.namespace" => c.SourceNamespace is null || c.PeerPrincipal is null ? [] : [c.SourceNamespace],
            "request.auth.principal" => c.RequestPrincipal is null ? [] : [c.RequestPrincipal],
            "request.auth.audiences" => c.Token?.Audiences ?? [],
            "destination.port" => [c.Port.ToString(CultureInfo.InvariantCulture)],
            _ when key.StartsWith("request.headers[", StringComparison.Ordinal) =>
                c.Headers.TryGetValue(key[16..^1], out var header) ? [header] : [],
            _ when key.StartsWith("request.auth.claims[", StringComparison.Ordinal) => Claim(c.Token, key),
            _ => [],
        };
        if (!c.IsHttp && HttpOnlyConditionPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
        {
            return true;
        }

        var values = actual.ToList();
        var positive = w.Values is null || values.Any(v => w.Values.Any(p => StringMatches(p, v, ignoreCase: false)));
        var negative = w.NotValues is null || !values.Any(v => w.NotValues.Any(p => StringMatches(p, v, ignoreCase: false)));
        return positive && negative;
    }

    private static IEnumerable<string> Claim(JwtPrincipal? token, string key)
    {
        if (token is null)
        {
            return [];
        }

        object? value = token.Claims;
        foreach (var part in key["request.auth.claims".Length..].Trim('[', ']').Split("]["))
        {
            value = value is IReadOnlyDictionary<string, object?> map && map.TryGetValue(part, out var inner) ? inner : null;
        }

        return value switch
        {
            string s => [s],
            IEnumerable<object?> list => list.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty),
            null => [],
            _ => [Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty],
        };
    }

    private static bool Field(List<string>? values, List<string>? notValues, string? actual, bool ignoreCase, bool tcpIgnores = false)
    {
        if (tcpIgnores)
        {
            return true;
        }

        return (values is null || (actual is not null && AnyMatches(values, actual, ignoreCase)))
            && (notValues is null || actual is null || !AnyMatches(notValues, actual, ignoreCase));
    }

    private static bool AnyMatches(List<string> patterns, string actual, bool ignoreCase)
    {
        foreach (var pattern in patterns)
        {
            if (StringMatches(pattern, actual, ignoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool NamespaceField(List<string>? values, List<string>? notValues, string? principal)
    {
        // namespaces match '.*/ns/NS/.*' on the peer principal, so they need mTLS.
        if (values is null && notValues is null)
        {
            return true;
        }

        string? ns = null;
        if (principal is not null)
        {
            var parts = principal.Split('/');
            var at = Array.IndexOf(parts, "ns");
            ns = at >= 0 && at + 1 < parts.Length ? parts[at + 1] : null;
        }

        return Field(values, notValues, ns, ignoreCase: false);
    }

    /// <summary>Istio's string match: exact, 'prefix*', '*suffix', or '*' for any non-empty value.</summary>
    public static bool StringMatches(string pattern, string value, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (pattern == "*")
        {
            return value.Length > 0;
        }

        if (pattern.EndsWith('*'))
        {
            return value.AsSpan().StartsWith(pattern.AsSpan(0, pattern.Length - 1), comparison);
        }

        if (pattern.StartsWith('*'))
        {
            return value.AsSpan().EndsWith(pattern.AsSpan(1), comparison);
        }

        return string.Equals(pattern, value, comparison);
    }
}
