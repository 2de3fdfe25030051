using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Adds a subset (a labelled version of a service) to a DestinationRule from the pipeline.</summary>
/// <remarks>Routes pick a subset by name (Add-MeshRoute -Subset); the subset's labels select its pods.</remarks>
/// <example>
/// <code>New-MeshDestinationRule -Name ui -Host ui |
///     Add-MeshSubset -Name v1 -Labels @{ version = '1.0' } |
///     Add-MeshSubset -Name v2 -Labels @{ version = '2.0' }</code>
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
    public IDictionary Labels { get; set; } = null!;

    protected override void ValidateParameters(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Rules.Dns1123Label(result, "-Name", Name, ErrorIds.InvalidSubset, "subset name", "validateSubset");
        Rules.Labels(result, "-Labels", ToStringMap(Labels));
    }

    protected override void Modify(DestinationRule resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var subsets = resource.Spec.Subsets ??= [];
        if (subsets.Any(s => s.Name == Name))
        {
            ThrowInvalid(ErrorIds.DuplicateSubset, "-Name", Name, $"{resource.DisplayName} already has a subset '{Name}'", "validateSubset");
        }

        subsets.Add(new Subset { Name = Name, Labels = ToStringMap(Labels) });
    }
}
