using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Building;

/// <summary>What a kpack release manifest installs, and what Install-LabKpack waits for after applying it.</summary>
public sealed record KpackReleasePlan(string Version, IReadOnlyList<string> CustomResourceDefinitions, IReadOnlyList<(string Namespace, string Name)> Deployments);

/// <summary>One object Install-LabKpack waits for, and its readiness test.</summary>
public sealed record KpackReadinessWait(string Kind, string? Namespace, string Name, string What, Func<LabResource?, WaitState> Test);

/// <summary>kpack's release manifest (the codelab's v0.10.1): where it is, and which of its objects must become ready.</summary>
public static partial class KpackRelease
{
    public const string Version = "0.10.1";
    public const string Namespace = "kpack";

    /// <summary>The codelab's 'kubectl apply -f' URL.</summary>
    public static Uri DefaultUri { get; } = new("https://github.com/pivotal/kpack/releases/download/v0.10.1/release-0.10.1.yaml");

    /// <summary>The Deployments a kpack release runs: its controller and its webhook.</summary>
    public static IReadOnlyList<string> DeploymentNames { get; } = ["kpack-controller", "kpack-webhook"];

    public static ParameterMap Parameters { get; } = new(("Source", "-Uri, -Path"));

    /// <summary>A release defines kpack's CRDs (images.kpack.io among them) and runs its controller and webhook.</summary>
    public static ValidationResult Validate(IReadOnlyList<LabResource> resources, string source)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var result = new ValidationResult(Parameters);
        var plan = Plan(resources, source);
        if (!plan.CustomResourceDefinitions.Contains("images.kpack.io", StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidKpackRelease, "Source", source, $"{ValidationResult.Show(source)} is not a kpack release: it defines no CustomResourceDefinition images.kpack.io", "kpack release");
        }

        var missing = DeploymentNames.Where(n => !plan.Deployments.Contains((Namespace, n))).ToList();
        if (missing.Count > 0)
        {
            result.Error(ErrorIds.InvalidKpackRelease, "Source", source, $"{ValidationResult.Show(source)} is not a kpack release: it has no Deployment {string.Join(" or ", missing.Select(n => $"{Namespace}/{n}"))}", "kpack release");
        }

        return result;
    }

    /// <summary>The release's version (its Deployments' version label, else a vX.Y.Z in its source), CRDs and kpack Deployments.</summary>
    public static KpackReleasePlan Plan(IReadOnlyList<LabResource> resources, string source)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var crds = resources.Where(r => r.Kind == "CustomResourceDefinition").Select(r => r.Name).ToList();
        var deployments = resources.Where(r => r.Kind == "Deployment" && r.Namespace == Namespace && DeploymentNames.Contains(r.Name, StringComparer.Ordinal)).ToList();
        var labelled = deployments.Select(d => Text(Map(Map(Map(Map(ApiObjectMapper.ToTree(d), "spec"), "template"), "metadata"), "labels"), "version")).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        var fromSource = VersionInSource().Match(source ?? string.Empty);
        var version = labelled ?? (fromSource.Success ? fromSource.Groups[1].Value : "unknown");
        return new KpackReleasePlan(version, crds, deployments.Select(d => (d.Namespace ?? Namespace, d.Name)).ToList());
    }

    /// <summary>What Install-LabKpack waits for, in order: each CRD Established, then each Deployment rolled out.</summary>
    public static IReadOnlyList<KpackReadinessWait> Waits(KpackReleasePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var crds = plan.CustomResourceDefinitions.Select(name => new KpackReadinessWait("CustomResourceDefinition", null, name, $"CustomResourceDefinition {name}",
            r => Readiness.Condition(r, "CustomResourceDefinition", name, "Established", "True")));
        var deployments = plan.Deployments.Select(d => new KpackReadinessWait("Deployment", d.Namespace, d.Name, $"Deployment {d.Namespace}/{d.Name}",
            r => Readiness.Rollout(r, "Deployment", d.Name)));
        return crds.Concat(deployments).ToList();
    }

    [GeneratedRegex(@"v([0-9]+\.[0-9]+\.[0-9]+)")]
    private static partial Regex VersionInSource();
}
