using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Creates a kpack ClusterStore: the buildpackages that builders take their buildpacks from.</summary>
/// <remarks>
/// A kpack.io/v1alpha2 ClusterStore (cluster-scoped). By default the codelab's: the store default with the Paketo
/// Java buildpackage. The cmdlet does no I/O.
/// </remarks>
/// <example>
/// <code>New-LabClusterStore -Source gcr.io/paketo-buildpacks/java | ConvertTo-LabYaml</code>
/// <para>The codelab's ClusterStore default.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabClusterStore")]
[OutputType(typeof(ClusterStore))]
public sealed class NewLabClusterStoreCommand : LabCmdlet
{
    /// <summary>The ClusterStore's name.</summary>
    [Parameter(Position = 0)]
    public string Name { get; set; } = "default";

    /// <summary>The buildpackage images (e.g. gcr.io/paketo-buildpacks/java).</summary>
    [Parameter(Position = 1)]
    public string[] Source { get; set; } = ["gcr.io/paketo-buildpacks/java"];

    protected override void EndProcessing()
    {
        var options = new ClusterStoreOptions { Name = Name, Sources = Source };
        ThrowIfInvalid(ClusterStoreBuilder.Validate(options), Name);
        var store = ClusterStoreBuilder.Build(options);
        ThrowIfInvalid(store);
        WriteObject(store);
    }
}
