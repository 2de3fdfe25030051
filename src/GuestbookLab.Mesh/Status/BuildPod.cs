using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Status;

/// <summary>Where a build step container stands, from the pod's container statuses.</summary>
// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum BuildStepState : long
{
    Waiting,
    Running,
    Terminated,
}

/// <summary>One build step of a kpack build pod: its container, state and (while waiting) the kubelet's reason.</summary>
public sealed record BuildStep(string Name, BuildStepState State, string? Reason, string? Message);

/// <summary>
/// Where a build pod stands, for a progress bar: the step it is in (null once every step has ended), its place among
/// the pod's build steps (1-based), and why it does not get on, when the pod says.
/// </summary>
public sealed record BuildProgress(string Pod, string? Step, int Index, int Count, string? Stalled)
{
    /// <summary>How far the build is, for a progress bar: the steps ended of all (-1 when the pod has no build steps).</summary>
    public int PercentComplete => Count == 0 ? -1 : Math.Min(100, (Step is null ? Count : Index - 1) * 100 / Count);

    /// <summary>
    /// What a wait on the Image says while this build (number <paramref name="build"/>) runs: the Image's state with the
    /// pod's step after it; a finished wait says only the Image's state.
    /// </summary>
    public WaitState Describe(WaitState image, long build)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Done ? image : image with { Message = $"{image.Message.TrimEnd('.')}; build {build.ToString(System.Globalization.CultureInfo.InvariantCulture)}'s pod {Pod}: {this}" };
    }

    /// <summary>What a progress bar says: 'step 3 of 7: detect', 'every step has ended', and a stall's reason.</summary>
    public override string ToString() =>
        (Step is null ? "every step has ended" : $"step {Index} of {Count}: {Step}") + (Stalled is null ? string.Empty : " (" + Stalled + ")");
}

/// <summary>
/// kpack's build pods as kp build logs reads them (kpack v0.10.2 pkg/logs, build_pod.go): found by the labels
/// image.kpack.io/image and image.kpack.io/buildNumber; the build steps are the init containers prepare, analyze,
/// detect, restore, build, export (or rebase) and then the container completion, in the pod's order.
/// </summary>
public static class BuildPod
{
    /// <summary>The build-step container names (build_pod.go); other containers are not build steps.</summary>
    public static IReadOnlyList<string> StepNames { get; } = ["prepare", "analyze", "detect", "restore", "build", "export", "rebase", "completion"];

    /// <summary>The label selector of a build's pod.</summary>
    public static LabelQuery Selector(string image, long build) =>
        LabelQuery.Parse($"{KpackKinds.ImageLabel}={image},{KpackKinds.BuildNumberLabel}={build.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>The latest build of an Image (the highest build number), or the one numbered <paramref name="number"/>.</summary>
    public static KpackBuild? Pick(IEnumerable<LabResource> builds, long? number) =>
        builds.OfType<KpackBuild>().Where(b => b.BuildNumber is not null && (number is null || b.BuildNumber == number))
            .OrderByDescending(b => b.BuildNumber).FirstOrDefault();

    /// <summary>The pod's build steps, init containers first, each with its state.</summary>
    public static IReadOnlyList<BuildStep> Steps(LabResource pod)
    {
        var tree = ApiObjectMapper.ToTree(pod);
        var spec = Map(tree, "spec");
        var status = Map(tree, "status");
        var states = Maps(status, "initContainerStatuses").Concat(Maps(status, "containerStatuses"))
            .Where(s => Text(s, "name") is not null).GroupBy(s => Text(s, "name")!).ToDictionary(g => g.Key, g => Map(g.First(), "state"), StringComparer.Ordinal);
        var steps = new List<BuildStep>();
        foreach (var name in Maps(spec, "initContainers").Concat(Maps(spec, "containers")).Select(c => Text(c, "name")).OfType<string>().Where(n => StepNames.Contains(n, StringComparer.Ordinal)))
        {
            var state = states.TryGetValue(name, out var s) ? s : null;
            var waiting = Map(state, "waiting");
            steps.Add(Map(state, "terminated") is not null ? new BuildStep(name, BuildStepState.Terminated, null, null)
                : Map(state, "running") is not null ? new BuildStep(name, BuildStepState.Running, null, null)
                : new BuildStep(name, BuildStepState.Waiting, Text(waiting, "reason"), Text(waiting, "message")));
        }

        return steps;
    }

    /// <summary>Whether the pod has finished (phase Succeeded or Failed).</summary>
    public static bool Finished(LabResource pod) => Phase(pod) is "Succeeded" or "Failed";

    public static string? Phase(LabResource pod) => Text(Map(ApiObjectMapper.ToTree(pod), "status"), "phase");

    /// <summary>The step the build is in: the running one, else the first not finished; null once all have ended.</summary>
    public static string? CurrentStep(LabResource pod) => CurrentStep(Steps(pod));

    private static string? CurrentStep(IReadOnlyList<BuildStep> steps)
    {
        return (steps.FirstOrDefault(s => s.State == BuildStepState.Running) ?? steps.FirstOrDefault(s => s.State == BuildStepState.Waiting))?.Name;
    }

    /// <summary>Where the pod stands among its build steps (see <see cref="BuildProgress"/>).</summary>
    public static BuildProgress Progress(LabResource pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var steps = Steps(pod);
        var current = CurrentStep(steps);
        var index = current is null ? steps.Count : steps.Select(s => s.Name).ToList().IndexOf(current) + 1;
        return new BuildProgress(pod.Name, current, index, steps.Count, Stalled(pod, steps));
    }

    /// <summary>
    /// Why the pod does not get on, as kubectl describe would show it: a step container waiting for a reason other
    /// than starting (ImagePullBackOff, ErrImagePull, CreateContainerConfigError ...), or a pod that is not scheduled
    /// (PodScheduled=False: Unschedulable); null when nothing is wrong that the pod says.
    /// </summary>
    public static string? Stalled(LabResource pod) => Stalled(pod, Steps(pod));

    private static string? Stalled(LabResource pod, IReadOnlyList<BuildStep> steps)
    {
        var stuck = steps.FirstOrDefault(s => s.State == BuildStepState.Waiting && s.Reason is { } r && r is not ("PodInitializing" or "ContainerCreating"));
        if (stuck is not null)
        {
            return $"container {stuck.Name} is waiting: {stuck.Reason}{(string.IsNullOrEmpty(stuck.Message) ? string.Empty : " (" + stuck.Message + ")")}";
        }

        var status = Map(ApiObjectMapper.ToTree(pod), "status");
        var scheduled = Maps(status, "conditions").FirstOrDefault(c => Text(c, "type") == "PodScheduled" && Text(c, "status") == "False");
        if (scheduled is not null)
        {
            return $"the pod is {Text(status, "phase") ?? "Pending"}, not scheduled: {Text(scheduled, "reason")}{(Text(scheduled, "message") is { Length: > 0 } m ? " (" + m + ")" : string.Empty)}";
        }

        return Text(status, "phase") is "Pending" or null && steps.All(s => s.State == BuildStepState.Waiting) ? $"the pod is {Text(status, "phase") ?? "Pending"}" : null;
    }
}
