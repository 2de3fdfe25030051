using System;
using System.Collections;
using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Adds a rule to an AuthorizationPolicy from the pipeline.</summary>
/// <remarks>
/// The parameters of one call form one rule, and all of them must hold (from, to and when are ANDed). The rules of a
/// policy are ORed: a request matches the policy when any rule matches. So the codelab's redis-tcp-policy, written as
/// one rule with 'from' and another with 'to', allows any source to port 6379; GuestbookLab warns about that shape.
/// With no parameters the rule is '{}', which matches every request. Objects of other kinds pass through unchanged.
/// </remarks>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name redis-tcp-policy -Namespace default -Selector @{ app = 'redis' } -Action ALLOW |
///     Add-MeshAuthorizationRule -Principals 'cluster.local/ns/default/sa/ui-sa' |
///     Add-MeshAuthorizationRule -Ports 6379 -WarningAction SilentlyContinue</code>
/// <para>The codelab's redis-tcp-policy: two rules, so the second allows every source to port 6379.</para>
/// </example>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name redis-tcp-policy -Namespace default -Selector @{ app = 'redis' } -Action ALLOW |
///     Add-MeshAuthorizationRule -Principals 'cluster.local/ns/default/sa/ui-sa' -Ports 6379</code>
/// <para>What was probably meant: only the ui's service account may reach port 6379.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshAuthorizationRule")]
[OutputType(typeof(AuthorizationPolicy), typeof(LabResource))]
public sealed class AddMeshAuthorizationRuleCommand : ModifyResourceCmdlet<AuthorizationPolicy>
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

    /// <summary>Conditions: attribute to allowed values, e.g. @{ 'request.headers[x-canary]' = 'true' }.</summary>
    [Parameter]
    public IDictionary? When { get; set; }

    private AuthorizationRuleBuilder Builder => new()
    {
        Principals = Principals, RequestPrincipals = RequestPrincipals, Namespaces = Namespaces, IpBlocks = IpBlocks,
        Methods = Methods, Ports = AuthorizationRuleBuilder.PortText(Ports), Paths = Paths, Hosts = Hosts, When = When,
    };

    protected override void ValidateParameters(ValidationResult result) => Builder.Validate(result);

    protected override void Modify(AuthorizationPolicy resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        (resource.Spec.Rules ??= []).Add(Builder.Build());
    }
}
