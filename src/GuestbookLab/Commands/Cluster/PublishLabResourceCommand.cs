using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Applies resources to the connected target: created, configured or unchanged, one result per object.</summary>
/// <remarks>
/// Every object is validated first (Istio 1.17's rules, as Test-MeshResource); if one is invalid, each problem is
/// reported and nothing is applied. Objects are then applied in dependency order (CRDs and namespaces first, then
/// accounts and configuration, services, workloads, mesh configuration), each labelled
/// app.kubernetes.io/managed-by=guestbooklab so that Remove-LabResource -All -Owned removes exactly what the lab
/// made; objects of one rank are independent and go to a cluster eight at a time. Namespaced objects without a
/// namespace go to 'default'. Objects come from the pipeline, from manifest
/// files and folders (-Path, -LiteralPath) or from http(s) URLs (-Uri), like the kpack release and the Istio addons the codelab applies; every
/// source is read before anything is applied. Each result says whether the object was Created, Configured (changed)
/// or Unchanged. -WhatIf names each object it would apply; Compare-LabResource shows what applying would change
/// (kubectl diff, a server-side dry run on a cluster).
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } | Publish-LabResource</code>
/// <para>Applies the DestinationRule and the VirtualService; run it again and both are Unchanged.</para>
/// </example>
[Cmdlet(VerbsData.Publish, "LabResource", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(ApplyResult))]
public sealed class PublishLabResourceCommand : TargetCmdlet
{
    private const string ObjectSet = "Object";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string UriSet = "Uri";

    private readonly List<LabResource> resources = [];

    /// <summary>The resources to apply.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>Manifest files or folders (every .yaml and .yml file below them) to apply; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>Manifest files or folders to apply, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>http(s) URLs of manifests to apply.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    public Uri[] Uri { get; set; } = null!;

    /// <summary>Takes ownership of fields another field manager owns (server-side apply's force).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() =>
        resources.AddRange(ParameterSetName == ObjectSet ? InputObject : ReadManifests(Path, LiteralPath, Uri, ManifestErrors.Stop));

    protected override void EndProcessing()
    {
        var problems = resources.SelectMany(r => ApplyRules.Problems(r).Select(issue => (Resource: r, Issue: issue))).ToList();
        foreach (var (resource, issue) in problems)
        {
            WriteError(LabErrors.Invalid(issue, resource));
        }

        if (problems.Count > 0)
        {
            return;
        }

        var (connection, target) = OpenTarget();
        foreach (var attempt in ApplyInRanks(target, resources, Force, r => ShouldProcess(r.DisplayName, $"Apply to {connection}")))
        {
            if (attempt.Result is { } result)
            {
                WriteVerbose($"{result} ({result.Location})");
                WriteObject(result);
            }
            else
            {
                WriteError(LabErrors.FromTarget(attempt.Error!, attempt.Resource));
            }
        }
    }
}
