using System.Management.Automation;
using GuestbookLab.Mesh.Building;
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
///     Add-MeshAuthorizationRule -Principal 'cluster.local/ns/default/sa/ui-sa' |
///     Add-MeshAuthorizationRule -Port 6379 -WarningAction SilentlyContinue</code>
/// <para>The codelab's redis-tcp-policy: two rules, so the second allows every source to port 6379.</para>
/// </example>
/// <example>
/// <code>New-MeshAuthorizationPolicy -Name redis-tcp-policy -Namespace default -Selector @{ app = 'redis' } -Action ALLOW |
///     Add-MeshAuthorizationRule -Principal 'cluster.local/ns/default/sa/ui-sa' -Port 6379</code>
/// <para>What was probably meant: only the ui's service account may reach port 6379.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshAuthorizationRule")]
[OutputType(typeof(AuthorizationPolicy), typeof(LabResource))]
public sealed class AddMeshAuthorizationRuleCommand : AuthorizationRuleCmdlet
{
    private readonly PipelineModifier<AuthorizationPolicy> modifier = new();

    /// <summary>The policy to add the rule to; objects of other kinds pass through unchanged.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public LabResource InputObject { get; set; } = null!;

    protected override void BeginProcessing() => ThrowIfInvalid(AuthorizationRuleBuilder.Validate(Rule), null);

    protected override void ProcessRecord()
    {
        var rule = AuthorizationRuleBuilder.Build(Rule);
        modifier.Process(this, InputObject, policy => (policy.Spec.Rules ??= []).Add(rule));
    }

    protected override void EndProcessing() => modifier.End(this);
}
