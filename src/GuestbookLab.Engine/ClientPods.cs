using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// How starting a client pod went: the pod as applied and as last read, whether its namespace asks for injection,
/// the last state the wait saw (its Failure when the pod ended), whether the wait timed out, and why it could not be
/// watched at all (a manifest folder).
/// </summary>
public sealed record ClientPodStart(ApplyResult Applied, LabResource? Found, bool Injected, WaitState Last, bool TimedOut, string? NotWaited)
{
    /// <summary>The pod as it stands: the last one read, else the one applied.</summary>
    public LabResource Pod => Found ?? Applied.Object;
}

/// <summary>
/// The codelab's throw-away client pods on a target: applied (ClientPodBuilder's pod, with the ownership label) and
/// watched until Running with every container ready. Start-LabClientPod, Invoke-LabRequest's fallback and
/// Set-LabPodBehavior start them here.
/// </summary>
public static class ClientPods
{
    /// <summary>
    /// Applies the client pod and watches it until it is ready, has ended (Last.Failure) or <paramref name="timeout"/>
    /// has passed (TimedOut); <paramref name="seen"/> hears every state on the engine's threads.
    /// </summary>
    public static async Task<ClientPodStart> StartAsync(ILabTarget target, ClientPodOptions options, TimeSpan timeout, Action<ApplyResult>? onApplied, Action<WaitState>? seen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var pod = ClientPodBuilder.Build(options);
        var namespaces = await target.ListAsync("Namespace", null, options.Namespace, null, cancellationToken).ConfigureAwait(false);
        var injected = namespaces.Any(n => n.Metadata.Labels?.TryGetValue("istio-injection", out var value) == true && value == "enabled");
        var applied = await target.ApplyAsync(pod, false, cancellationToken).ConfigureAwait(false);
        onApplied?.Invoke(applied);
        var last = new WaitState(false, "nothing read yet");
        try
        {
            var found = await target.WaitForAsync("Pod", options.Namespace, options.Name, resource =>
            {
                last = Readiness.Pod(resource, options.Name, DateTimeOffset.UtcNow);
                seen?.Invoke(last);
                return last.Done;
            }, timeout, cancellationToken).ConfigureAwait(false);
            return new(applied, found, injected, last, false, null);
        }
        catch (TimeoutException)
        {
            return new(applied, null, injected, last, true, null);
        }
        catch (NotSupportedException ex)
        {
            return new(applied, null, injected, last, false, ex.Message);
        }
    }

    /// <summary>
    /// The namespace's curl client pod, for a request a workload cannot send: the one there (a Pending one is applied
    /// again and waited for), else one started now and left for reuse; failures are LiveRequestExceptions.
    /// </summary>
    public static async Task<LabResource> EnsureCurlAsync(ILabTarget target, string ns, TimeSpan timeout, Action<string> verbose, CancellationToken cancellationToken)
    {
        const string name = "curl";
        var found = await LiveRequestSender.CallAsync(target.ListAsync("Pod", ns, name, null, cancellationToken), $"Pod {ns}/{name}").ConfigureAwait(false);
        if (found.Count > 0)
        {
            if (ExecPlan.Refusal(found[0]) is not null)
            {
                throw new LiveRequestException(ErrorIds.ClientPodFailed, LiveMessages.ClientPodFailed(ns, name, ExecPlan.Phase(found[0]) ?? "ended"), $"{ns}/{name}");
            }

            if (ExecPlan.Phase(found[0]) != "Pending")
            {
                verbose($"Sending from the client pod {ns}/{name}, which is there already.");
                return found[0];
            }
        }

        verbose($"Starting the client pod {ns}/{name} (Start-LabClientPod curl -Namespace {ns}).");
        var started = await LiveRequestSender.CallAsync(ClientPods.StartAsync(target, new ClientPodOptions { Name = name, Namespace = ns }, timeout, null, state => verbose(state.Message), cancellationToken), $"Pod {ns}/{name}").ConfigureAwait(false);
        if (started.TimedOut)
        {
            throw new LiveRequestException(ErrorIds.WaitTimedOut, LiveMessages.ClientPodTimedOut($"{ns}/{name}", timeout, started.Last.Message), $"{ns}/{name}");
        }

        if (started.Last.Failure is { } failure)
        {
            throw new LiveRequestException(ErrorIds.ClientPodFailed, LiveMessages.ClientPodFailed(ns, name, failure), $"{ns}/{name}");
        }

        return started.Pod;
    }
}
