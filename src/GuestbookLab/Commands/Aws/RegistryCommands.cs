using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using GuestbookLab.Engine.Aws;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Aws;

/// <summary>Creates the ECR repositories the lab's images are pushed to.</summary>
/// <remarks>
/// The codelab's loop of `aws ecr create-repository --repository-name PREFIX-NAME --image-scanning-configuration
/// scanOnPush=true`. Every name is checked before any call. A repository that already exists is returned as it is
/// (not an error), so the step can be re-run. Each repository is emitted with its Uri
/// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX-NAME), the image name kpack pushes to.
/// </remarks>
/// <example>
/// <code>New-LabRegistry -RepositoryPrefix your-name -Name ui, message, guestbook, kpack -ScanOnPush -Region us-east-1</code>
/// <para>The codelab's four repositories, your-name-ui to your-name-kpack. (Needs AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabRegistry", SupportsShouldProcess = true)]
[OutputType(typeof(LabRegistry))]
public sealed class NewLabRegistryCommand : AwsCmdlet
{
    /// <summary>Prepended with a hyphen to every name (the codelab's REPO_PREFIX, e.g. your-name).</summary>
    [Parameter(Position = 0)]
    public string? RepositoryPrefix { get; set; }

    /// <summary>The repositories' names after the prefix.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string[] Name { get; set; } = null!;

    /// <summary>Scans each image for vulnerabilities when it is pushed.</summary>
    [Parameter]
    public SwitchParameter ScanOnPush { get; set; }

    /// <summary>MUTABLE (tags can be pushed again, the default) or IMMUTABLE.</summary>
    [Parameter]
    [ValidateSet("MUTABLE", "IMMUTABLE")]
    public string ImageTagMutability { get; set; } = "MUTABLE";

    protected override void EndProcessing()
    {
        var names = RegistryNames.Of(RepositoryPrefix, Name);
        ThrowIfInvalid(RegistryNames.Check(names), names);
        var session = Session();
        using var ecr = new EcrClient(session);
        foreach (var name in names)
        {
            if (!ShouldProcess($"{name} in {session.Region}", "Create ECR repository"))
            {
                continue;
            }

            var (registry, created) = Call(() => ecr.Create(name, ScanOnPush, ImageTagMutability, CancellationToken), name);
            WriteVerbose(created ? $"Created the repository {registry.Uri}." : $"The repository {registry.Uri} already exists: returned as it is.");
            if (!created && (registry.ScanOnPush != ScanOnPush || registry.ImageTagMutability != ImageTagMutability))
            {
                WriteWarning($"The existing repository {registry.Name} has scan on push {registry.ScanOnPush} and tags {registry.ImageTagMutability}, not what was asked ({ScanOnPush.IsPresent}, {ImageTagMutability}); it is left as it is.");
            }
            WriteObject(registry);
        }
    }
}

/// <summary>Lists ECR repositories: the lab's (by prefix and name) or every one.</summary>
/// <remarks>
/// Names may hold wildcards. A name without wildcards that is not there is a non-terminating RegistryNotFound error.
/// </remarks>
/// <example>
/// <code>Get-LabRegistry -RepositoryPrefix your-name -Region us-east-1</code>
/// <para>Every repository whose name starts with your-name-. (Needs AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabRegistry")]
[OutputType(typeof(LabRegistry))]
public sealed class GetLabRegistryCommand : AwsCmdlet
{
    /// <summary>Lists only repositories named PREFIX-….</summary>
    [Parameter(Position = 0)]
    public string? RepositoryPrefix { get; set; }

    /// <summary>The names after the prefix (wildcards allowed); by default every one.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void EndProcessing()
    {
        var session = Session();
        using var ecr = new EcrClient(session);
        var all = Call(() => ecr.Describe(null, CancellationToken), "ecr");
        var patterns = RegistryNames.Of(RepositoryPrefix, Name ?? ["*"]).Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToList();
        foreach (var registry in all.Where(r => patterns.Any(p => p.IsMatch(r.Name))).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            WriteObject(registry);
        }

        foreach (var missing in RegistryNames.Of(RepositoryPrefix, Name ?? []).Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && all.All(r => r.Name != n)))
        {
            WriteError(LabErrors.Create(ErrorIds.RegistryNotFound, Messages.RegistryNotFound(missing, session.Region), missing));
        }
    }
}

