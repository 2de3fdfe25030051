using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;

namespace GuestbookLab.Commands.Security;

/// <summary>The parameters of one AuthorizationPolicy rule, shared by New-MeshAuthorizationPolicy and Add-MeshAuthorizationRule.</summary>
public abstract class AuthorizationRuleCmdlet : LabCmdlet
{
    /// <summary>Source workload principals (mTLS identities), e.g. 'cluster.local/ns/default/sa/ui-sa'.</summary>
    [Parameter]
    [Alias("Principals")]
    public string[]? Principal { get; set; }

    /// <summary>Request principals from a JWT ('issuer/subject'), '*' for any valid token.</summary>
    [Parameter]
    [Alias("RequestPrincipals")]
    public string[]? RequestPrincipal { get; set; }

    /// <summary>Source namespaces (needs mTLS).</summary>
    [Parameter]
    // Plural on purpose: the singular would collide with New-MeshAuthorizationPolicy's own -Namespace (the policy's namespace).
    public string[]? Namespaces { get; set; }

    /// <summary>Source IP addresses or CIDRs.</summary>
    [Parameter]
    [Alias("IpBlocks")]
    public string[]? IpBlock { get; set; }

    /// <summary>HTTP methods (GET, POST...).</summary>
    [Parameter]
    [Alias("Methods")]
    public string[]? Method { get; set; }

    /// <summary>Destination ports, e.g. 6379.</summary>
    [Parameter]
    [Alias("Ports")]
    public object[]? Port { get; set; }

    /// <summary>Request paths; '*' as prefix or suffix wildcard ('/api/*').</summary>
    [Parameter]
    [Alias("Paths")]
    public string[]? Path { get; set; }

    /// <summary>Request hosts (:authority).</summary>
    [Parameter]
    // Plural on purpose: the singular, Host, is reserved in PowerShell ($Host, the session's host object).
    public string[]? Hosts { get; set; }

    /// <summary>Conditions: attribute to allowed values, e.g. @{ 'request.auth.claims[groups]' = 'group1' }.</summary>
    [Parameter]
    public IDictionary? When { get; set; }

    /// <summary>The rule the parameters describe.</summary>
    internal AuthorizationRuleOptions Rule => new()
    {
        Principals = Principal, RequestPrincipals = RequestPrincipal, Namespaces = Namespaces, IpBlocks = IpBlock,
        Methods = Method, Ports = Port?.Select(p => ToText(p)).ToList(), Paths = Path, Hosts = Hosts,
        When = When is null ? null : Entries(When).Select(e => KeyValuePair.Create(e.Key, Binding.Values(e.Value))).ToList(),
    };
}
