using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Status;

/// <summary>
/// The readiness tests behind Wait-LabRollout and Wait-LabResource, as kubectl 1.35's rollout status and wait decide
/// them, from an object's spec and status.
/// </summary>
public static class Readiness
{
    /// <summary>The kinds whose rollout can be followed.</summary>
    public static readonly IReadOnlyList<string> RolloutKinds = ["Deployment", "StatefulSet", "DaemonSet"];

    /// <summary>kubectl rollout status for a Deployment, StatefulSet or DaemonSet (null: not there yet).</summary>
    public static WaitState Rollout(LabResource? workload, string kind, string name)
    {
        if (workload is null)
        {
            return new(false, $"Waiting for {Noun(kind)} \"{name}\" to exist...");
        }

        // The tree view: typed workloads keep spec in their model, status among the additional fields.
        var tree = ApiObjectMapper.ToTree(workload);
        var meta = Map(tree, "metadata");
        var spec = Map(tree, "spec");
        var status = Map(tree, "status");
        if (Number(meta, "generation") is { } generation && (Number(status, "observedGeneration") ?? 0) < generation)
        {
            return new(false, $"Waiting for {Noun(kind)} spec update to be observed...");
        }

        switch (kind)
        {
            case "Deployment":
            {
                var progressing = Maps(status, "conditions").FirstOrDefault(c => Text(c, "type") == "Progressing");
                if (progressing is not null && Text(progressing, "reason") == "ProgressDeadlineExceeded")
                {
                    return new(false, $"deployment \"{name}\" exceeded its progress deadline");
                }

                var wanted = Number(spec, "replicas") ?? 1;
                var updated = Number(status, "updatedReplicas") ?? 0;
                var replicas = Number(status, "replicas") ?? 0;
                var available = Number(status, "availableReplicas") ?? 0;
                if (updated < wanted)
                {
                    return new(false, $"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {wanted} new replicas have been updated...");
                }

                if (replicas > updated)
                {
                    return new(false, $"Waiting for deployment \"{name}\" rollout to finish: {replicas - updated} old replicas are pending termination...");
                }

                return available < updated
                    ? new(false, $"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...")
                    : new(true, $"deployment \"{name}\" successfully rolled out");
            }

            case "StatefulSet":
            {
                var wanted = Number(spec, "replicas") ?? 1;
                var ready = Number(status, "readyReplicas") ?? 0;
                if (ready < wanted)
                {
                    return new(false, $"Waiting for {wanted - ready} pods to be ready...");
                }

                var current = Text(status, "currentRevision");
                var update = Text(status, "updateRevision");
                return update is not null && current != update
                    ? new(false, $"waiting for statefulset rolling update to complete {Number(status, "updatedReplicas") ?? 0} pods at revision {update}...")
                    : new(true, $"statefulset rolling update complete {Number(status, "currentReplicas") ?? ready} pods at revision {current}...");
            }

            case "DaemonSet":
            {
                var desired = Number(status, "desiredNumberScheduled") ?? 0;
                var updated = Number(status, "updatedNumberScheduled") ?? 0;
                var available = Number(status, "numberAvailable") ?? 0;
                if (updated < desired)
                {
                    return new(false, $"Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...");
                }

                return available < desired
                    ? new(false, $"Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...")
                    : new(true, $"daemon set \"{name}\" successfully rolled out");
            }

            default:
                throw new ArgumentException($"{kind} has no rollout: use Deployment, StatefulSet or DaemonSet.", nameof(kind));
        }
    }

