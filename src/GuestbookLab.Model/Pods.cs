using System;
using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>
/// A pod as <c>kubectl get pods</c> shows it: READY (ready/total containers), STATUS (the phase or what a container is
/// waiting on, Init:n/m, Terminating, ...), RESTARTS and AGE, and whether Istio injected its sidecar (istio-proxy).
/// </summary>
public sealed class LabPod
{
    /// <summary>A summary of <paramref name="pod"/>; GuestbookLab.Mesh.Status.PodStatus computes its columns.</summary>
    public LabPod(LabResource pod)
    {
        Object = pod;
    }

    /// <summary>The istio-proxy container that sidecar injection adds.</summary>
    public const string SidecarName = "istio-proxy";

    public string Name => Object.Name;

    public string? Namespace => Object.Namespace;

    /// <summary>Ready containers over containers, as kubectl writes it: 2/2.</summary>
    public string Ready => $"{ReadyContainers}/{TotalContainers}";

    public int ReadyContainers { get; init; }

    public int TotalContainers { get; init; }

    /// <summary>kubectl's STATUS column: Running, Pending, CrashLoopBackOff, Init:0/1, Completed, Terminating, ...</summary>
    public string Status { get; init; } = string.Empty;

    public int Restarts { get; init; }

    /// <summary>When a container last terminated before a restart, if it ever restarted.</summary>
    public DateTimeOffset? LastRestart { get; init; }

    public DateTimeOffset? Created { get; init; }

    /// <summary>kubectl's AGE column at the moment the pod was read: 47s, 2m23s, 5h, 3d4h.</summary>
    public string Age { get; init; } = "<unknown>";

    /// <summary>kubectl's RESTARTS column: 0, or 3 (5m ago).</summary>
    public string RestartsText { get; init; } = "0";

    /// <summary>Whether the pod runs Istio's sidecar.</summary>
    public bool SidecarInjected { get; init; }

    public IReadOnlyList<string> Containers { get; init; } = [];

    public string? Node { get; init; }

    public string? PodIP { get; init; }

    public IReadOnlyDictionary<string, string> Labels => Object.Metadata.Labels ?? new Dictionary<string, string>();

    /// <summary>The pod object as read.</summary>
    public LabResource Object { get; }

    public override string ToString() => $"{Name} {Ready} {Status}";
}
