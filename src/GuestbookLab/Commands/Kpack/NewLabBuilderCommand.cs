using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Creates a kpack Builder (or ClusterBuilder): a builder image made of a stack and an order of buildpacks.</summary>
/// <remarks>
/// A kpack.io/v1alpha2 Builder, by default the codelab's: builder, on the ClusterStack base and the ClusterStore
/// default, with the Paketo Java buildpack, pushed by the ServiceAccount kp-sa. The builder image's tag is -Tag, or
/// composed from a LabRegistry piped from New-LabRegistry/Get-LabRegistry (-Registry) or from -AccountId, -Region,
/// -RepositoryPrefix and -Repository, with -Version; it must name its registry. Each -Buildpack is one group of the
/// order (id or id@version; '+' joins buildpacks tried together). -Cluster makes a ClusterBuilder. No I/O.
/// </remarks>
/// <example>
/// <code>New-LabBuilder -AccountId 123456789012 -Region us-east-1 -RepositoryPrefix your-name -Repository kpack -Version builder | ConvertTo-LabYaml</code>
/// <para>The codelab's Builder, its image pushed to 123456789012.dkr.ecr.us-east-1.amazonaws.com/your-name-kpack:builder.</para>
/// </example>
/// <example>
/// <code>New-LabBuilder -Name my-builder -Tag registry.example.com/team/builder:1 -Buildpack paketo-buildpacks/java, paketo-buildpacks/nodejs</code>
/// <para>kpack's tutorial builder: Java, or else Node.js.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabBuilder")]
[OutputType(typeof(Builder), typeof(ClusterBuilder))]
public sealed class NewLabBuilderCommand : KpackTagCmdlet
{
    /// <summary>The builder's name.</summary>
    [Parameter(Position = 0)]
    public string Name { get; set; } = "builder";

    /// <summary>The namespace of a Builder; omitted when not given.</summary>
    [Parameter]
    public string? Namespace { get; set; }

    /// <summary>The ClusterStack the builder is built on.</summary>
    [Parameter]
    public string Stack { get; set; } = "base";

    /// <summary>The ClusterStore the buildpacks come from.</summary>
    [Parameter]
    public string Store { get; set; } = "default";

    /// <summary>The order: one group per value, a buildpack id or id@version, '+' between buildpacks of one group.</summary>
    [Parameter]
    public string[] Buildpack { get; set; } = ["paketo-buildpacks/java"];

    /// <summary>The ServiceAccount that pushes the builder image (with the registry secret).</summary>
    [Parameter]
    public string ServiceAccountName { get; set; } = "kp-sa";

    /// <summary>For a ClusterBuilder: the namespace of its ServiceAccount.</summary>
    [Parameter]
    public string ServiceAccountNamespace { get; set; } = "default";

    /// <summary>Makes a cluster-scoped ClusterBuilder.</summary>
    [Parameter]
    public SwitchParameter Cluster { get; set; }

    protected override void ProcessRecord()
    {
        var options = new BuilderOptions
        {
            Name = Name, Namespace = Namespace, Tag = TagOptions(), Stack = Stack, Store = Store, Buildpacks = Buildpack,
            ServiceAccountName = ServiceAccountName, ServiceAccountNamespace = ServiceAccountNamespace, Cluster = Cluster,
        };
        ThrowIfInvalid(BuilderBuilder.Validate(options), Name);
        var builder = BuilderBuilder.Build(options);
        ThrowIfInvalid(builder);
        WriteObject(builder);
    }
}
