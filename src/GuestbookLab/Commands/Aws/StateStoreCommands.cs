using System.Management.Automation;
using GuestbookLab.Engine.Aws;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Aws;

/// <summary>Creates the S3 bucket kops keeps its state in.</summary>
/// <remarks>
/// The codelab's `aws s3api create-bucket`. A bucket you already own is not an error: it is returned with Created
/// false, so the step can be re-run. A name another account owns is the error BucketOwnedByOthers (bucket names are
/// global). The region is -Region, else the configured one, else us-east-1 (the codelab's). Pipe the result to
/// New-LabCluster: its Uri (s3://bucket) binds to -StateStore.
/// </remarks>
/// <example>
/// <code>New-LabStateStore -BucketName your-name-state-store -Region us-east-1</code>
/// <para>Creates the bucket (or finds it already yours) and emits s3://your-name-state-store. (Needs AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabStateStore", SupportsShouldProcess = true)]
[OutputType(typeof(LabStateStore))]
public sealed class NewLabStateStoreCommand : AwsCmdlet
{
    /// <summary>The bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, globally unique.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string BucketName { get; set; } = null!;

    protected override string? FallbackRegion => "us-east-1";

    protected override void ProcessRecord()
    {
        var check = new ValidationResult();
        AwsRules.BucketName(check, "-BucketName", BucketName);
        ThrowIfInvalid(check, BucketName);
        var session = Session();
        if (!ShouldProcess($"s3://{BucketName} in {session.Region}", "Create S3 bucket"))
        {
            return;
        }

        using var s3 = new StateStoreClient(session);
        var store = Call(() => s3.Create(BucketName, CancellationToken), BucketName);
        WriteVerbose(store.Created ? $"Created the bucket {BucketName} in {store.Region}." : $"The bucket {BucketName} already exists and is yours: nothing to do.");
        WriteObject(store);
    }
}

/// <summary>Deletes the kops state store bucket.</summary>
/// <remarks>
/// The codelab's last `aws s3api delete-bucket`. A bucket that still holds objects (a cluster kops has not deleted) is
/// refused with BucketNotEmpty, naming what is in it, unless -Force is given: then every object is deleted first. A
/// bucket that is not there is not an error, so teardown can be re-run. ConfirmImpact is High.
/// </remarks>
/// <example>
/// <code>Remove-LabStateStore -BucketName your-name-state-store -Region us-east-1 -Confirm:$false</code>
/// <para>Deletes the empty bucket after Remove-LabCluster. (Needs AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "LabStateStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLabStateStoreCommand : AwsCmdlet
{
    /// <summary>The bucket name (a LabStateStore from the pipeline binds by its BucketName).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string BucketName { get; set; } = null!;

    /// <summary>Deletes the bucket's objects too.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override string? FallbackRegion => "us-east-1";

    protected override void ProcessRecord()
    {
        var check = new ValidationResult();
        AwsRules.BucketName(check, "-BucketName", BucketName);
        ThrowIfInvalid(check, BucketName);
        using var s3 = new StateStoreClient(Session());
        if (!Call(() => s3.Exists(BucketName, CancellationToken), BucketName))
        {
            WriteVerbose($"The bucket {BucketName} is not there: nothing to remove.");
            return;
        }

        var keys = Call(() => s3.Keys(BucketName, 5, CancellationToken), BucketName);
        if (keys.Count > 0 && !Force)
        {
            WriteError(LabErrors.Create(ErrorIds.BucketNotEmpty,
                Messages.BucketNotEmpty(BucketName, keys, more: keys.Count == 5), BucketName));
            return;
        }

        if (!ShouldProcess($"s3://{BucketName}{(keys.Count > 0 ? " and every object in it" : string.Empty)}", "Delete S3 bucket"))
        {
            return;
        }

        Call(() => s3.Remove(BucketName, Force, WriteVerbose, CancellationToken), BucketName);
        WriteVerbose($"Deleted the bucket {BucketName}.");
    }
}
