using System;
using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Reads Kubernetes manifests (multi-document YAML) into typed resources.</summary>
/// <remarks>
/// Gateways, VirtualServices, DestinationRules and ServiceEntries (networking.istio.io v1alpha3 and v1beta1) become
/// typed objects that the Mesh cmdlets can change; every other kind becomes a GenericResource with all its fields.
/// Text piped in line by line (Get-Content) is joined before it is read. -Path and -LiteralPath take files or folders
/// (every .yaml and .yml file below a folder, in path order), -Uri http(s) URLs. A field whose value does not fit the
/// API (weight: "20") is an error naming the document and the field; a file that cannot be read is reported and the
/// others are still read.
/// </remarks>
/// <example>
/// <code>"apiVersion: networking.istio.io/v1beta1`nkind: DestinationRule`nmetadata:`n  name: ui`nspec:`n  host: ui" | ConvertFrom-LabYaml | Add-MeshSubset -Name v1 -Labels @{ version = '1.0' }</code>
/// <para>Reads a DestinationRule from text and adds a subset to it.</para>
/// </example>
/// <example>
/// <code>New-MeshGateway -Name guestbook-ui-gateway | Export-LabManifest -Path ./gateway.yaml | Out-Null
/// ConvertFrom-LabYaml -Path ./gateway.yaml</code>
/// <para>Reads every document of a manifest file.</para>
/// </example>
[Cmdlet(VerbsData.ConvertFrom, "LabYaml", DefaultParameterSetName = YamlSet)]
[OutputType(typeof(LabResource))]
public sealed class ConvertFromLabYamlCommand : CancellableCmdlet
{
    private const string YamlSet = "Yaml";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string UriSet = "Uri";

    private readonly List<string> text = [];

    /// <summary>YAML text: one or more documents separated by '---'.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = YamlSet)]
    [AllowEmptyString]
    public string Yaml { get; set; } = null!;

    /// <summary>Manifest files or folders (every .yaml and .yml file below them) to read; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>Manifest files or folders to read, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>http(s) URLs of manifests to read, as kubectl apply -f URL reads them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    public Uri[] Uri { get; set; } = null!;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == YamlSet)
        {
            text.Add(Yaml);
            return;
        }

        WriteObject(ReadManifests(Path, LiteralPath, Uri, ManifestErrors.Continue), enumerateCollection: true);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == YamlSet)
        {
            WriteObject(ReadManifestText(string.Join("\n", text), ManifestErrors.Stop), enumerateCollection: true);
        }
    }
}
