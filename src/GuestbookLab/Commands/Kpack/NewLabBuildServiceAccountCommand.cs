using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Creates the ServiceAccount kpack's builds run as, with the registry secret to push and pull with.</summary>
/// <remarks>
/// The codelab's kp-sa: the registry secret is listed under both secrets (kpack pushes with it) and imagePullSecrets
/// (the build pods pull with it). Pipe the Secret from New-LabRegistrySecret, or name it with -SecretName; with
/// -PassThru the piped secrets are emitted too (before the ServiceAccount), so the pipeline can go on to
/// Publish-LabResource. The cmdlet does no I/O.
/// </remarks>
/// <example>
/// <code>New-LabBuildServiceAccount -SecretName ecr-secret | ConvertTo-LabYaml</code>
/// <para>The codelab's kp-sa ServiceAccount.</para>
/// </example>
/// <example>
/// <code>$token = ConvertTo-SecureString 'offline-token' -AsPlainText -Force
/// New-LabRegistrySecret -Server https://123456789012.dkr.ecr.us-east-1.amazonaws.com -Password $token | New-LabBuildServiceAccount -PassThru</code>
/// <para>The pull secret and the ServiceAccount that uses it, ready for Publish-LabResource.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabBuildServiceAccount")]
[OutputType(typeof(ServiceAccount), typeof(KubernetesSecret))]
public sealed class NewLabBuildServiceAccountCommand : LabCmdlet
{
    private readonly List<string> secrets = [];

    /// <summary>The ServiceAccount's name.</summary>
    [Parameter(Position = 0)]
    public string Name { get; set; } = "kp-sa";

    /// <summary>The namespace; omitted when not given (the current namespace on apply).</summary>
    [Parameter]
    public string? Namespace { get; set; }

    /// <summary>The registry Secret(s) from the pipeline (New-LabRegistrySecret).</summary>
    [Parameter(ValueFromPipeline = true)]
    public KubernetesSecret[]? Secret { get; set; }

    /// <summary>The registry secrets by name.</summary>
    [Parameter]
    public string[]? SecretName { get; set; }

    /// <summary>Also emits the piped secrets.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var secret in Secret ?? [])
        {
            secrets.Add(secret.Name);
            if (PassThru)
            {
                WriteObject(secret);
            }
        }
    }

    protected override void EndProcessing()
    {
        var options = new BuildServiceAccountOptions { Name = Name, Namespace = Namespace, Secrets = [.. secrets, .. SecretName ?? []] };
        ThrowIfInvalid(BuildServiceAccountBuilder.Validate(options), Name);
        var account = BuildServiceAccountBuilder.Build(options);
        ThrowIfInvalid(account);
        WriteObject(account);
    }
}
