using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>Which pod Set-LabPodBehavior tells to misbehave or behave, and how.</summary>
public sealed record PodBehaviorOptions
{
    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    /// <summary>True for /misbehave, false for /behave.</summary>
    public bool Misbehave { get; init; }

    /// <summary>The application's port (the message service's 8080).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>How long the request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the curl client pod may take to run when it has to be started.</summary>
    public TimeSpan ClientPodTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The codelab's circuit-breaker demo: kubectl exec curl -c curl -- curl http://POD_IP:8080/misbehave (and /behave)
/// from the namespace's curl client pod (started if missing, left for reuse). Failures are LiveRequestExceptions
/// about the one pod (not terminating).
/// </summary>
public static class PodBehavior
{
    /// <summary>The request: http://POD_IP:PORT/misbehave or /behave (an IPv6 address in brackets).</summary>
    public static string Uri(string podIP, int port, bool misbehave)
    {
        ArgumentNullException.ThrowIfNull(podIP);
        var host = podIP.Contains(':', StringComparison.Ordinal) ? $"[{podIP}]" : podIP;
        return $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}/{(misbehave ? "misbehave" : "behave")}";
    }

    /// <summary>The pod and its IP: it must be there (ResourceNotFound), Running (PodNotRunning) and have an IP (PodHasNoIP).</summary>
    public static async Task<(LabResource Pod, string PodIP)> ResolveAsync(ILabTarget target, string ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var source = $"{ns}/{name}";
        var found = await LiveRequestSender.CallAsync(target.ListAsync("Pod", ns, name, null, cancellationToken), $"Pod {source}").ConfigureAwait(false);
        if (found.Count == 0)
        {
            throw new LiveRequestException(ErrorIds.ResourceNotFound, $"No pod {name} in namespace {ns}.", source, terminating: false);
        }

        var pod = found[0];
        var summary = PodStatus.From(pod, DateTimeOffset.UtcNow);
        if (ExecPlan.Phase(pod) != "Running")
        {
            throw new LiveRequestException(ErrorIds.PodNotRunning, LiveMessages.PodNotRunning(source, summary.Status), source, terminating: false);
        }

        return summary.PodIP is { Length: > 0 } ip ? (pod, ip) : throw new LiveRequestException(ErrorIds.PodHasNoIP, LiveMessages.PodHasNoIP(source), source, terminating: false);
    }

    /// <summary>Sends the request from the namespace's curl client pod and returns the pod's answer.</summary>
    public static async Task<LabPodBehavior> SendAsync(ILabTarget target, PodBehaviorOptions options, string podIP, Action<string> verbose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(verbose);
        var source = $"{options.Namespace}/{options.Pod}";
        if (target is not IExecTarget exec)
        {
            throw new LiveRequestException(ErrorIds.ExecNotAvailable, LiveMessages.ExecNotAvailable(target.ToString() ?? "this target"), source);
        }

        var uri = Uri(podIP, options.Port, options.Misbehave);
        var client = await ClientPods.EnsureCurlAsync(target, options.Namespace, options.ClientPodTimeout, verbose, cancellationToken).ConfigureAwait(false);
        var sender = $"{options.Namespace}/{client.Name}";
        var command = LiveRequest.CurlCommand(new RequestOptions { Uri = uri }, options.Timeout, false);
        verbose($"kubectl exec {client.Name} -n {options.Namespace} -c curl -- curl {uri}");
        var ran = await LiveRequestSender.CallAsync(exec.ExecAsync(options.Namespace, client.Name, "curl", command, null, null, cancellationToken), $"Pod {sender}").ConfigureAwait(false);
        if (ran.ExitCode is not { } exit || LiveRequestSender.IsMissingBinary(ran))
        {
            throw new LiveRequestException(ErrorIds.RequestFailed, LiveMessages.CurlMissing(sender, "curl", ran.Failure ?? string.Join(" ", ran.ErrorLines)), source, terminating: false);
        }

        var answer = LiveRequest.ParseCurl(ran.StandardOutput);
        if (exit != 0 || answer.Status is null)
        {
            var meaning = LiveRequest.FromCurlExit(exit) is { } mapped ? $"{mapped.Meaning}; " : string.Empty;
            throw new LiveRequestException(ErrorIds.RequestFailed, LiveMessages.CurlFailed($"GET {uri} from {sender}", exit, meaning + string.Join(" ", ran.ErrorLines)), source, terminating: false);
        }

        return new LabPodBehavior
        {
            Pod = options.Pod,
            Namespace = options.Namespace,
            PodIP = podIP,
            Behavior = options.Misbehave ? "Misbehave" : "Behave",
            Uri = uri,
            SentFrom = sender,
            Status = answer.Status,
            Body = answer.Body.TrimEnd('\n', '\r'),
            Duration = answer.Duration ?? ran.Elapsed,
        };
    }
}
