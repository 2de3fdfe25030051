using System;
using System.Linq;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Live;

/// <summary>Which container a command runs in, chosen as kubectl exec chooses it.</summary>
public static class ExecPlan
{
    /// <summary>
    /// The container: the one asked for (it must be one of the pod's), else the pod's default-container annotation,
    /// else its first container. <c>Notice</c> is kubectl's 'Defaulted container ...' line when it chose among several;
    /// <c>Problem</c> says why there is none.
    /// </summary>
    public static (string? Container, string? Notice, string? Problem) Container(LabResource pod, string? requested)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var names = Maps(Map(pod.AdditionalFields, "spec"), "containers").Select(c => Text(c, "name") ?? string.Empty).ToList();
        if (requested is not null)
        {
            return names.Contains(requested, StringComparer.Ordinal)
                ? (requested, null, null)
                : (null, null, $"container {requested} is not valid for pod {pod.Name}: choose one of [{string.Join(" ", names)}]");
        }

        // The choice is kubectl's default-container rule, kept in one place (PodStatus.DefaultContainer).
        if (Status.PodStatus.DefaultContainer(pod, out _, out _) is not { } chosen)
        {
            return (null, null, $"pod {pod.Name} has no containers");
        }

        return (chosen, names.Count > 1 ? $"Defaulted container \"{chosen}\" out of: {string.Join(", ", names)}" : null, null);
    }

    /// <summary>The pod's status.phase (Pending, Running, Succeeded, Failed, Unknown), null when it has no status yet.</summary>
    public static string? Phase(LabResource pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Text(Map(pod.AdditionalFields, "status"), "phase");
    }

    /// <summary>The pod's phase is one that exec cannot enter (kubectl: 'cannot exec into a container in a completed pod').</summary>
    public static string? Refusal(LabResource pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var phase = Text(Map(pod.AdditionalFields, "status"), "phase");
        return phase is "Succeeded" or "Failed" ? $"cannot exec into a container in a completed pod; current phase is {phase}" : null;
    }
}
