using System.Management.Automation;
using GuestbookLab.Mesh.Building;

namespace GuestbookLab.Commands.Kpack;

/// <summary>The parameters that say where a kpack image is pushed: -Tag, or composed from a registry or the ECR names.</summary>
public abstract class KpackTagCmdlet : LabCmdlet
{
    /// <summary>The whole tag to push to, with its registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX-ui:v1).</summary>
    [Parameter]
    public string? Tag { get; set; }

    /// <summary>A repository URI (host/name); a LabRegistry from New-LabRegistry or Get-LabRegistry binds by its Uri. Used with -Version.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Uri")]
    public string? Registry { get; set; }

    /// <summary>The AWS account of the ECR registry (the codelab's ACCOUNT_ID). Used with -Region, -Repository and -Version.</summary>
    [Parameter]
    public string? AccountId { get; set; }

    /// <summary>The ECR registry's region.</summary>
    [Parameter]
    public string? Region { get; set; }

    /// <summary>The repository prefix (the codelab's REPO_PREFIX): the repository is PREFIX-REPOSITORY.</summary>
    [Parameter]
    public string? RepositoryPrefix { get; set; }

    /// <summary>The repository name after the prefix (ui, message, guestbook, kpack).</summary>
    [Parameter]
    public string? Repository { get; set; }

    /// <summary>The tag after the colon (v1, v2, builder), with -Registry or -AccountId.</summary>
    [Parameter]
    public string? Version { get; set; }

    /// <summary>The tag parameters as the builder's options.</summary>
    protected ImageTagOptions TagOptions() => new()
    {
        Tag = Tag, RegistryUri = Registry, AccountId = AccountId, Region = Region, RepositoryPrefix = RepositoryPrefix,
        Repository = Repository, Version = Version,
    };
}
