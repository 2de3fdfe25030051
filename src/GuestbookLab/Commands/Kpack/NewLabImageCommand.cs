using System.Collections;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Creates a kpack Image: the OCI image kpack builds from source with a builder and pushes to a tag.</summary>
/// <remarks>
/// A kpack.io/v1alpha2 Image, built by the Builder builder as the ServiceAccount kp-sa unless told otherwise. The tag
/// is -Tag, or composed from a LabRegistry piped from New-LabRegistry/Get-LabRegistry (-Registry, its Uri) or from
/// -AccountId, -Region, -RepositoryPrefix and -Repository, with -Version, so it is never typed by hand; it must name
/// its registry. The source is one of -Git (with -Revision), -Blob and -SourceImage. -Env sets the build's
/// environment (an ordered dictionary keeps its order). No I/O; wait for the build with Wait-LabImage.
/// </remarks>
/// <example>
/// <code>New-LabImage -Name ui-image -AccountId 123456789012 -Region us-east-1 -RepositoryPrefix your-name -Repository ui -Version v1 `
///     -Git https://gitlab.com/DmyMi/aws-k8s-lab.git -Revision master -Env @{ BP_GRADLE_BUILT_MODULE = 'ui' } | ConvertTo-LabYaml</code>
/// <para>The codelab's ui-image, pushed to 123456789012.dkr.ecr.us-east-1.amazonaws.com/your-name-ui:v1.</para>
/// </example>
/// <example>
/// <code>New-LabImage -Name ui-image -Tag 123456789012.dkr.ecr.us-east-1.amazonaws.com/your-name-ui:v1 -Git https://gitlab.com/DmyMi/aws-k8s-lab.git -Revision master -Env @{ BP_GRADLE_BUILT_MODULE = 'ui' }</code>
/// <para>The same Image with the whole tag given.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabImage")]
[OutputType(typeof(KpackImage))]
public sealed class NewLabImageCommand : KpackTagCmdlet
{
    /// <summary>The Image's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = null!;

    /// <summary>The namespace; omitted when not given.</summary>
    [Parameter]
    public string? Namespace { get; set; }

    /// <summary>The builder's name.</summary>
    [Parameter]
    public string Builder { get; set; } = "builder";

    /// <summary>The builder's kind: Builder (in the Image's namespace) or ClusterBuilder.</summary>
    [Parameter]
    public string BuilderKind { get; set; } = "Builder";

    /// <summary>The ServiceAccount the builds run as (with the registry secret).</summary>
    [Parameter]
    public string ServiceAccountName { get; set; } = "kp-sa";

    /// <summary>The git repository to build (https://, ssh:// or git@host:path).</summary>
    [Parameter]
    public string? Git { get; set; }

    /// <summary>The git branch, tag or commit.</summary>
    [Parameter]
    public string? Revision { get; set; }

    /// <summary>A source archive URL (instead of -Git).</summary>
    [Parameter]
    public string? Blob { get; set; }

    /// <summary>A source image in a registry (instead of -Git).</summary>
    [Parameter]
    public string? SourceImage { get; set; }

    /// <summary>The folder of the source to build.</summary>
    [Parameter]
    public string? SubPath { get; set; }

    /// <summary>The build's environment variables (e.g. @{ BP_GRADLE_BUILT_MODULE = 'ui' }).</summary>
    [Parameter]
    public IDictionary? Env { get; set; }

    /// <summary>More tags to push the image to.</summary>
    [Parameter]
    public string[] AdditionalTag { get; set; } = [];

    protected override void ProcessRecord()
    {
        var options = new ImageOptions
        {
            Name = Name, Namespace = Namespace, Tag = TagOptions(), Builder = Builder, BuilderKind = BuilderKind,
            ServiceAccountName = ServiceAccountName, Git = Git, Revision = Revision, Blob = Blob, SourceImage = SourceImage,
            SubPath = SubPath, Env = Binding.Pairs(Env), AdditionalTags = AdditionalTag,
        };
        ThrowIfInvalid(ImageBuilder.Validate(options), Name);
        var image = ImageBuilder.Build(options);
        ThrowIfInvalid(image);
        WriteObject(image);
    }
}
