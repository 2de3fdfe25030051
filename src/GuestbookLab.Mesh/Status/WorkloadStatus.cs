using System;
using System.Collections.Generic;
using System.Globalization;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Status;

/// <summary>kubectl 1.35's columns for a workload read back from a target (<c>kubectl get deploy</c>).</summary>
/// <param name="Ready">READY: ready of wanted replicas (<c>2/2</c>); for a DaemonSet, ready pods.</param>
/// <param name="UpToDate">UP-TO-DATE: updated replicas (StatefulSets: the count kubectl leaves out, null).</param>
/// <param name="Available">AVAILABLE: available replicas (StatefulSets: null).</param>
/// <param name="Age">AGE from metadata.creationTimestamp, in kubectl's human-readable form.</param>
public sealed record WorkloadColumns(string Ready, long? UpToDate, long? Available, string Age)
{
    /// <summary>The DETAILS segments of the resources table: <c>ready 2/2; up-to-date 2; available 2; age 5m</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string> { $"ready {Ready}" };
        if (UpToDate is { } updated)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"up-to-date {updated}"));
        }

        if (Available is { } available)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"available {available}"));
        }

        parts.Add($"age {Age}");
        return string.Join("; ", parts);
    }
}

/// <summary>What kubectl get shows of a Deployment, StatefulSet or DaemonSet that a target has reported on.</summary>
public static class WorkloadStatus
{
    /// <summary>
    /// kubectl's READY, UP-TO-DATE, AVAILABLE and AGE for <paramref name="workload"/>, ages measured from
    /// <paramref name="now"/>; null for an object that carries no status (one built by the module or read from a
    /// manifest, not from a target), or a kind that is not a workload.
    /// </summary>
    public static WorkloadColumns? Columns(LabResource workload, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var tree = ApiObjectMapper.ToTree(workload);
        if (Map(tree, "status") is not { } status)
        {
            return null;
        }

        var spec = Map(tree, "spec");
        var age = Time(Map(tree, "metadata"), "creationTimestamp") is { } created ? PodStatus.HumanDuration(now - created) : "<unknown>";
        var wanted = Number(spec, "replicas") ?? 1;
        return workload.Kind switch
        {
            "Deployment" => new(Fraction(Number(status, "readyReplicas") ?? 0, wanted), Number(status, "updatedReplicas") ?? 0, Number(status, "availableReplicas") ?? 0, age),
            "StatefulSet" => new(Fraction(Number(status, "readyReplicas") ?? 0, wanted), null, null, age),
            "DaemonSet" => new(Fraction(Number(status, "numberReady") ?? 0, Number(status, "desiredNumberScheduled") ?? 0), Number(status, "updatedNumberScheduled") ?? 0, Number(status, "numberAvailable") ?? 0, age),
            _ => null,
        };
    }

    /// <summary><see cref="Columns(LabResource, DateTimeOffset)"/> as of now, for the format views.</summary>
    public static WorkloadColumns? Columns(LabResource workload) => Columns(workload, DateTimeOffset.UtcNow);

    private static string Fraction(long ready, long wanted) => string.Create(CultureInfo.InvariantCulture, $"{ready}/{wanted}");
}
