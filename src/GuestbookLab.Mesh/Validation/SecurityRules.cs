using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>Istio 1.17's rules for security.istio.io (pkg/config/validation, pkg/config/security).</summary>
public static partial class SecurityRules
{
    public static readonly IReadOnlyList<string> Actions = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];
    public static readonly IReadOnlyList<string> MtlsModes = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"];

    private static readonly string[] IpKeys = ["source.ip", "remote.ip", "destination.ip"];
    private static readonly string[] PlainKeys =
        ["source.ip", "remote.ip", "source.namespace", "source.principal", "request.auth.principal", "request.auth.audiences", "request.auth.presenter", "destination.ip", "destination.port", "connection.sni"];

    private static readonly string[] RejectedKeys = ["destination.namespace", "destination.name", "destination.user"];

    /// <summary>ValidateAttribute: whether a when key is one Istio 1.17 knows; null when it is.</summary>
    public static string? ConditionKeyProblem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "a condition needs a key";
        }

        if (RejectedKeys.Contains(key, StringComparer.Ordinal) || key.StartsWith("destination.labels", StringComparison.Ordinal))
        {
            return $"'{key}' is not supported in AuthorizationPolicy conditions";
        }

        if (PlainKeys.Contains(key, StringComparer.Ordinal))
        {
            return null;
        }

        if (key.StartsWith("request.headers", StringComparison.Ordinal))
        {
            return HeaderKey().IsMatch(key) ? null : $"'{key}' must look like request.headers[name]";
        }

        if (key.StartsWith("request.auth.claims", StringComparison.Ordinal))
        {
            return ClaimKey().IsMatch(key) ? null : $"'{key}' must look like request.auth.claims[name] (or [a][b] for nested claims)";
        }

        if (key.StartsWith("experimental.envoy.filters.", StringComparison.Ordinal))
        {
            return FilterKey().IsMatch(key) ? null : $"'{key}' must look like experimental.envoy.filters.a.b[c]";
        }

        return $"'{key}' is not an attribute Istio knows: use request.headers[...], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[...], destination.ip, destination.port or connection.sni";
    }

    /// <summary>ValidatePorts: ports are decimal strings up to 65535.</summary>
    public static bool Ports(ValidationResult result, string field, IReadOnlyList<string>? ports)
    {
        var ok = true;
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var port = ports![i];
            if (!uint.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535)
            {
                result.Error(ErrorIds.InvalidPort, $"{field}[{i}]", port, $"{ValidationResult.Show(port)} is not a port: write a port number from 0 to 65535 as text, e.g. \"8080\"", "ValidatePorts");
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>ValidateIPs: IPs or CIDRs.</summary>
    public static bool IpBlocks(ValidationResult result, string field, IReadOnlyList<string>? blocks)
    {
        var ok = true;
        for (var i = 0; i < (blocks?.Count ?? 0); i++)
        {
            if (!Rules.IsIpAddress(blocks![i]) && !Rules.IsCidr(blocks[i]))
            {
                result.Error(ErrorIds.InvalidIpBlock, $"{field}[{i}]", blocks[i], $"{ValidationResult.Show(blocks[i])} is not an IP address or CIDR", "ValidateIPs");
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>CheckEmptyValues: no list value may be empty.</summary>
    public static bool NoEmptyValues(ValidationResult result, string field, IReadOnlyList<string>? values)
    {
        var ok = true;
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            if (string.IsNullOrEmpty(values![i]))
            {
                result.Error(ErrorIds.InvalidRule, $"{field}[{i}]", values[i], "a value cannot be empty", "CheckEmptyValues");
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>security.ParseJwksURI: an absolute http or https URL, with a numeric port if one is given.</summary>
    public static bool JwksUri(ValidationResult result, string field, string? uri)
    {
        if (uri is null)
        {
            return true;
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(parsed.Host))
        {
            result.Error(ErrorIds.InvalidJwks, field, uri, $"{ValidationResult.Show(uri)} is not a JWKS URI: use an absolute http:// or https:// URL", "ParseJwksURI");
            return false;
        }

        return true;
    }

    /// <summary>The inline jwks must parse as a JSON Web Key Set: an object with a "keys" array of objects with "kty".</summary>
    public static bool Jwks(ValidationResult result, string field, string? jwks)
    {
        if (jwks is null)
        {
            return true;
        }

        var problem = JwksProblem(jwks);
        if (problem is not null)
        {
            result.Error(ErrorIds.InvalidJwks, field, jwks.Length > 60 ? jwks[..60] + "..." : jwks, $"the JWKS does not parse: {problem}", "validateJwtRule");
            return false;
        }

        return true;
    }

    private static string? JwksProblem(string jwks)
    {
        try
        {
            using var doc = JsonDocument.Parse(jwks);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                return "it needs a \"keys\" array";
            }

            foreach (var key in keys.EnumerateArray())
            {
                if (key.ValueKind != JsonValueKind.Object || !key.TryGetProperty("kty", out var kty) || kty.ValueKind != JsonValueKind.String)
                {
                    return "every key needs a \"kty\"";
                }
            }

            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    private const string DryRun = "istio.io/dry-run";

    /// <summary>
    /// checkDryRunAnnotation: only an AuthorizationPolicy with action ALLOW or DENY may carry istio.io/dry-run, and its
    /// value must be a boolean as Go's strconv.ParseBool reads it.
    /// </summary>
    internal static void DryRunAnnotation(ValidationResult result, LabResource resource)
    {
        if (resource.Metadata.Annotations is not { } annotations || !annotations.TryGetValue(DryRun, out var value))
        {
            return;
        }

        var field = $"metadata.annotations[{DryRun}]";
        if (resource is not AuthorizationPolicy policy)
        {
            result.Error(ErrorIds.InvalidAnnotation, field, value, $"a {resource.Kind} does not support the {DryRun} annotation (only an AuthorizationPolicy does): remove it", "checkDryRunAnnotation");
        }
        else if (!string.IsNullOrEmpty(policy.Spec.Action) && policy.Spec.Action is not ("ALLOW" or "DENY"))
        {
            result.Error(ErrorIds.InvalidAnnotation, field, value, $"the {DryRun} annotation only supports actions ALLOW and DENY, not {policy.Spec.Action}", "checkDryRunAnnotation");
        }
        else if (value is not ("1" or "t" or "T" or "TRUE" or "true" or "True" or "0" or "f" or "F" or "FALSE" or "false" or "False"))
        {
            result.Error(ErrorIds.InvalidAnnotation, field, value, $"{ValidationResult.Show(value)} is not a boolean: write \"true\" or \"false\"", "checkDryRunAnnotation");
        }
    }

    internal static void AuthorizationPolicy(ValidationResult result, AuthorizationPolicy policy)
    {
        var spec = policy.Spec;
        Rules.Selector(result, "spec.selector.matchLabels", spec.Selector?.MatchLabels);
        var action = spec.Action ?? "ALLOW";
        if (!Actions.Contains(action, StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidAction, "spec.action", spec.Action, $"{ValidationResult.Show(spec.Action)} is not an action: use ALLOW, DENY, AUDIT or CUSTOM", "AuthorizationPolicy.action");
            return;
        }

        if (action == "CUSTOM")
        {
            if (spec.Rules is null)
            {
                result.Error(ErrorIds.InvalidRule, "spec.rules", null, "a CUSTOM policy needs rules (use an empty rule {} to match every request)", "ValidateAuthorizationPolicy");
            }

            if (string.IsNullOrEmpty(spec.Provider?.Name))
            {
                result.Error(ErrorIds.InvalidAction, "spec.provider.name", null, "a CUSTOM policy needs a provider name", "ValidateAuthorizationPolicy");
            }
        }
        else if (spec.Provider is not null)
        {
            result.Error(ErrorIds.InvalidAction, "spec.provider", null, "a provider is only allowed with action CUSTOM", "ValidateAuthorizationPolicy");
        }

        if (action == "DENY" && spec.Rules is null)
        {
            result.Error(ErrorIds.InvalidRule, "spec.rules", null, "a DENY policy without rules is meaningless: add an empty rule {} to deny every request", "ValidateAuthorizationPolicy");
        }

        var rules = spec.Rules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            Rule(result, $"spec.rules[{i}]", rules[i], action);
        }

        if (action == "ALLOW")
        {
            SplitSourceAndOperation(result, rules);
        }
    }

    private static void Rule(ValidationResult result, string field, AuthorizationRule? rule, string action)
    {
        if (rule is null)
        {
            result.Error(ErrorIds.InvalidRule, field, null, "a rule cannot be null", "ValidateAuthorizationPolicy");
            return;
        }

        if (rule.From is { Count: 0 })
        {
            result.Error(ErrorIds.InvalidRule, $"{field}.from", null, "'from' cannot be an empty list: leave it out to match every source", "ValidateAuthorizationPolicy");
        }

        if (rule.To is { Count: 0 })
        {
            result.Error(ErrorIds.InvalidRule, $"{field}.to", null, "'to' cannot be an empty list: leave it out to match every operation", "ValidateAuthorizationPolicy");
        }

        for (var i = 0; i < (rule.From?.Count ?? 0); i++)
        {
            var source = rule.From![i].Source;
            var at = $"{field}.from[{i}].source";
            if (source is null || ApiObjectMapper.ToTree(source).Count == 0)
            {
                result.Error(ErrorIds.InvalidRule, at, null, "a source needs at least one field", "ValidateAuthorizationPolicy");
                continue;
            }

            foreach (var (name, values) in SourceLists(source))
            {
                NoEmptyValues(result, $"{at}.{name}", values);
            }

            IpBlocks(result, $"{at}.ipBlocks", source.IpBlocks);
            IpBlocks(result, $"{at}.notIpBlocks", source.NotIpBlocks);
            IpBlocks(result, $"{at}.remoteIpBlocks", source.RemoteIpBlocks);
            IpBlocks(result, $"{at}.notRemoteIpBlocks", source.NotRemoteIpBlocks);
            if (action == "CUSTOM" && (source.Namespaces ?? source.NotNamespaces ?? source.Principals ?? source.NotPrincipals ?? source.RequestPrincipals ?? source.NotRequestPrincipals) is not null)
            {
                result.Error(ErrorIds.InvalidRule, at, null, "a CUSTOM policy cannot match namespaces, principals or request principals", "ValidateAuthorizationPolicy");
            }
        }

        for (var i = 0; i < (rule.To?.Count ?? 0); i++)
        {
            var operation = rule.To![i].Operation;
            var at = $"{field}.to[{i}].operation";
            if (operation is null || ApiObjectMapper.ToTree(operation).Count == 0)
            {
                result.Error(ErrorIds.InvalidRule, at, null, "an operation needs at least one field", "ValidateAuthorizationPolicy");
                continue;
            }

            foreach (var (name, values) in OperationLists(operation))
            {
                NoEmptyValues(result, $"{at}.{name}", values);
            }

            Ports(result, $"{at}.ports", operation.Ports);
            Ports(result, $"{at}.notPorts", operation.NotPorts);
        }

        for (var i = 0; i < (rule.When?.Count ?? 0); i++)
        {
            var condition = rule.When![i];
            var at = $"{field}.when[{i}]";
            var problem = ConditionKeyProblem(condition.Key);
            if (problem is not null)
            {
                result.Error(ErrorIds.InvalidCondition, $"{at}.key", condition.Key, problem, "ValidateAttribute");
                continue;
            }

            if (condition.Values is not { Count: > 0 } && condition.NotValues is not { Count: > 0 })
            {
                result.Error(ErrorIds.InvalidCondition, at, condition.Key, $"the condition on '{condition.Key}' needs values or notValues", "ValidateAuthorizationPolicy");
            }

            // ValidateAttribute's CheckEmptyValues: no value may be "".
            NoEmptyValues(result, $"{at}.values", condition.Values);
            NoEmptyValues(result, $"{at}.notValues", condition.NotValues);

            if (IpKeys.Contains(condition.Key, StringComparer.Ordinal))
            {
                IpBlocks(result, $"{at}.values", condition.Values);
                IpBlocks(result, $"{at}.notValues", condition.NotValues);
            }

            if (condition.Key == "destination.port")
            {
                Ports(result, $"{at}.values", condition.Values);
                Ports(result, $"{at}.notValues", condition.NotValues);
            }

            if (action == "CUSTOM" && (condition.Key is "source.namespace" or "source.principal" || condition.Key!.StartsWith("request.auth.", StringComparison.Ordinal)))
            {
                result.Error(ErrorIds.InvalidCondition, $"{at}.key", condition.Key, "a CUSTOM policy cannot use source.namespace, source.principal or request.auth.* conditions", "ValidateAuthorizationPolicy");
            }
        }

        if (action == "DENY" && UsesOnlyHttpAttributes(rule))
        {
            result.Warning(ErrorIds.RuleAllowsMore, field, null, "this DENY rule uses only HTTP attributes, so it will deny all traffic to TCP ports under its scope", "ValidateAuthorizationPolicy");
        }
    }

    /// <summary>
    /// The codelab's redis-tcp-policy: one rule with only 'from' and another with only 'to'. Rules are ORed, so the
    /// second allows every source; the author usually meant one rule with both.
    /// </summary>
    private static void SplitSourceAndOperation(ValidationResult result, List<AuthorizationRule> rules)
    {
        var fromOnly = rules.FindIndex(r => r is { From.Count: > 0, To: null, When: null });
        var toOnly = rules.FindIndex(r => r is { To.Count: > 0, From: null, When: null });
        if (fromOnly >= 0 && toOnly >= 0)
        {
            result.Warning(ErrorIds.RuleAllowsMore, $"spec.rules[{toOnly}]", null,
                $"rules are ORed: spec.rules[{toOnly}] has no 'from', so it allows every source, not only the sources of spec.rules[{fromOnly}]; put 'from' and 'to' in one rule to require both",
                "AuthorizationPolicy rules");
        }
    }

    /// <summary>
    /// Istio's DENY warning: a rule whose 'to' has no ports, or whose only 'from' has no TCP attribute (principals,
    /// namespaces, IP blocks), also matches TCP traffic, where its HTTP attributes cannot be checked, and denies it.
    /// </summary>
    private static bool UsesOnlyHttpAttributes(AuthorizationRule rule)
    {
        var sources = rule.From?.Select(f => f.Source).OfType<Source>().ToList() ?? [];
        var operations = rule.To?.Select(t => t.Operation).OfType<Operation>().ToList() ?? [];
        var tcpSource = sources.Any(s => (s.Principals ?? s.NotPrincipals ?? s.Namespaces ?? s.NotNamespaces ?? s.IpBlocks ?? s.NotIpBlocks ?? s.RemoteIpBlocks ?? s.NotRemoteIpBlocks) is not null);
        var tcpOperation = operations.Any(o => (o.Ports ?? o.NotPorts) is not null);
        return (sources.Count > 0 && operations.Count == 0 && !tcpSource) || (operations.Count > 0 && !tcpOperation);
    }

    private static IEnumerable<(string Name, List<string>? Values)> SourceLists(Source s) =>
    [
        ("principals", s.Principals), ("notPrincipals", s.NotPrincipals), ("requestPrincipals", s.RequestPrincipals),
        ("notRequestPrincipals", s.NotRequestPrincipals), ("namespaces", s.Namespaces), ("notNamespaces", s.NotNamespaces),
        ("ipBlocks", s.IpBlocks), ("notIpBlocks", s.NotIpBlocks), ("remoteIpBlocks", s.RemoteIpBlocks), ("notRemoteIpBlocks", s.NotRemoteIpBlocks),
    ];

    private static IEnumerable<(string Name, List<string>? Values)> OperationLists(Operation o) =>
    [
        ("hosts", o.Hosts), ("notHosts", o.NotHosts), ("ports", o.Ports), ("notPorts", o.NotPorts),
        ("methods", o.Methods), ("notMethods", o.NotMethods), ("paths", o.Paths), ("notPaths", o.NotPaths),
    ];

    internal static void PeerAuthentication(ValidationResult result, PeerAuthentication pa)
    {
        var spec = pa.Spec;
        Rules.Selector(result, "spec.selector.matchLabels", spec.Selector?.MatchLabels);
        MtlsMode(result, "spec.mtls.mode", spec.Mtls?.Mode);
        if (spec.PortLevelMtls is null)
        {
            return;
        }

        if (spec.Selector?.MatchLabels is not { Count: > 0 })
        {
            result.Error(ErrorIds.InvalidPortLevelMtls, "spec.portLevelMtls", null, "port-level mTLS needs a workload selector: a mesh or namespace-wide policy cannot set it", "ValidatePeerAuthentication");
        }

        if (spec.PortLevelMtls.Count == 0)
        {
            result.Error(ErrorIds.InvalidPortLevelMtls, "spec.portLevelMtls", null, "portLevelMtls cannot be empty", "ValidatePeerAuthentication");
        }

        foreach (var (port, mtls) in spec.PortLevelMtls)
        {
            if (!uint.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is 0 or > 65535)
            {
                result.Error(ErrorIds.InvalidPortLevelMtls, $"spec.portLevelMtls.{port}", port, $"{ValidationResult.Show(port)} is not a port: use 1 to 65535", "ValidatePeerAuthentication");
            }

            MtlsMode(result, $"spec.portLevelMtls.{port}.mode", mtls?.Mode);
        }
    }

    public static bool MtlsMode(ValidationResult result, string field, string? mode)
    {
        if (mode is not null && !MtlsModes.Contains(mode, StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidMtlsMode, field, mode, $"{ValidationResult.Show(mode)} is not an mTLS mode: use UNSET, DISABLE, PERMISSIVE or STRICT", "PeerAuthentication.mtls.mode");
            return false;
        }

        return true;
    }

    internal static void RequestAuthentication(ValidationResult result, RequestAuthentication ra)
    {
        Rules.Selector(result, "spec.selector.matchLabels", ra.Spec.Selector?.MatchLabels);
        var rules = ra.Spec.JwtRules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            JwtRule(result, $"spec.jwtRules[{i}]", rules[i]);
        }
    }

    public static void JwtRule(ValidationResult result, string field, JwtRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrEmpty(rule.Issuer))
        {
            result.Error(ErrorIds.InvalidJwtRule, $"{Under(field)}issuer", rule.Issuer, "a JWT rule needs an issuer", "validateJwtRule");
        }

        NoEmptyValues(result, $"{Under(field)}audiences", rule.Audiences);
        JwksUri(result, $"{Under(field)}jwksUri", rule.JwksUri);
        Jwks(result, $"{Under(field)}jwks", rule.Jwks);
        for (var i = 0; i < (rule.FromHeaders?.Count ?? 0); i++)
        {
            if (string.IsNullOrEmpty(rule.FromHeaders![i].Name))
            {
                result.Error(ErrorIds.InvalidJwtRule, $"{Under(field)}fromHeaders[{i}].name", null, "a token header needs a name", "validateJwtRule");
            }
        }

        NoEmptyValues(result, $"{Under(field)}fromParams", rule.FromParams);
        for (var i = 0; i < (rule.OutputClaimToHeaders?.Count ?? 0); i++)
        {
            var claim = rule.OutputClaimToHeaders![i];
            // Istio checks the header name with its header value rule (Envoy's %VARIABLE% syntax).
            if (!string.IsNullOrEmpty(claim.Header))
            {
                HttpRules.HeaderValue(result, $"{Under(field)}outputClaimToHeaders[{i}].header", claim.Header, "validateJwtRule");
            }

            if (string.IsNullOrEmpty(claim.Claim) || string.IsNullOrEmpty(claim.Header))
            {
                result.Error(ErrorIds.InvalidJwtRule, $"{Under(field)}outputClaimToHeaders[{i}]", null, "a claim-to-header entry needs a claim and a header", "validateJwtRule");
            }
        }
    }

    // A field below another one; below "" (the rule itself) a field is its own name.
    private static string Under(string field) => field.Length == 0 ? string.Empty : field + ".";

    [GeneratedRegex(@"^request\.headers\[[^\[\]]+\]$")]
    private static partial Regex HeaderKey();

    [GeneratedRegex(@"^request\.auth\.claims(\[[^\[\]]+\])+$")]
    private static partial Regex ClaimKey();

    [GeneratedRegex(@"^experimental\.envoy\.filters\.[^\[\]]+\[[^\[\]]+\]$")]
    private static partial Regex FilterKey();
}