/// <summary>Deletes ECR repositories.</summary>
/// <remarks>
/// The codelab's `aws ecr delete-repository --force` loop. A repository that still holds images is refused
/// (RegistryNotEmpty) unless -Force is given, which deletes the images too, as --force does. A repository that is not
/// there is skipped, so teardown can be re-run. ConfirmImpact is High. Repositories can be piped from Get-LabRegistry.
/// </remarks>
/// <example>
/// <code>Remove-LabRegistry -RepositoryPrefix your-name -Name ui, message, guestbook, kpack -Force -Region us-east-1 -Confirm:$false</code>
/// <para>Deletes the codelab's four repositories and their images. (Needs AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "LabRegistry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLabRegistryCommand : AwsCmdlet
{
    private readonly List<string> names = [];

    /// <summary>Prepended with a hyphen to every name.</summary>
    [Parameter(Position = 0)]
    public string? RepositoryPrefix { get; set; }

    /// <summary>The repositories' names after the prefix (a LabRegistry from the pipeline binds by its Name).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string[] Name { get; set; } = null!;

    /// <summary>Deletes repositories that hold images, with their images.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => names.AddRange(RegistryNames.Of(RepositoryPrefix, Name));

    protected override void EndProcessing()
    {
        ThrowIfInvalid(RegistryNames.Check(names), names);
        var session = Session();
        using var ecr = new EcrClient(session);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (!ShouldProcess($"{name} in {session.Region}{(Force ? " with its images" : string.Empty)}", "Delete ECR repository"))
            {
                continue;
            }

            try
            {
                var deleted = ecr.Delete(name, Force, CancellationToken);
                WriteVerbose(deleted is null ? $"The repository {name} is not there: nothing to remove." : $"Deleted the repository {deleted.Uri}.");
            }
            catch (AwsRequestException ex) when (ex.Code == "RepositoryNotEmptyException")
            {
                WriteError(LabErrors.Create(ErrorIds.RegistryNotEmpty, Messages.RegistryNotEmpty(name), name, ex));
            }
            catch (AwsRequestException ex)
            {
                ThrowTerminatingError(LabErrors.FromAws(ex, name));
            }
        }
    }
}

/// <summary>Builds the image pull secret for ECR: a kubernetes.io/dockerconfigjson Secret holding a fresh ECR token.</summary>
/// <remarks>
/// The codelab's `aws ecr get-login-password` and `kubectl create secret docker-registry ecr-secret
/// --docker-server=https://ACCOUNT.dkr.ecr.REGION.amazonaws.com --docker-username=AWS --docker-password=TOKEN`: the
/// Secret is built exactly as kubectl builds it, ready for Publish-LabResource. The token (valid 12 hours) is held in
/// a SecureString until it is written into the Secret; it never appears in output, logs, errors, ConvertTo-LabYaml
/// or Export-LabManifest (written as &lt;redacted&gt;) unless -IncludeSecrets is given there. With -Server and
/// -Password no AWS call is made (any registry, or the offline lab).
/// </remarks>
/// <example>
/// <code>New-LabRegistrySecret -Region us-east-1 | Publish-LabResource</code>
/// <para>Gets an ECR token and applies the Secret ecr-secret to the connected cluster. (Needs AWS credentials and a cluster.)</para>
/// </example>
/// <example>
/// <code>$token = ConvertTo-SecureString 'the-output-of-aws-ecr-get-login-password' -AsPlainText -Force
/// New-LabRegistrySecret -Server https://123456789012.dkr.ecr.us-east-1.amazonaws.com -Password $token | ConvertTo-LabYaml</code>
/// <para>The same Secret from a token you already have; the YAML shows &lt;redacted&gt; in place of the token.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabRegistrySecret", DefaultParameterSetName = "Ecr")]
[OutputType(typeof(KubernetesSecret))]
public sealed class NewLabRegistrySecretCommand : AwsCmdlet
{
    /// <summary>The Secret's name.</summary>
    [Parameter(Position = 0)]
    public string Name { get; set; } = "ecr-secret";

    /// <summary>The Secret's namespace; omitted when not given (it goes to the current namespace, as kubectl's does).</summary>
    [Parameter]
    public string? Namespace { get; set; }

    /// <summary>The registry server; with -Password no AWS call is made.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Password")]
    public string Server { get; set; } = null!;

    /// <summary>The registry password or token.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Password")]
    public SecureString Password { get; set; } = null!;

    /// <summary>The registry user name (ECR's is AWS).</summary>
    [Parameter(ParameterSetName = "Password")]
    public string UserName { get; set; } = "AWS";

    /// <summary>An e-mail address to store with the credentials (--docker-email).</summary>
    [Parameter]
    public string? Email { get; set; }

    protected override void EndProcessing()
    {
        var check = new ValidationResult();
        Rules.ResourceName(check, "-Name", Name);
        if (Namespace is not null)
        {
            Rules.Dns1123Label(check, "-Namespace", Namespace, ErrorIds.InvalidName, "namespace", "kubectl create secret");
        }

        ThrowIfInvalid(check, Name);
        if (ParameterSetName == "Password")
        {
            WriteObject(RegistrySecretBuilder.Build(Name, Namespace, Server, UserName, Password, Email));
            return;
        }

        var session = Session();
        using var ecr = new EcrClient(session);
        var token = Call(() => ecr.GetAuthorizationToken(CancellationToken), "ecr");
        using (token.Password)
        {
            WriteVerbose($"ECR token for {token.ProxyEndpoint} obtained; it expires at {token.ExpiresAt:u}.");
            WriteObject(RegistrySecretBuilder.Build(Name, Namespace, token.ProxyEndpoint, token.UserName, token.Password, Email));
        }
    }
}

/// <summary>Helpers shared by the registry cmdlets.</summary>
internal static class RegistryNames
{
    /// <summary>The codelab's repository names: PREFIX-NAME (or NAME without a prefix).</summary>
    public static string[] Of(string? prefix, string[] names) =>
        names.Select(n => string.IsNullOrEmpty(prefix) ? n : $"{prefix}-{n}").ToArray();

    /// <summary>ECR's naming rule for every name.</summary>
    public static ValidationResult Check(IEnumerable<string> names)
    {
        var check = new ValidationResult();
        foreach (var name in names)
        {
            AwsRules.RepositoryName(check, "-Name", name);
        }

        return check;
    }
}
