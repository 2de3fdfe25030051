using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// What Publish-LabResource and Compare-LabResource take: objects from the pipeline, manifest files or folders
/// (-Path, -LiteralPath) or http(s) URLs (-Uri), every source read before anything is sent; then validated together
/// with the apply rules, each problem a non-terminating error.
/// </summary>
public abstract class ApplyInputCmdlet : TargetCmdlet
{
    /// <summary>The name of the parameter set that takes objects from the pipeline (the cmdlets' default).</summary>
    protected const string ObjectSet = "Object";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string UriSet = "Uri";

    private readonly List<LabResource> resources = [];

    /// <summary>The resources to apply (Publish-LabResource) or compare with the target (Compare-LabResource).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>Manifest files or folders (every .yaml and .yml file below them); wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>Manifest files or folders, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>http(s) URLs of manifests.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    public Uri[] Uri { get; set; } = null!;

    /// <summary>Every object given so far, in order.</summary>
    protected IReadOnlyList<LabResource> Resources => resources;

    protected override void ProcessRecord() =>
        resources.AddRange(ParameterSetName == ObjectSet ? InputObject : ReadManifests(Path, LiteralPath, Uri, ManifestErrors.Stop));

    /// <summary>Writes each apply-rule problem of the objects as a non-terminating error; true when there was none.</summary>
    protected bool AllValid()
    {
        var problems = resources.SelectMany(r => ApplyRules.Problems(r).Select(issue => (Resource: r, Issue: issue))).ToList();
        foreach (var (resource, issue) in problems)
        {
            WriteError(LabErrors.Invalid(issue, resource));
        }

        return problems.Count == 0;
    }
}
