using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>One AuthorizationPolicy rule (from, to, when; all must hold): the rule parameters of New-MeshAuthorizationPolicy and Add-MeshAuthorizationRule.</summary>
public sealed record AuthorizationRuleOptions
{
    public IReadOnlyList<string>? Principals { get; init; }

    public IReadOnlyList<string>? RequestPrincipals { get; init; }

    public IReadOnlyList<string>? Namespaces { get; init; }

    public IReadOnlyList<string>? IpBlocks { get; init; }

    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Destination ports as the decimal strings Istio wants.</summary>
    public IReadOnlyList<string>? Ports { get; init; }

    public IReadOnlyList<string>? Paths { get; init; }

    public IReadOnlyList<string>? Hosts { get; init; }

    /// <summary>Condition key to allowed values, in the user's order.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>>? When { get; init; }

    /// <summary>No rule parameter at all: the rule '{}', which matches every request.</summary>
    public bool IsEmpty => this == new AuthorizationRuleOptions();
}

/// <summary>Builds one AuthorizationPolicy rule.</summary>
public static class AuthorizationRuleBuilder
{
    /// <summary>
    /// The rule parameters are singular (-Principal, -Method, -Port ...). -Namespaces keeps its name: the policy's own
    /// -Namespace is another parameter. -Hosts keeps its name: Host is PowerShell's $Host (see the cmdlets).
    /// </summary>
    public static ParameterMap Parameters { get; } = new(
        ("Principals", "-Principal"), ("RequestPrincipals", "-RequestPrincipal"), ("IpBlocks", "-IpBlock"),
        ("Methods", "-Method"), ("Ports", "-Port"), ("Paths", "-Path"));

    /// <summary>Checks the values with Istio's rules.</summary>
    public static ValidationResult Validate(AuthorizationRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        var lists = new[]
        {
            (nameof(options.Principals), options.Principals), (nameof(options.RequestPrincipals), options.RequestPrincipals),
            (nameof(options.Namespaces), options.Namespaces), (nameof(options.IpBlocks), options.IpBlocks), (nameof(options.Methods), options.Methods),
            (nameof(options.Ports), options.Ports), (nameof(options.Paths), options.Paths), (nameof(options.Hosts), options.Hosts),
        };
        foreach (var (field, values) in lists)
        {
            if (values is { Count: 0 })
            {
                result.Error(ErrorIds.InvalidRule, field, null, "give at least one value, or leave the parameter out", "ValidateAuthorizationPolicy");
            }

            SecurityRules.NoEmptyValues(result, field, values);
        }

        SecurityRules.Ports(result, nameof(options.Ports), options.Ports);
        SecurityRules.IpBlocks(result, nameof(options.IpBlocks), options.IpBlocks);
        foreach (var (key, _) in options.When ?? [])
        {
            if (SecurityRules.ConditionKeyProblem(key) is { } problem)
            {
                result.Error(ErrorIds.InvalidCondition, $"{nameof(options.When)}[{key}]", key, problem, "ValidateAttribute");
            }
        }

        return result;
    }

    public static AuthorizationRule Build(AuthorizationRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rule = new AuthorizationRule();
        if (options.Principals is not null || options.RequestPrincipals is not null || options.Namespaces is not null || options.IpBlocks is not null)
        {
            rule.From =
            [
                new RuleFrom
                {
                    Source = new Source { Principals = List(options.Principals), RequestPrincipals = List(options.RequestPrincipals), Namespaces = List(options.Namespaces), IpBlocks = List(options.IpBlocks) },
                },
            ];
        }

        if (options.Methods is not null || options.Ports is not null || options.Paths is not null || options.Hosts is not null)
        {
            rule.To =
            [
                new RuleTo { Operation = new Operation { Methods = List(options.Methods), Ports = List(options.Ports), Paths = List(options.Paths), Hosts = List(options.Hosts) } },
            ];
        }

        if (options.When is not null)
        {
            rule.When = options.When.Select(e => new Condition { Key = e.Key, Values = [.. e.Value] }).ToList();
        }

        return rule;
    }

    private static List<string>? List(IReadOnlyList<string>? values) => values?.ToList();
}

/// <summary>A new AuthorizationPolicy with at most one rule: New-MeshAuthorizationPolicy's input.</summary>
public sealed record AuthorizationPolicyOptions
{
    public required string Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string>? Selector { get; init; }

    /// <summary>ALLOW, DENY, AUDIT or CUSTOM (any case); null: ALLOW.</summary>
    public string? Action { get; init; }

    public string? Provider { get; init; }

    public AuthorizationRuleOptions Rule { get; init; } = new();
}

