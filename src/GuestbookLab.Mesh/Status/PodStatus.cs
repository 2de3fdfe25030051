using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Status;

/// <summary>
/// Get-LabPod's columns: a Pod object summarized the way kubectl 1.35's pod printer shows it (READY, STATUS,
/// RESTARTS, AGE), and whether Istio injected its sidecar.
/// </summary>
public static class PodStatus
{
    /// <summary>Summarizes a Pod object the way kubectl 1.35 prints it, ages measured from <paramref name="now"/>.</summary>
    public static LabPod From(LabResource pod, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (!string.Equals(pod.Kind, "Pod", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{pod.DisplayName} is not a Pod.", nameof(pod));
        }

        var fields = pod.AdditionalFields;
        var spec = Map(fields, "spec");
        var status = Map(fields, "status");
        var metadata = pod.Metadata.AdditionalFields;
        var containers = Maps(spec, "containers");
        var initSpecs = Maps(spec, "initContainers");
        var names = containers.Select(c => Text(c, "name") ?? string.Empty).ToList();
        var created = Time(metadata, "creationTimestamp");
        var sidecarInjected = names.Contains(LabPod.SidecarName, StringComparer.Ordinal)
            || initSpecs.Any(c => Text(c, "name") == LabPod.SidecarName);

        // Sidecar-style init containers (restartPolicy: Always) count as containers, as in kubectl.
        var restartable = new HashSet<string>(initSpecs.Where(c => Text(c, "restartPolicy") == "Always").Select(c => Text(c, "name") ?? string.Empty), StringComparer.Ordinal);
        var totalContainers = containers.Count + restartable.Count;
        var readyContainers = 0;
        var reason = Text(status, "reason") ?? Text(status, "phase") ?? "Pending";
        var restarts = 0;
        DateTimeOffset? lastRestart = null;
        void NoteRestart(IDictionary<string, object?> cs)
        {
            restarts += (int)(Number(cs, "restartCount") ?? 0);
            if (Time(Map(Map(cs, "lastState"), "terminated"), "finishedAt") is { } finished && (lastRestart is null || finished > lastRestart))
            {
                lastRestart = finished;
            }
        }

        var initStatuses = Maps(status, "initContainerStatuses");
        var initializing = false;
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var cs = initStatuses[i];
            NoteRestart(cs);
            var state = Map(cs, "state");
            var terminated = Map(state, "terminated");
            var waiting = Map(state, "waiting");
            if (terminated is not null && Number(terminated, "exitCode") == 0)
            {
                continue;
            }

            if (restartable.Contains(Text(cs, "name") ?? string.Empty))
            {
                if (Map(state, "running") is not null && Flag(cs, "started") == true)
                {
                    if (Flag(cs, "ready") == true)
                    {
                        readyContainers++;
                    }

                    continue;
                }
            }

            if (terminated is not null)
            {
                reason = "Init:" + (Text(terminated, "reason") ?? (Number(terminated, "signal") is { } signal and not 0
                    ? $"Signal:{signal}"
                    : $"ExitCode:{Number(terminated, "exitCode") ?? 0}"));
            }
            else if (waiting is not null && Text(waiting, "reason") is { Length: > 0 } why && why != "PodInitializing")
            {
                reason = "Init:" + why;
            }
            else
            {
                reason = $"Init:{i}/{initSpecs.Count}";
            }

            initializing = true;
            break;
        }

        if (!initializing)
        {
            var hasRunning = false;
            var statuses = Maps(status, "containerStatuses");
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var cs = statuses[i];
                NoteRestart(cs);
                var state = Map(cs, "state");
                var terminated = Map(state, "terminated");
                var waiting = Map(state, "waiting");
                if (waiting is not null && Text(waiting, "reason") is { Length: > 0 } waitReason)
                {
                    reason = waitReason;
                }
                else if (terminated is not null && Text(terminated, "reason") is { Length: > 0 } endReason)
                {
                    reason = endReason;
                }
                else if (terminated is not null)
                {
                    reason = Number(terminated, "signal") is { } signal and not 0 ? $"Signal:{signal}" : $"ExitCode:{Number(terminated, "exitCode") ?? 0}";
                }
                else if (Flag(cs, "ready") == true && Map(state, "running") is not null)
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            if (reason == "Completed" && hasRunning)
            {
                var readyCondition = Maps(status, "conditions").FirstOrDefault(c => Text(c, "type") == "Ready");
                reason = readyCondition is not null && Text(readyCondition, "status") == "True" ? "Running" : "NotReady";
            }
        }

        if (Text(metadata, "deletionTimestamp") is not null)
        {
            reason = Text(status, "reason") == "NodeLost" ? "Unknown" : "Terminating";
        }

        return new LabPod(pod)
        {
            Containers = names,
            Node = Text(spec, "nodeName"),
            PodIP = Text(status, "podIP"),
            Created = created,
            SidecarInjected = sidecarInjected,
            TotalContainers = totalContainers,
            ReadyContainers = readyContainers,
            Status = reason,
            Restarts = restarts,
            LastRestart = lastRestart,
            RestartsText = restarts > 0 && lastRestart is { } last
                ? $"{restarts.ToString(CultureInfo.InvariantCulture)} ({HumanDuration(now - last)} ago)"
                : restarts.ToString(CultureInfo.InvariantCulture),
            Age = created is { } since ? HumanDuration(now - since) : "<unknown>",
        };
    }

    /// <summary>The annotation that names a pod's default container for kubectl logs and exec.</summary>
    public const string DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

    /// <summary>
    /// The container kubectl 1.35 reads logs of (and execs in) when none is named: the one named by the
    /// kubectl.kubernetes.io/default-container annotation if the pod has it, else the first of spec.containers.
    /// Null when the pod has no containers. <paramref name="others"/> lists every container, init containers marked
    /// "(init)", for kubectl's "Defaulted container ... out of: ..." note; <paramref name="byAnnotation"/> says
    /// whether the annotation chose.
    /// </summary>
    public static string? DefaultContainer(LabResource pod, out IReadOnlyList<string> others, out bool byAnnotation)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = Map(pod.AdditionalFields, "spec");
        var names = Maps(spec, "containers").Select(c => Text(c, "name")).OfType<string>().ToList();
        others = names.Concat(Maps(spec, "initContainers").Select(c => Text(c, "name")).OfType<string>().Select(n => n + " (init)")).ToList();
        byAnnotation = false;
        if (pod.Metadata.Annotations?.TryGetValue(DefaultContainerAnnotation, out var chosen) == true && names.Contains(chosen, StringComparer.Ordinal))
        {
            byAnnotation = true;
            return chosen;
        }

        return names.Count > 0 ? names[0] : null;
    }

    /// <summary>kubectl's human-readable duration (k8s.io/apimachinery duration.HumanDuration).</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)Math.Floor(d.TotalSeconds);
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }

        return $"{hours / 24 / 365}y";
    }
}
