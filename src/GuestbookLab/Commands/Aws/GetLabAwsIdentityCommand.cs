using System.Management.Automation;
using GuestbookLab.Engine.Aws;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Aws;

/// <summary>Tells who the AWS credentials belong to: account, ARN and user id (STS GetCallerIdentity).</summary>
/// <remarks>
/// The codelab's `aws sts get-caller-identity --query Account`. The output also says which region the AWS cmdlets will
/// use and where the credentials came from (a parameter, a profile, the environment), never the secret itself; -Debug
/// shows the same as each AWS cmdlet resolves them.
/// </remarks>
/// <example>
/// <code>(Get-LabAwsIdentity -Region us-east-1).Account</code>
/// <para>The account id, for image names and the permissions boundary ARN. (Needs AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabAwsIdentity")]
[OutputType(typeof(LabAwsIdentity))]
public sealed class GetLabAwsIdentityCommand : AwsCmdlet
{
    protected override void EndProcessing()
    {
        var session = Session();
        WriteObject(Call(() => StsCalls.GetCallerIdentity(session, CancellationToken), "sts"));
    }
}
