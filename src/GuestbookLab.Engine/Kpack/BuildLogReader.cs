using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Engine.Kpack;

/// <summary>What reading a build's log yields: a step's header, one of its lines, or why the build does not get on.</summary>
public abstract record BuildLogEvent;

/// <summary>A build step begins: kp prints '===> STEP'.</summary>
public sealed record BuildLogHeader(string Step) : BuildLogEvent
{
    public override string ToString() => "===> " + Step.ToUpperInvariant();
}

public sealed record BuildLogLine(string Step, string Text) : BuildLogEvent;

/// <summary>Where kp would hang silently: no pod yet, or a pod that is stuck (its reason).</summary>
public sealed record BuildLogStall(string Message) : BuildLogEvent;

/// <summary>
/// kp build logs (kpack's pkg/logs): the build pod found by its labels, each build step container that has started
/// streamed once and in the pod's order, each after its header; with follow, the pod is watched for its next step
/// until it has Succeeded or Failed, and a pod that does not appear or does not get on within the warning delay is
/// reported (once per reason).
/// </summary>
public static class BuildLogReader
{
    public static async IAsyncEnumerable<BuildLogEvent> ReadAsync(ILabTarget target, string ns, string image, long build, string buildName, bool follow, TimeSpan warnAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var streamed = new HashSet<string>(StringComparer.Ordinal);
        var podName = buildName + "-build-pod";
        string? warned = null;
        while (true)
        {
            var pods = await target.ListAsync("Pod", ns, null, BuildPod.Selector(image, build), cancellationToken).ConfigureAwait(false);
            var pod = pods.Count > 0 ? pods[0] : null;
            var next = pod is null ? null : BuildPod.Steps(pod).FirstOrDefault(s => !streamed.Contains(s.Name));
            if (pod is not null && next is { State: not BuildStepState.Waiting })
            {
                podName = pod.Name;
                streamed.Add(next.Name);
                yield return new BuildLogHeader(next.Name);
                await foreach (var line in target.ReadLogAsync(ns, pod.Name, next.Name, null, follow && next.State == BuildStepState.Running, cancellationToken).ConfigureAwait(false))
                {
                    yield return new BuildLogLine(next.Name, line);
                }

                // The pod has moved on meanwhile: read it again for the next step.
                continue;
            }

            if (pod is not null && (next is null || BuildPod.Finished(pod)))
            {
                yield break;
            }

            var stall = Stall(buildName, pod, "yet");
            if (!follow)
            {
                if (stall is not null)
                {
                    yield return new BuildLogStall(stall);
                }

                yield break;
            }

            podName = pod?.Name ?? podName;
            var timedOut = false;
            try
            {
                await target.WaitForAsync("Pod", ns, podName, p => p is not null && (BuildPod.Finished(p) || BuildPod.Steps(p).Any(s => !streamed.Contains(s.Name) && s.State != BuildStepState.Waiting)), warnAfter, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                timedOut = true;
            }

            if (timedOut)
            {
                // Read again for the reason as it stands now, and say it once.
                pods = await target.ListAsync("Pod", ns, null, BuildPod.Selector(image, build), cancellationToken).ConfigureAwait(false);
                pod = pods.Count > 0 ? pods[0] : null;
                stall = pod is null ? $"Build {buildName} has no pod after {Seconds(warnAfter)} (kpack has not started the build)"
                    : BuildPod.Stalled(pod) is { } reason ? $"Build {buildName}: pod {pod.Name}: {reason}" : null;
                if (stall is not null && stall != warned)
                {
                    warned = stall;
                    yield return new BuildLogStall(stall);
                }
            }
        }
    }

    private static string? Stall(string buildName, LabResource? pod, string when) =>
        pod is null ? $"Build {buildName} has no pod {when} (kpack has not started the build)"
        : BuildPod.Stalled(pod) is { } reason ? $"Build {buildName}: pod {pod.Name}: {reason}" : null;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
