using System.Collections;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Adds a subset (a labelled version of a service) to a DestinationRule from the pipeline.</summary>
/// <remarks>Routes pick a subset by name (Add-MeshRoute -Subset); the subset's labels select its pods.</remarks>
/// <example>
/// <code>New-MeshDestinationRule -Name ui -Host ui |
///     Add-MeshSubset -Name v1 -Label @{ version = '1.0' } |
///     Add-MeshSubset -Name v2 -Label @{ version = '2.0' }</code>
/// <para>The codelab's two ui versions.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshSubset")]
[OutputType(typeof(DestinationRule), typeof(LabResource))]
public sealed class AddMeshSubsetCommand : ModifyResourceCmdlet<DestinationRule>
{
    /// <summary>The subset's name (a DNS-1123 label such as v1).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = null!;

    /// <summary>The pod labels that select the subset, e.g. @{ version = '1.0' }.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Labels")]
    public IDictionary Label { get; set; } = null!;

    private SubsetOptions Options => new() { Name = Name, Labels = Binding.Labels(Label) };

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(SubsetBuilder.Validate(Options).Issues);

    protected override void Modify(DestinationRule resource) => Accept(SubsetBuilder.Apply(resource, Options), resource);
}
