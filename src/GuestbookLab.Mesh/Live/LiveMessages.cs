using System;
using System.Globalization;

namespace GuestbookLab.Mesh.Live;

/// <summary>
/// The texts of the live-request errors and warnings, shared by the engine's senders (which raise them) and the
/// module's Messages (which names them for the cmdlets).
/// </summary>
public static class LiveMessages
{
    public static string ExecNotAvailable(string connection) =>
        $"Commands run in a cluster's containers, and the connection is {connection}: connect with Connect-LabCluster -Context or -KubeConfig.";

    public static string CurlMissing(string pod, string container, string failure) =>
        $"{pod} (container {container}) cannot run curl: {failure}. Send from a client pod instead: Start-LabClientPod curl, then -From <namespace>/curl.";

    public static string CurlFailed(string request, int exitCode, string error) =>
        $"curl exited with {exitCode.ToString(CultureInfo.InvariantCulture)} for {request}{(error.Length > 0 ? ": " + error : string.Empty)}";

    public static string NoSourcePod(string from, string reason) =>
        $"-From {from}: {reason}";

    public const string IngressAddressUnknown =
        "No ingress address: the Service istio-system/istio-ingressgateway has no load-balancer address yet (Get-LabIngressAddress waits for it), or give -IngressAddress HOST[:PORT].";

    public static string ClientPodFallback(string pod, string container, string client) =>
        $"{pod} (container {container}) has no curl: the request is sent from the client pod {client} instead (started if it was not there, and left for reuse). " +
        $"Its source identity is {client}'s (its service account and labels), not {pod}'s: authorization policies see the client pod.";

    public static string ClientPodTimedOut(string pod, TimeSpan timeout, string lastSeen) =>
        $"the client pod {pod} was not ready within {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s. Last seen: {lastSeen}";

    public static string ClientPodFailed(string ns, string name, string status) =>
        $"The client pod {ns}/{name} ended ({status}) instead of running: Get-LabLog {name} -Namespace {ns} shows why; Stop-LabClientPod {name} removes it.";

    public static string PodNotRunning(string pod, string status) =>
        $"The pod {pod} is {status}, not Running: only a running application answers /misbehave and /behave (Get-LabPod shows it).";

    public static string PodHasNoIP(string pod) =>
        $"The pod {pod} has no IP yet (status.podIP is empty): wait until it runs (Wait-LabRollout), then try again.";
}
