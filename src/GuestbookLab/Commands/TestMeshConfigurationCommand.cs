using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Analyzes a configuration offline, like istioctl analyze: missing references, conflicts, unreachable routes, policies that match nothing.</summary>
/// <remarks>
/// Runs Istio 1.17's analyzers, with Istio's semantics, over pipeline objects, manifest files and folders (-Path, alias
/// -Directory) or, when neither is given, the connected target: references that do not exist (IST0101: hosts and
/// mirrors honouring exportTo, subsets, gateways, gateway selectors and credentialName Secrets, namespaces, Sidecar
/// selectors), gateway ports (IST0104), proxy images (IST0105), injection (IST0102, IST0103, IST0123, IST0148), schema
/// (IST0106, IST0133), conflicting mesh hosts (IST0109), Sidecars (IST0110, IST0111), IST0112, port names (IST0118,
/// IST0150), regexes (IST0122), policies matching no workload (IST0127), DestinationRules without CA certificates
/// (IST0128, IST0129), unreachable and ineffective rules (IST0130, IST0131), hosts missing from their gateway (IST0132),
/// ServiceEntries without addresses (IST0134), duplicate certificates (IST0138), IST0140, UID 1337 (IST0144),
/// conflicting gateways (IST0145), JWT claim routes without RequestAuthentication (IST0149), telemetry providers
/// (IST0157), deprecated fields (IST0002), annotations (misplaced IST0107, unknown IST0108, invalid IST0125, deprecated
/// IST0135; alpha-phase IST0136 only when maturity.AlphaAnalyzer is asked for, as Istio leaves it out), Deployments and
/// their Services (IST0116, IST0117, IST0137), `image: auto` (IST0146, IST0147), EnvoyFilter patches (IST0151 to
/// IST0155), injection webhooks (IST0139) and mesh networks (IST0126); and GuestbookLab's own findings: DestinationRules for unknown hosts
/// (GBL0001) or subsets without pods (GBL0002), principals no workload has (GBL0003), STRICT mTLS with workloads
/// outside the mesh (GBL0004), conflicting or shadowed ServiceEntries (GBL0005, GBL0006), probes that fail under STRICT
/// (GBL0007), ALLOW rules split so that one admits any source (GBL0008) and routes after a match-less route that is
/// not last (GBL0009, which Istio's validation does not report). Each message has its code, level, resource
/// ('Kind namespace/name') and text, and, for a resource read from a manifest file, folder or URL, its Source: the
/// file and the line of the field the finding is about (else of the resource's document), shown after the resource as
/// istioctl analyze shows it ('VirtualService default/reviews vs.yaml:12'); -Suppress and the galley.istio.io/analyze-suppress annotation leave findings out,
/// -OutputThreshold leaves out findings below a level, and -MeshConfig gives the mesh config (root namespace, DNS
/// auto-allocation, default providers) as istioctl analyze --meshConfigFile does; -MeshNetworks the mesh networks.
///
/// As istioctl analyze exits non-zero on an Error finding, after writing the findings the cmdlet writes the
/// non-terminating error ConfigurationErrorFindings when one is at level Error, so $? is false, -ErrorAction Stop
/// stops a script and a CI step fails. -FailOn Warning (or Info, or Error) makes findings of that level or worse a
/// terminating error instead; -FailOn None only reports.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name reviews -Hosts reviews | Add-MeshRoute -Destination reviews -Subset v2 | Test-MeshConfiguration -FailOn None</code>
/// <para>Reports that the host reviews and the subset v2 do not exist (IST0101), and only reports them.</para>
/// </example>
/// <example>
/// <code>try { New-MeshVirtualService -Name reviews -Hosts reviews | Add-MeshRoute -Destination reviews -Subset v2 | Test-MeshConfiguration -ErrorAction Stop | Out-Null }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>By default an Error finding is also an error after the findings, so a script stops: ConfigurationErrorFindings,Test-MeshConfiguration.</para>
/// </example>
/// <example>
/// <code>New-MeshVirtualService -Name reviews -Hosts reviews | Add-MeshRoute -Destination reviews -Subset v2 | Test-MeshConfiguration -FailOn None -Suppress 'IST0101=VirtualService reviews*'</code>
/// <para>Leaves out the VirtualService's missing references, as istioctl analyze -S does ('Kind name.namespace' or 'Kind namespace/name', * matching anything).</para>
/// </example>
/// <example>
/// <code>Add-MeshEgressEntry -Name db -Hosts db.example.com -Port 5432 -Protocol TCP | Test-MeshConfiguration -OutputThreshold Error</code>
/// <para>Writes nothing: the entry's only finding, IST0134 (a TCP ServiceEntry without addresses), is a Warning, below the threshold, as istioctl analyze --output-threshold Error leaves it out.</para>
/// </example>
/// <example>
/// <code>Add-MeshEgressEntry -Name db -Hosts db.example.com -Port 5432 -Protocol TCP | Test-MeshConfiguration -MeshConfig @{ defaultConfig = @{ proxyMetadata = @{ ISTIO_META_DNS_CAPTURE = 'true'; ISTIO_META_DNS_AUTO_ALLOCATE = 'true' } } }</code>
/// <para>Analyzes with this mesh config (a file path works too, as istioctl analyze --meshConfigFile): with DNS capture and address auto-allocation the entry needs no addresses, so IST0134 is not reported.</para>
/// </example>
/// <example>
/// <code>New-MeshGateway -Name guestbook-ui-gateway | Test-MeshConfiguration -FailOn Error</code>
/// <para>Passes: the ingress gateway the demo profile installs is assumed, and it serves port 80.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "MeshConfiguration")]
[OutputType(typeof(AnalysisMessage))]
public sealed class TestMeshConfigurationCommand : MeshConfigurationCmdlet
{
    /// <summary>http(s) URLs of manifests to analyze, as kubectl apply -f URL reads them.</summary>
    [Parameter]
    public Uri[]? Uri { get; set; }

