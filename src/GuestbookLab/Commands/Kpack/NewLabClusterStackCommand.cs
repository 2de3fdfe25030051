using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Creates a kpack ClusterStack: the build and run images of a buildpacks stack.</summary>
/// <remarks>
/// A kpack.io/v1alpha2 ClusterStack (cluster-scoped). By default the codelab's: base, the stack
/// io.buildpacks.stacks.bionic with paketobuildpacks/build:base-cnb and paketobuildpacks/run:base-cnb. The cmdlet
/// does no I/O.
/// </remarks>
/// <example>
/// <code>New-LabClusterStack -Id io.buildpacks.stacks.bionic -BuildImage paketobuildpacks/build:base-cnb -RunImage paketobuildpacks/run:base-cnb | ConvertTo-LabYaml</code>
/// <para>The codelab's ClusterStack base.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabClusterStack")]
[OutputType(typeof(ClusterStack))]
public sealed class NewLabClusterStackCommand : LabCmdlet
{
    /// <summary>The ClusterStack's name.</summary>
    [Parameter(Position = 0)]
    public string Name { get; set; } = "base";

    /// <summary>The stack's id, as the stack's images declare it.</summary>
    [Parameter]
    public string Id { get; set; } = "io.buildpacks.stacks.bionic";

    /// <summary>The image builds run in.</summary>
    [Parameter]
    public string BuildImage { get; set; } = "paketobuildpacks/build:base-cnb";

    /// <summary>The image the built application runs on.</summary>
    [Parameter]
    public string RunImage { get; set; } = "paketobuildpacks/run:base-cnb";

    protected override void EndProcessing()
    {
        var options = new ClusterStackOptions { Name = Name, Id = Id, BuildImage = BuildImage, RunImage = RunImage };
        ThrowIfInvalid(ClusterStackBuilder.Validate(options), Name);
        var stack = ClusterStackBuilder.Build(options);
        ThrowIfInvalid(stack);
        WriteObject(stack);
    }
}
