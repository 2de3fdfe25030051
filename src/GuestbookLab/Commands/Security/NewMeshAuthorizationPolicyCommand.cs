using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Creates an Istio AuthorizationPolicy: deny-all, or a policy with one rule.</summary>
/// <remarks>
/// With no rule parameters and no -Action it is the codelab's deny-all, 'spec: {}': an ALLOW policy that matches
/// nothing, so every request to the selected workloads is denied (403 'RBAC: access denied'). Rule parameters build
/// one rule: -Principals, -RequestPrincipals, -Namespaces and -IpBlocks describe the source (from), -Methods, -Ports,
/// -Paths and -Hosts the operation (to), -When the conditions; all of them must hold. Add more rules (which are
/// ORed) with Add-MeshAuthorizationRule. Principals are 'cluster.local/ns/NS/sa/SA' (Get-MeshWorkloadIdentity), request
/// principals 'issuer/subject' (Get-MeshJwtPrincipal).
/// </remarks>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name deny-all -Namespace default | ConvertTo-LabYaml</code>
/// <para>The codelab's deny-all policy for the default namespace.</para>
/// </example>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name guestbook-viewer -Namespace default -Selector @{ app = 'guestbook-service' } -Principals 'cluster.local/ns/default/sa/ui-sa' -Methods GET, POST</code>
/// <para>Lets only the ui's service account call guestbook-service, with GET and POST.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MeshAuthorizationPolicy")]
[OutputType(typeof(AuthorizationPolicy))]
public sealed class NewMeshAuthorizationPolicyCommand : AuthorizationRuleCmdlet
{
    /// <summary>The policy's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The namespace; a policy in istio-system applies to the whole mesh.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    /// <summary>Pod labels of the workloads the policy applies to; all workloads of the namespace when left out.</summary>
    [Parameter]
    public Hashtable? Selector { get; set; }

    /// <summary>ALLOW (the default), DENY, AUDIT or CUSTOM.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ActionCompleter))]
    public string? Action { get; set; }

    /// <summary>For CUSTOM: the extension provider (from the mesh config) that decides.</summary>
    [Parameter]
    public string? Provider { get; set; }


    protected override void ProcessRecord()
    {
        var builder = Rule;
        var check = new ValidationResult();
        Rules.ResourceName(check, "-Name", Name);
        Rules.Selector(check, "-Selector", ToStringMap(Selector));
        if (Action is not null && !SecurityRules.Actions.Contains(Action.ToUpperInvariant(), StringComparer.Ordinal))
        {
            check.Error(ErrorIds.InvalidAction, "-Action", Action, $"'{Action}' is not an action: use ALLOW, DENY, AUDIT or CUSTOM", "AuthorizationPolicy.action");
        }

        builder.Validate(check);
        ThrowIfInvalid(check, Name);

        var policy = new AuthorizationPolicy { Name = Name, Namespace = Namespace };
        policy.Spec.Action = Action?.ToUpperInvariant();
        if (Selector is not null)
        {
            policy.Spec.Selector = new WorkloadSelector { MatchLabels = ToStringMap(Selector) };
        }

        if (Provider is not null)
        {
            policy.Spec.Provider = new ExtensionProvider { Name = Provider };
        }

        if (!builder.IsEmpty)
        {
            policy.Spec.Rules = [builder.Build()];
        }

        ThrowIfInvalid(policy);
        WriteObject(policy);
    }
}
