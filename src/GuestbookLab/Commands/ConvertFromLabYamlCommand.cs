using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Reads Kubernetes manifests (multi-document YAML) into typed resources.</summary>
/// <remarks>
/// Gateways, VirtualServices, DestinationRules and ServiceEntries (networking.istio.io v1alpha3 and v1beta1) become
/// typed objects that the Mesh cmdlets can change; every other kind becomes a GenericResource with all its fields.
/// Text piped in line by line (Get-Content) is joined before it is read. A field whose value does not fit the API
/// (weight: "20") is an error naming the document and the field.
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
public sealed class ConvertFromLabYamlCommand : LabCmdlet
{
    private const string YamlSet = "Yaml";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly List<string> text = [];

    /// <summary>YAML text: one or more documents separated by '---'.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = YamlSet)]
    [AllowEmptyString]
    public string Yaml { get; set; } = null!;

    /// <summary>Manifest files to read; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>Manifest files to read, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = null!;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == YamlSet)
        {
            text.Add(Yaml);
            return;
        }

        foreach (var file in ResolveFiles())
        {
            try
            {
                WriteObject(ManifestSerializer.Deserialize(File.ReadAllText(file), file), enumerateCollection: true);
            }
            catch (ManifestFormatException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, file));
            }
            catch (IOException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.ManifestNotFound, ErrorCategory.ReadError, file));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName != YamlSet)
        {
            return;
        }

        try
        {
            WriteObject(ManifestSerializer.Deserialize(string.Join("\n", text)), enumerateCollection: true);
        }
        catch (ManifestFormatException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, null));
        }
    }

    private IEnumerable<string> ResolveFiles()
    {
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var literal in LiteralPath)
            {
                var file = GetUnresolvedProviderPathFromPSPath(literal);
                if (File.Exists(file))
                {
                    yield return file;
                }
                else
                {
                    WriteError(NotFound(literal));
                }
            }

            yield break;
        }

        foreach (var pattern in Path)
        {
            List<string> files;
            try
            {
                files = GetResolvedProviderPathFromPSPath(pattern, out _).Where(File.Exists).ToList();
            }
            catch (ItemNotFoundException)
            {
                files = [];
            }

            if (files.Count == 0)
            {
                WriteError(NotFound(pattern));
            }

            foreach (var file in files)
            {
                yield return file;
            }
        }
    }

    private static ErrorRecord NotFound(string path) =>
        new(new FileNotFoundException($"No manifest file matches '{path}'.", path), ErrorIds.ManifestNotFound, ErrorCategory.ObjectNotFound, path);
}