    /// <summary>kubectl wait --for=condition=TYPE[=STATUS]: the condition of that type in status.conditions has that status.</summary>
    public static WaitState Condition(LabResource? resource, string kind, string name, string condition, string wanted)
    {
        if (resource is null)
        {
            return new(false, $"Waiting for {kind} \"{name}\" to exist...");
        }

        var status = Map(ApiObjectMapper.ToTree(resource), "status");
        var found = Maps(status, "conditions").FirstOrDefault(c => string.Equals(Text(c, "type"), condition, StringComparison.OrdinalIgnoreCase));
        if (found is null)
        {
            return new(false, $"{kind} \"{name}\" has no condition {condition} yet");
        }

        var actual = Text(found, "status") ?? string.Empty;
        condition = Text(found, "type") ?? condition;
        var why = Text(found, "reason") is { Length: > 0 } reason ? $" ({reason})" : string.Empty;
        return string.Equals(actual, wanted, StringComparison.OrdinalIgnoreCase)
            ? new(true, $"{kind} \"{name}\" condition met: {condition}={actual}{why}")
            : new(false, $"{kind} \"{name}\" has {condition}={actual}{why}, waiting for {condition}={wanted}");
    }

    /// <summary>
    /// Whether a kpack Image is ready, as kpack decides it: its status must be about its current generation
    /// (observedGeneration caught up with metadata.generation; a Ready=True from before an update is stale), then
    /// Ready=Unknown means a build is running, True ready (with its latest image), False failed (done, with
    /// <see cref="WaitState.Failure"/> set to the condition's reason).
    /// </summary>
    public static WaitState Image(LabResource? resource, string name)
    {
        if (resource is null)
        {
            return new(false, $"Waiting for Image \"{name}\" to exist...");
        }

        var tree = ApiObjectMapper.ToTree(resource);
        var status = Map(tree, "status");
        var generation = Number(Map(tree, "metadata"), "generation");
        var observed = Number(status, "observedGeneration");
        if (generation is { } g && (observed ?? 0) < g)
        {
            return new(false, $"Waiting for kpack to observe generation {g} of Image \"{name}\" (observed: {(observed is { } o ? o.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")})...");
        }

        var build = Number(status, "buildCounter") is { } n ? $"build {n}" : "no build yet";
        var ready = Maps(status, "conditions").FirstOrDefault(c => Text(c, "type") == "Ready");
        var reason = Text(ready, "reason");
        var message = Text(ready, "message");
        var detail = string.Join(": ", new[] { reason, message }.Where(t => !string.IsNullOrEmpty(t)));
        switch (Text(ready, "status"))
        {
            case "True":
                return new(true, $"Image \"{name}\" is ready ({build}): {Text(status, "latestImage") ?? "no latest image"}");
            case "False":
                return new(true, $"Image \"{name}\" is not ready ({build}){(detail.Length > 0 ? ": " + detail : string.Empty)}") { Failure = reason ?? "NotReady" };
            default:
                return new(false, $"Image \"{name}\": {build} running{(detail.Length > 0 ? " (" + detail + ")" : string.Empty)}...");
        }
    }

    /// <summary>
    /// A pod that runs with every container ready (a client pod of the codelab: 1/1, or 2/2 once the sidecar is
    /// injected), READY and STATUS as kubectl get pods shows them. A pod that ended (Succeeded, Failed) is done with
    /// <see cref="WaitState.Failure"/> set to its status.
    /// </summary>
    public static WaitState Pod(LabResource? pod, string name, DateTimeOffset now)
    {
        if (pod is null)
        {
            return new(false, $"Waiting for pod \"{name}\" to exist...");
        }

        var summary = PodStatus.From(pod, now);
        var phase = Text(Map(pod.AdditionalFields, "status"), "phase");
        if (phase is "Succeeded" or "Failed")
        {
            return new(true, $"pod \"{name}\" ended: {summary.Status} ({summary.Ready} ready)") { Failure = summary.Status };
        }

        return phase == "Running" && summary.TotalContainers > 0 && summary.ReadyContainers == summary.TotalContainers && summary.Status == "Running"
            ? new(true, $"pod \"{name}\" is Running, {summary.Ready} ready")
            : new(false, $"Waiting for pod \"{name}\": {summary.Status}, {summary.Ready} ready...");
    }

    private static string Noun(string kind) => kind switch
    {
        "Deployment" => "deployment",
        "StatefulSet" => "statefulset",
        "DaemonSet" => "daemon set",
        _ => kind,
    };
}
