using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Checks resources against Istio 1.17's validation rules and returns every problem found.</summary>
/// <remarks>
/// Applies the rules of Istio's validating webhook (pkg/config/validation) for Gateway, VirtualService,
/// DestinationRule and ServiceEntry, and the name rules for every kind. Returns one issue per broken rule: its
/// Severity (Error: Istio would reject the object; Warning: accepted but surprising), ErrorId, Resource, Field, Value,
/// Message and the Istio Rule it comes from, and, for a resource read from a manifest (Import-LabManifest), its Source:
/// the file and the line of the field. No output means the resources are valid. -Quiet returns $true or $false.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name reviews -Hosts reviews | Test-MeshResource</code>
/// <para>Reports MissingRoutes: a VirtualService needs at least one route.</para>
/// </example>
/// <example>
/// <code>Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 50; v2 = 50 } | Test-MeshResource -Quiet</code>
/// <para>Returns True: both objects are valid.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "MeshResource")]
[OutputType(typeof(ValidationIssue), typeof(bool))]
public sealed class TestMeshResourceCommand : CancellableCmdlet
{
    private ManifestLocator? locator;
    private bool valid = true;

    /// <summary>The resources to check.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>Returns only $true (no errors) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var resource in InputObject)
        {
            var result = ResourceValidator.Validate(resource);
            valid &= !result.HasErrors;
            if (!Quiet)
            {
                locator ??= new ManifestLocator(ManifestLimitsInUse());
                WriteObject(Await(locator.PlaceAsync(resource, result.Issues, CancellationToken)), enumerateCollection: true);
            }
        }
    }

    protected override void EndProcessing()
    {
        if (Quiet)
        {
            WriteObject(valid);
        }
    }
}
