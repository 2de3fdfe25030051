using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Validates resources and writes them as YAML manifests: one file, one file per step, or one file per object.</summary>
/// <remarks>
/// Every resource is checked against Istio 1.17's validation rules first (as Test-MeshResource does); if any is
/// invalid, each problem is reported and no file is written. Then:
/// a -Path ending in .yaml or .yml receives every object as one multi-document file;
/// with -Step, the folder -Path receives the file STEP.yaml with every object;
/// otherwise the folder -Path receives one file per object, [NAMESPACE/]KIND-NAME.yaml (kind in lower case).
/// Files are replaced whole (written to a temporary file, then moved); a folder or file inside the folder -Path that is
/// a symbolic link is never written through (UnsafeObjectPath, and no file is written). Each written file is emitted with its size
/// and the objects it holds. Warnings that the cmdlet which built or changed an object already showed are not
/// repeated. metadata.managedFields of objects read from a server is left out unless -ShowManagedFields is given.
/// Secret values (New-LabRegistrySecret's token) are written as &lt;redacted&gt; unless -IncludeSecrets is given.
/// </remarks>
/// <example>
/// <code>Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway | Export-LabManifest -Path ./lab -Step 06-split</code>
/// <para>Writes ./lab/06-split.yaml with the DestinationRule and the VirtualService, and shows OBJECTS 2, its SIZE and PATH.</para>
/// </example>
/// <example>
/// <code>New-MeshGateway -Name guestbook-ui-gateway | Export-LabManifest -Path ./manifests</code>
/// <para>Writes ./manifests/gateway-guestbook-ui-gateway.yaml.</para>
/// </example>
[Cmdlet(VerbsData.Export, "LabManifest", SupportsShouldProcess = true)]
[OutputType(typeof(ExportedManifest))]
public sealed class ExportLabManifestCommand : CancellableCmdlet
{
    private readonly List<LabResource> resources = [];

    /// <summary>The resources to write.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>A .yaml/.yml file, or a folder (created when missing).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = null!;

    /// <summary>Writes every object into the folder's file STEP.yaml (e.g. 03-fault-injection).</summary>
    [Parameter]
    public string? Step { get; set; }

    /// <summary>Writes without validating first.</summary>
    [Parameter]
    public SwitchParameter SkipValidation { get; set; }

    /// <summary>Writes Secrets' values; without it they are written as &lt;redacted&gt; (which an API server refuses).</summary>
    [Parameter]
    public SwitchParameter IncludeSecrets { get; set; }

    /// <summary>Writes metadata.managedFields of objects read from a server; without it they are left out, as kubectl get -o yaml does.</summary>
    [Parameter]
    public SwitchParameter ShowManagedFields { get; set; }

    protected override void ProcessRecord() => resources.AddRange(InputObject);

    protected override void EndProcessing()
    {
        if (resources.Count == 0 || (!SkipValidation && !AllValid()))
        {
            return;
        }

        var target = GetUnresolvedProviderPathFromPSPath(Path);
        var plan = ManifestLayout.Plan(resources, target, Step);
        ThrowIfInvalid(plan.Problems, Step ?? Path);
        if (!ManifestReader.IsManifestFile(target))
        {
            // A folder layout: no file is written through a symbolic link planted in the folder (checked before any is written).
            foreach (var (file, _) in plan.Files)
            {
                try
                {
                    ObjectFiles.CheckNoLinks(target, file);
                }
                catch (UnsafeObjectPathException ex)
                {
                    ThrowTerminatingError(LabErrors.FromTarget(ex, file));
                }
            }
        }
        foreach (var (file, content) in plan.Files)
        {
            if (!ShouldProcess(file, $"Write {content.Count} manifest(s)"))
            {
                continue;
            }

            try
            {
                var text = ManifestSerializer.Serialize(content, IncludeSecrets, ShowManagedFields);
                Await(AtomicFile.WriteAllTextAsync(file, text, CancellationToken));
                WriteObject(new ExportedManifest
                {
                    Path = file,
                    Length = new FileInfo(file).Length,
                    Objects = content.Count,
                    Contents = content.Select(r => r.DisplayName).ToList(),
                });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(LabErrors.Create(ErrorIds.ExportFailed, ex, file));
            }
            catch (ManifestFormatException ex)
            {
                // A value YAML cannot hold (half a surrogate pair set from PowerShell): that file is not written.
                WriteError(LabErrors.FromManifest(ex, file));
            }
        }
    }

    private bool AllValid()
    {
        var valid = true;
        foreach (var resource in resources)
        {
            var result = ResourceValidator.Validate(resource);
            foreach (var warning in result.Warnings.Where(w => !WarningLedger.WasShown(resource, w)))
            {
                WriteWarning(warning.ToString());
            }

            foreach (var error in result.Errors)
            {
                WriteError(LabErrors.Invalid(error, resource));
                valid = false;
            }
        }

        return valid;
    }
}