    protected override IReadOnlyList<Uri>? ManifestUris => Uri;

    /// <summary>Stop with a terminating error when a finding is at least this level: Error, Warning or Info; None only reports (by default an Error finding writes a non-terminating error).</summary>
    [Parameter]
    [ValidateSet("Error", "Warning", "Info", "None")]
    public string? FailOn { get; set; }

    /// <summary>Findings not to report, as istioctl analyze --suppress: 'CODE=Kind name.namespace' or 'CODE=Kind namespace/name', * matching any characters (e.g. 'IST0103=Pod *.testing').</summary>
    [Parameter]
    public string[]? Suppress { get; set; }

    /// <summary>The mesh config, as istioctl analyze --meshConfigFile takes it: a file of MeshConfig fields (YAML or JSON), or a hashtable or object of them (e.g. @{ rootNamespace = 'istio-config' }); by default the IstioOperator's meshConfig among the inputs.</summary>
    [Parameter]
    public object? MeshConfig { get; set; }

    /// <summary>The mesh networks (Istio's meshNetworks: networks by name with their endpoints' fromRegistry and gateways), a file of them (YAML or JSON) or a hashtable or object; checked for unknown service registries (IST0126).</summary>
    [Parameter]
    public object? MeshNetworks { get; set; }

    /// <summary>The lowest level of the findings written, as istioctl analyze --output-threshold: Info (the default), Warning or Error. -FailOn still weighs every finding.</summary>
    [Parameter]
    [ValidateSet("Info", "Warning", "Error")]
    public string OutputThreshold { get; set; } = "Info";

    protected override void EndProcessing()
    {
        var suppressions = new List<AnalysisSuppression>();
        foreach (var text in Suppress ?? [])
        {
            try
            {
                suppressions.Add(AnalysisSuppression.Parse(text));
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidSuppression, Messages.ForParameter("-Suppress", ex.Message), text));
            }

            if (!AnalysisSuppression.IsKnownCode(suppressions[^1].Code))
            {
                WriteWarning($"-Suppress: '{suppressions[^1].Code}' is an unknown message code and will not have any effect.");
            }
        }

        var messages = MeshAnalyzer.Analyze(LoadModel(), new AnalysisOptions
        {
            Suppressions = suppressions, MeshConfig = ReadMeshConfig(MeshConfig, "-MeshConfig", "MeshConfig"), MeshNetworks = ReadMeshConfig(MeshNetworks, "-MeshNetworks", "MeshNetworks"),
            ReadYaml = ManifestReader.ReadYamlValue,
        });
        var verdict = AnalysisVerdict.Of(messages, FailOn, OutputThreshold);
        WriteObject(Call(new ManifestLocator(ManifestLimitsInUse()).PlaceAsync(verdict.Shown, CancellationToken), null), enumerateCollection: true);
        if (verdict.Failing.Count == 0)
        {
            return;
        }

        if (!verdict.Stops)
        {
            WriteError(LabErrors.Create(ErrorIds.ConfigurationErrorFindings, Messages.ConfigurationErrorFindings(verdict.Failing.Count, verdict.Failing[0].ToString()!), verdict.Failing));
            return;
        }

        ThrowTerminatingError(LabErrors.Create(ErrorIds.ConfigurationFindings,
            Messages.ConfigurationFindings(verdict.Failing.Count, FailOn!, string.Join("; ", verdict.Failing.Take(3)) + (verdict.Failing.Count > 3 ? "; ..." : string.Empty)), verdict.Failing));
    }

    /// <summary>-MeshConfig or -MeshNetworks as a tree: a path is read as a file (ManifestReadFailed, InvalidManifest), an object converted; anything but a mapping is InvalidMeshConfig.</summary>
    private IDictionary<string, object?>? ReadMeshConfig(object? value, string parameter, string fields)
    {
        if (value is null)
        {
            return null;
        }

        var tree = LabCmdlet.Unwrap(value) is string path
            ? Call(ManifestReader.ReadMeshConfigAsync(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path), CancellationToken), path)
            : ToTree(value);
        if (tree is not IDictionary<string, object?> map)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidMeshConfig, Messages.ForParameter(parameter, $"give a file, or a hashtable or object of {fields} fields"), value));
            return null;
        }

        return map;
    }
}