/// <summary>Builds an AuthorizationPolicy: deny-all ('spec: {}') without rule or action, else a policy with one rule.</summary>
public static class AuthorizationPolicyBuilder
{
    public static ValidationResult Validate(AuthorizationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(AuthorizationRuleBuilder.Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        Rules.Selector(result, nameof(options.Selector), GatewayBuilder.Copy(options.Selector));
        if (options.Action is not null && !SecurityRules.Actions.Contains(options.Action.ToUpperInvariant(), StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidAction, nameof(options.Action), options.Action, $"'{options.Action}' is not an action: use ALLOW, DENY, AUDIT or CUSTOM", "AuthorizationPolicy.action");
        }

        result.AddRange(AuthorizationRuleBuilder.Validate(options.Rule).Issues);
        return result;
    }

    public static AuthorizationPolicy Build(AuthorizationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var policy = new AuthorizationPolicy { Name = options.Name, Namespace = options.Namespace };
        policy.Spec.Action = options.Action?.ToUpperInvariant();
        if (options.Selector is not null)
        {
            policy.Spec.Selector = new WorkloadSelector { MatchLabels = GatewayBuilder.Copy(options.Selector) };
        }

        if (options.Provider is not null)
        {
            policy.Spec.Provider = new ExtensionProvider { Name = options.Provider };
        }

        if (!options.Rule.IsEmpty)
        {
            policy.Spec.Rules = [AuthorizationRuleBuilder.Build(options.Rule)];
        }

        return policy;
    }
}

/// <summary>A JWT rule, and the RequestAuthentication to create when none is piped in: Add-MeshJwtRule's input.</summary>
public sealed record JwtRuleOptions
{
    public required string Issuer { get; init; }

    public string? JwksUri { get; init; }

    /// <summary>The key set inline (JSON text).</summary>
    public string? Jwks { get; init; }

    public IReadOnlyList<string>? Audiences { get; init; }

    public bool ForwardOriginalToken { get; init; }

    /// <summary>The name of a new RequestAuthentication; null: the rule can only be added to piped ones.</summary>
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string>? Selector { get; init; }
}

/// <summary>Builds JWT rules and RequestAuthentications.</summary>
public static class JwtRuleBuilder
{
    /// <summary>The rule's fields (checked on the rule itself, as the validator does) and the parameters that set them.</summary>
    public static ParameterMap Parameters { get; } = new(
        ("issuer", "-Issuer"), ("jwksUri", "-JwksUri"), ("jwks", "-Jwks"), ("audiences", "-Audience"), ("forwardOriginalToken", "-ForwardOriginalToken"));

    /// <summary>The rule by the validator's rules; with a name, also the new RequestAuthentication's name and selector.</summary>
    public static ValidationResult Validate(JwtRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        SecurityRules.JwtRule(result, string.Empty, Rule(options));
        if (!result.HasErrors && options.Name is not null)
        {
            Rules.ResourceName(result, nameof(options.Name), options.Name);
            Rules.Selector(result, nameof(options.Selector), GatewayBuilder.Copy(options.Selector));
        }

        return result;
    }

    public static JwtRule Rule(JwtRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new()
        {
            Issuer = options.Issuer,
            JwksUri = options.JwksUri,
            Jwks = options.Jwks,
            Audiences = options.Audiences is null ? null : [.. options.Audiences],
            ForwardOriginalToken = options.ForwardOriginalToken ? true : null,
        };
    }

    /// <summary>Appends the rule to (a copy the caller made of) a RequestAuthentication.</summary>
    public static void Apply(RequestAuthentication resource, JwtRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(resource);
        (resource.Spec.JwtRules ??= []).Add(Rule(options));
    }

    /// <summary>A new RequestAuthentication with the rule; the result says why not when the options name none.</summary>
    public static RequestAuthentication? Build(JwtRuleOptions options, out ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(options);
        result = new ValidationResult(Parameters);
        if (options.Name is null)
        {
            result.Error(ErrorIds.NoApplicableInput, nameof(options.Name), null,
                $"give {Parameters.Of(nameof(options.Name))} to create a RequestAuthentication, or pipe one in to add the rule to it", "GuestbookLab");
            return null;
        }

        var created = new RequestAuthentication { Name = options.Name, Namespace = options.Namespace };
        if (options.Selector is not null)
        {
            created.Spec.Selector = new WorkloadSelector { MatchLabels = GatewayBuilder.Copy(options.Selector) };
        }

        created.Spec.JwtRules = [Rule(options)];
        return created;
    }
}

/// <summary>mTLS for a namespace or some workloads: Enable-MeshStrictMtls's input.</summary>
public sealed record MtlsOptions
{
    public string Namespace { get; init; } = "default";

