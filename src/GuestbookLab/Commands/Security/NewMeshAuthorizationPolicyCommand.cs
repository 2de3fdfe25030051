using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Creates an Istio AuthorizationPolicy: deny-all, or a policy with one rule.</summary>
/// <remarks>
/// With no rule parameters and no -Action it is the codelab's deny-all, 'spec: {}': an ALLOW policy that matches
/// nothing, so every request to the selected workloads is denied (403 'RBAC: access denied'). Rule parameters build
/// one rule: -Principal, -RequestPrincipal, -Namespaces and -IpBlock describe the source (from), -Method, -Port,
/// -Path and -Hosts the operation (to), -When the conditions; all of them must hold. Add more rules (which are
/// ORed) with Add-MeshAuthorizationRule. Principals are 'cluster.local/ns/NS/sa/SA' (Get-MeshWorkloadIdentity), request
/// principals 'issuer/subject' (Get-MeshJwtPrincipal).
/// </remarks>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name deny-all -Namespace default | ConvertTo-LabYaml</code>
/// <para>The codelab's deny-all policy for the default namespace.</para>
/// </example>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name guestbook-viewer -Namespace default -Selector @{ app = 'guestbook-service' } -Principal 'cluster.local/ns/default/sa/ui-sa' -Method GET, POST</code>
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

    /// <summary>Pod labels of the workloads the policy applies to; all workloads of the namespace when left out (matchLabels): a hashtable (@{ app = 'ui' }) or the same -Selector text the cluster cmdlets take, with labels only ('app=ui,version=v1').</summary>
    [Parameter]
    [SelectorTransformation(LabelsOnly = true)]
    public LabelQuery? Selector { get; set; }

    /// <summary>ALLOW (the default), DENY, AUDIT or CUSTOM.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ActionCompleter))]
    public string? Action { get; set; }

    /// <summary>For CUSTOM: the extension provider (from the mesh config) that decides.</summary>
    [Parameter]
    public string? Provider { get; set; }

    protected override void ProcessRecord()
    {
        var options = new AuthorizationPolicyOptions
        {
            Name = Name, Namespace = Namespace, Selector = Binding.Labels(Selector), Action = Action, Provider = Provider, Rule = Rule,
        };
        ThrowIfInvalid(AuthorizationPolicyBuilder.Validate(options), Name);
        var policy = AuthorizationPolicyBuilder.Build(options);
        ThrowIfInvalid(policy);
        WriteObject(policy);
    }
}
