using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Builds one AuthorizationPolicy rule from cmdlet parameters; shared by New-MeshAuthorizationPolicy and Add-MeshAuthorizationRule.</summary>
internal sealed class AuthorizationRuleBuilder
{
    public string[]? Principals { get; init; }

    public string[]? RequestPrincipals { get; init; }

    public string[]? Namespaces { get; init; }

    public string[]? IpBlocks { get; init; }

    public string[]? Methods { get; init; }

    public string[]? Ports { get; init; }

    public string[]? Paths { get; init; }

    public string[]? Hosts { get; init; }

    public IDictionary? When { get; init; }

    public bool IsEmpty => Principals is null && RequestPrincipals is null && Namespaces is null && IpBlocks is null
        && Methods is null && Ports is null && Paths is null && Hosts is null && When is null;

    /// <summary>Checks the values with Istio's rules, naming the parameters.</summary>
    public void Validate(ValidationResult result)
    {
        foreach (var (name, values) in new[] { ("-Principals", Principals), ("-RequestPrincipals", RequestPrincipals), ("-Namespaces", Namespaces), ("-IpBlocks", IpBlocks), ("-Methods", Methods), ("-Ports", Ports), ("-Paths", Paths), ("-Hosts", Hosts) })
        {
            if (values is { Length: 0 })
            {
                result.Error(ErrorIds.InvalidRule, name, null, "give at least one value, or leave the parameter out", "ValidateAuthorizationPolicy");
            }

            SecurityRules.NoEmptyValues(result, name, values);
        }

        SecurityRules.Ports(result, "-Ports", Ports);
        SecurityRules.IpBlocks(result, "-IpBlocks", IpBlocks);
        foreach (var (key, _) in When is null ? [] : LabCmdlet.Entries(When))
        {
            var problem = SecurityRules.ConditionKeyProblem(key);
            if (problem is not null)
            {
                result.Error(ErrorIds.InvalidCondition, $"-When[{key}]", key, problem, "ValidateAttribute");
            }
        }
    }

    public AuthorizationRule Build()
    {
        var rule = new AuthorizationRule();
        if (Principals is not null || RequestPrincipals is not null || Namespaces is not null || IpBlocks is not null)
        {
            rule.From =
            [
                new RuleFrom
                {
                    Source = new Source { Principals = List(Principals), RequestPrincipals = List(RequestPrincipals), Namespaces = List(Namespaces), IpBlocks = List(IpBlocks) },
                },
            ];
        }

        if (Methods is not null || Ports is not null || Paths is not null || Hosts is not null)
        {
            rule.To =
            [
                new RuleTo { Operation = new Operation { Methods = List(Methods), Ports = List(Ports), Paths = List(Paths), Hosts = List(Hosts) } },
            ];
        }

        if (When is not null)
        {
            rule.When = LabCmdlet.Entries(When)
                .Select(e => new Condition { Key = e.Key, Values = Values(e.Value) })
                .ToList();
        }

        return rule;
    }

    private static List<string>? List(string[]? values) => values?.ToList();

    private static List<string> Values(object? value) => LabCmdlet.Unwrap(value) switch
    {
        string s => [s],
        IEnumerable items => items.Cast<object?>().Select(LabCmdlet.ToText).ToList(),
        var other => [LabCmdlet.ToText(other)],
    };

    /// <summary>Ports given as numbers or text, as the decimal strings Istio wants.</summary>
    public static string[]? PortText(object[]? ports) => ports?.Select(p => LabCmdlet.ToText(p)).ToArray();
}

/// <summary>The parameters of one AuthorizationPolicy rule, shared by New-MeshAuthorizationPolicy and Add-MeshAuthorizationRule.</summary>
public abstract class AuthorizationRuleCmdlet : LabCmdlet
{
    /// <summary>Source workload principals (mTLS identities), e.g. 'cluster.local/ns/default/sa/ui-sa'.</summary>
    [Parameter]
    public string[]? Principals { get; set; }

    /// <summary>Request principals from a JWT ('issuer/subject'), '*' for any valid token.</summary>
    [Parameter]
    public string[]? RequestPrincipals { get; set; }

    /// <summary>Source namespaces (needs mTLS).</summary>
    [Parameter]
    public string[]? Namespaces { get; set; }

    /// <summary>Source IP addresses or CIDRs.</summary>
    [Parameter]
    public string[]? IpBlocks { get; set; }

    /// <summary>HTTP methods (GET, POST...).</summary>
    [Parameter]
    public string[]? Methods { get; set; }

    /// <summary>Destination ports, e.g. 6379.</summary>
    [Parameter]
    public object[]? Ports { get; set; }

    /// <summary>Request paths; '*' as prefix or suffix wildcard ('/api/*').</summary>
    [Parameter]
    public string[]? Paths { get; set; }

    /// <summary>Request hosts (:authority).</summary>
    [Parameter]
    public string[]? Hosts { get; set; }

    /// <summary>Conditions: attribute to allowed values, e.g. @{ 'request.auth.claims[groups]' = 'group1' }.</summary>
    [Parameter]
    public IDictionary? When { get; set; }

    internal AuthorizationRuleBuilder Rule => new()
    {
        Principals = Principals, RequestPrincipals = RequestPrincipals, Namespaces = Namespaces, IpBlocks = IpBlocks,
        Methods = Methods, Ports = AuthorizationRuleBuilder.PortText(Ports), Paths = Paths, Hosts = Hosts, When = When,
    };
}