    /// <summary>STRICT, PERMISSIVE, DISABLE or UNSET (any case).</summary>
    public string Mode { get; init; } = "STRICT";

    public IReadOnlyDictionary<string, string>? Selector { get; init; }

    /// <summary>Port to mode, for selected workloads only.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? PortLevelMtls { get; init; }

    public string Name { get; init; } = "default";

    public bool SkipDestinationRule { get; init; }
}

/// <summary>Builds the PeerAuthentication and, for a namespace, the DestinationRule that makes clients send Istio mTLS.</summary>
public static class MtlsBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(MtlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        Rules.Dns1123Label(result, nameof(options.Namespace), options.Namespace, ErrorIds.InvalidName, "namespace", "metadata.namespace");
        SecurityRules.MtlsMode(result, nameof(options.Mode), options.Mode.ToUpperInvariant());
        Rules.Selector(result, nameof(options.Selector), GatewayBuilder.Copy(options.Selector));
        if (options.PortLevelMtls is not null && options.Selector is null)
        {
            result.Error(ErrorIds.InvalidPortLevelMtls, nameof(options.PortLevelMtls), null,
                $"port-level mTLS needs {Parameters.Of(nameof(options.Selector))}: a namespace-wide policy cannot set it", "ValidatePeerAuthentication");
        }

        return result;
    }

    /// <summary>The PeerAuthentication, then (namespace-wide, not skipped, mode not UNSET) the DestinationRule.</summary>
    public static IReadOnlyList<LabResource> Build(MtlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mode = options.Mode.ToUpperInvariant();
        var pa = new PeerAuthentication { Name = options.Name, Namespace = options.Namespace };
        pa.Spec.Mtls = new MutualTls { Mode = mode };
        if (options.Selector is not null)
        {
            pa.Spec.Selector = new WorkloadSelector { MatchLabels = GatewayBuilder.Copy(options.Selector) };
        }

        if (options.PortLevelMtls is not null)
        {
            pa.Spec.PortLevelMtls = new Dictionary<string, MutualTls>(StringComparer.Ordinal);
            foreach (var (port, portMode) in options.PortLevelMtls)
            {
                pa.Spec.PortLevelMtls[port] = new MutualTls { Mode = portMode.ToUpperInvariant() };
            }
        }

        var objects = new List<LabResource> { pa };
        if (options.Selector is null && !options.SkipDestinationRule && mode != "UNSET")
        {
            var dr = new DestinationRule { Name = "default", Namespace = options.Namespace };
            dr.Spec.Host = $"*.{options.Namespace}.svc.cluster.local";
            dr.Spec.TrafficPolicy = new TrafficPolicy { Tls = new ClientTlsSettings { Mode = mode == "DISABLE" ? "DISABLE" : "ISTIO_MUTUAL" } };
            objects.Add(dr);
        }

        return objects;
    }
}

/// <summary>A workload's mesh identity: Get-MeshWorkloadIdentity's input.</summary>
public sealed record WorkloadIdentityOptions
{
    /// <summary>The pods' service account; null: the workload's.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>A workload whose pod template names the service account and whose namespace wins.</summary>
    public Workload? Workload { get; init; }

    public string Namespace { get; init; } = "default";

    public string TrustDomain { get; init; } = "cluster.local";
}

/// <summary>Derives a workload's SPIFFE identity.</summary>
public static class WorkloadIdentityBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(WorkloadIdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (options.Workload is null && options.ServiceAccount is null)
        {
            result.Error(ErrorIds.InvalidName, nameof(options.ServiceAccount), null, $"give {Parameters.Of(nameof(options.ServiceAccount))}, or pipe in a Deployment, StatefulSet or DaemonSet", "GuestbookLab");
            return result;
        }

        var identity = Build(options);
        Rules.ResourceName(result, nameof(options.ServiceAccount), identity.ServiceAccount);
        Rules.Dns1123Label(result, nameof(options.Namespace), identity.Namespace, ErrorIds.InvalidName, "namespace", "metadata.namespace");
        Rules.WildcardDomain(result, nameof(options.TrustDomain), options.TrustDomain, "ValidateTrustDomain");
        return result;
    }

    public static WorkloadIdentity Build(WorkloadIdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var account = options.Workload is null ? options.ServiceAccount! : options.Workload.Spec.Template?.Spec?.ServiceAccountName ?? "default";
        return new WorkloadIdentity(account, options.Workload?.Namespace ?? options.Namespace, options.TrustDomain);
    }
}
