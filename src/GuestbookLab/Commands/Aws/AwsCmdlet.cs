using System;
using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Engine.Aws;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Aws;

/// <summary>
/// Base of the cmdlets that call AWS: -Region, -ProfileName, -Credential and -EndpointUrl, resolved as AWS.Tools
/// resolves them (Debug says where credentials and region came from, never the secret); AWS errors become error
/// records with stable ErrorIds; Ctrl+C cancels the call.
/// </summary>
public abstract class AwsCmdlet : CancellableCmdlet
{
    private AwsSession? session;

    /// <summary>The AWS region (e.g. us-east-1); by default AWS_REGION, AWS_DEFAULT_REGION or the profile's region.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    /// <summary>The shared credentials profile to use (as aws --profile); by default AWS_PROFILE or 'default'.</summary>
    [Parameter]
    public string? ProfileName { get; set; }

    /// <summary>The shared credentials file, when not ~/.aws/credentials.</summary>
    [Parameter]
    public string? ProfileLocation { get; set; }

    /// <summary>An access key: the access key id as the user name, the secret access key as the password.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Sends every call to this endpoint instead of AWS (LocalStack, an S3-compatible server, tests).</summary>
    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>The region used when none is configured; null makes a missing region an error.</summary>
    protected virtual string? FallbackRegion => null;

    /// <summary>Checks -Region and -EndpointUrl before anything is sent.</summary>
    protected override void BeginProcessing()
    {
        var check = new ValidationResult();
        if (Region is not null)
        {
            AwsRules.Region(check, "-Region", Region);
        }

        AwsRules.EndpointUrl(check, "-EndpointUrl", EndpointUrl);
        ThrowIfInvalid(check, Region ?? EndpointUrl);
    }

    /// <summary>The credentials and region, resolved once per command.</summary>
    protected AwsSession Session()
    {
        if (session is not null)
        {
            return session;
        }

        try
        {
            session = AwsSession.Resolve(
                new AwsOptions
                {
                    Region = Region,
                    ProfileName = ProfileName,
                    ProfileLocation = ProfileLocation is null ? null : GetUnresolvedProviderPathFromPSPath(ProfileLocation),
                    AccessKeyId = Credential?.UserName,
                    SecretAccessKey = Credential?.Password,
                    EndpointUrl = EndpointUrl,
                    FallbackRegion = FallbackRegion,
                },
                WriteDebug);
        }
        catch (AwsConfigurationException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ex.RegionMissing ? ErrorIds.AwsRegionNotFound : ErrorIds.AwsCredentialsNotFound, ex, null));
        }

        var check = new ValidationResult();
        AwsRules.Region(check, "-Region", session!.Region);
        ThrowIfInvalid(check, session.Region);
        return session;
    }

    /// <summary>Runs an AWS call; a failure ends the command with its error record.</summary>
    protected T Call<T>(Func<T> call, object? target)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return call();
        }
        catch (AwsRequestException ex)
        {
            ThrowTerminatingError(LabErrors.FromAws(ex, target));
            throw;
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>The environment a child process (kops) needs for the AWS parameters given; empty when none were.</summary>
    protected IReadOnlyDictionary<string, string> ChildEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Region is not null)
        {
            env["AWS_REGION"] = Region;
        }

        if (ProfileName is not null)
        {
            env["AWS_PROFILE"] = ProfileName;
        }

        if (ProfileLocation is not null)
        {
            env["AWS_SHARED_CREDENTIALS_FILE"] = GetUnresolvedProviderPathFromPSPath(ProfileLocation);
        }

        if (Credential is not null || EndpointUrl is not null)
        {
            foreach (var (name, value) in Session().ToEnvironment())
            {
                env[name] = value;
            }
        }

        return env;
    }
}

public sealed class RegionCompleter : ListCompleter
{
    protected override IEnumerable<string> Values =>
    [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
        "eu-north-1", "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
        "ap-southeast-2", "sa-east-1", "af-south-1", "me-south-1",
    ];
}

public sealed class NetworkingCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => KopsClusterBuilder.NetworkingOptions;
}
