using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Converts resources to one multi-document YAML string, as kubectl writes manifests.</summary>
/// <remarks>
/// Documents are separated by '---'. Fields are written in kubectl's order (apiVersion, kind, metadata, spec, then
/// sorted), strings that would read as numbers or booleans are quoted ("1.0"), and fields the module does not model
/// are written back as they were read, except metadata.managedFields of objects read from a server, which is left out
/// unless -ShowManagedFields is given (as kubectl get -o yaml does). Strings YAML would misread (timestamps, 1:20) are
/// quoted as well. The cmdlet only converts; Export-LabManifest and Test-MeshResource validate.
/// Secret values are written as &lt;redacted&gt; unless -IncludeSecrets is given. -AsJson writes the Kubernetes JSON form
/// instead, as kubectl get -o json prints it (the manifest's camelCase fields, not the PowerShell model's names; several
/// objects as a List), for kubectl apply -f - or jq.
/// </remarks>
/// <example>
/// <code>New-MeshGateway -Name guestbook-ui-gateway | ConvertTo-LabYaml -AsJson</code>
/// <para>The Gateway as kubectl -o json writes it: "apiVersion": "networking.istio.io/v1beta1", "kind": "Gateway", ...</para>
/// </example>
/// <example>
/// <code>New-MeshGateway -Name guestbook-ui-gateway | ConvertTo-LabYaml</code>
/// <para>The Gateway as YAML, ready for kubectl apply -f -.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "LabYaml")]
[OutputType(typeof(string))]
public sealed class ConvertToLabYamlCommand : LabCmdlet
{
    private readonly List<LabResource> resources = [];

    /// <summary>The resources to convert.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>Writes Secrets' values; without it they are written as &lt;redacted&gt; (which an API server refuses).</summary>
    [Parameter]
    public SwitchParameter IncludeSecrets { get; set; }

    /// <summary>Writes metadata.managedFields of objects read from a server; without it they are left out, as kubectl get -o yaml does.</summary>
    [Parameter]
    public SwitchParameter ShowManagedFields { get; set; }

    /// <summary>Writes Kubernetes' JSON form instead (camelCase fields, as kubectl get -o json): one object, or a List of several.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    protected override void ProcessRecord() => resources.AddRange(InputObject);

    protected override void EndProcessing()
    {
        if (resources.Count > 0)
        {
            try
            {
                WriteObject(AsJson
                    ? ManifestSerializer.SerializeJson(resources, IncludeSecrets, ShowManagedFields)
                    : ManifestSerializer.Serialize(resources, IncludeSecrets, ShowManagedFields));
            }
            catch (ManifestFormatException ex)
            {
                // A value YAML cannot hold (half a surrogate pair set from PowerShell).
                ThrowTerminatingError(LabErrors.FromManifest(ex, resources));
            }
        }
    }
}
