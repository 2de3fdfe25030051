using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Errors;

/// <summary>
/// The cmdlets' own error and warning texts, in one place. (The texts of Istio's, Kubernetes', kops's and AWS's rules
/// live with their rules in the mesh layer: each names the field and the rule it comes from.)
/// </summary>
internal static class Messages
{
    public const string NotConnected =
        "Not connected: run Connect-LabCluster (a kubeconfig context) or Connect-LabCluster -Directory ./cluster first, or give -Connection.";

    public static string NoApplicableInput(string command, string typeName) =>
        $"{command} received no {typeName}: pipe one in, e.g. from New-Mesh{typeName}.";

    public static string ResourceNotFound(string kind, string name, string ns) =>
        $"{kind} '{name}' was not found in namespace {ns}.";

    public static string ApplyConflict(object? target, string message) =>
        $"{target}: {message}. Give -Force to take ownership of the fields.";

    public static string ApiStatus(object? target, string message, int code, string? reason, IReadOnlyList<string> causes) =>
        $"{target}: {message} ({code.ToString(CultureInfo.InvariantCulture)} {reason}){(causes.Count > 0 ? ": " + string.Join("; ", causes) : string.Empty)}";

    public static string AwsFailure(string message, string? requestId, string errorId)
    {
        var request = requestId is null ? string.Empty : $" (request id {requestId})";
        var hint = errorId switch
        {
            ErrorIds.AwsTokenExpired => " Refresh your credentials (aws sso login, or new session credentials) and run the command again.",
            ErrorIds.AwsInvalidCredentials => " Check the access key and secret (-Credential, -ProfileName or AWS_ACCESS_KEY_ID).",
            _ => string.Empty,
        };
        return message + request + "." + hint;
    }

    public static string ForParameter(string parameter, string reason) => $"{parameter}: {reason}";

    public static string RegistryNotFound(string name, string region) => $"The ECR repository {name} was not found in {region}.";

    public static string RegistryNotEmpty(string name) =>
        $"The repository {name} still holds images: give -Force to delete them with it (as aws ecr delete-repository --force does).";

    public static string BucketNotEmpty(string bucket, IEnumerable<string> keys, bool more) =>
        $"The bucket {bucket} is not empty (it holds {string.Join(", ", keys)}{(more ? ", …" : string.Empty)}): remove the cluster first (Remove-LabCluster), or give -Force to delete its objects too.";

    public static string NotKops(string resource) => $"{resource} is not a kops object: apply it to the cluster with Publish-LabResource.";

    public const string NoKopsObjects = "Publish-LabCluster received no kops objects: pipe in New-LabCluster's output.";

    public static string ClusterCount(string cluster, int count, string label) =>
        $"the objects of cluster '{cluster}' hold {count.ToString(CultureInfo.InvariantCulture)} Cluster objects: exactly one is needed (InstanceGroups and SSHCredentials name their cluster with the label {label}).";

    public static string ClusterNotReady(string cluster, string timeout, IEnumerable<string> failures) =>
        $"The cluster {cluster} did not validate within {timeout}: {string.Join("; ", failures)}";

    public static string ClusterUnreachable(string? context, string reason) =>
        $"The API server of context {context ?? "(current)"} does not answer: {reason}";

    public static string KubeConfig(string parameters, string reason) => $"{parameters}: {reason}";

    public static string WaitTimedOut(string what, TimeSpan timeout, string lastSeen) =>
        $"{what} was not ready within {Seconds(timeout)}. Last seen: {lastSeen}";

    public static string StillThere(string what, TimeSpan timeout) =>
        $"{what} was still there after {Seconds(timeout)} (finalizers not done).";

    public static string WaitNotPossible(string lastSeen, string reason) => $"{lastSeen.TrimEnd('.')}. {reason}";

    public static string ManifestNotFound(string path) => $"No manifest file matches '{path}'.";

    public static string FolderNotFound(string parameter, string path) => $"{parameter}: the folder '{path}' does not exist.";

    public static string DownloadTimedOut(Uri uri) => $"{uri} did not answer in time.";

    public static string DownloadFailed(Uri uri, string reason) => $"{uri}: {reason}";

    public static string NotUsableUri(string uri) => $"'{uri}' is not an http(s) URL";

    public static string ConfigurationFindings(int count, string level, string sample) =>
        $"The configuration has {count.ToString(CultureInfo.InvariantCulture)} finding(s) at level {level} or above: {sample}";

    public static string Seconds(TimeSpan span) =>
        span.TotalSeconds >= 1 && span.TotalSeconds == Math.Floor(span.TotalSeconds)
            ? $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
            : $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    // At the prompt (issue 17)
    public static string UnknownResourceType(string kind, IReadOnlyList<string> nearest) =>
        $"the server doesn't have a resource type \"{kind.ToLowerInvariant()}\"" + (nearest.Count > 0 ? $": did you mean {string.Join(", ", nearest)}?" : ".");

    public static string NotARolloutKind(string kind, string name) =>
        $"-Kind: {kind} {name} has no rollout: Wait-LabRollout waits for a Deployment, StatefulSet or DaemonSet (deploy, sts, ds); use Wait-LabResource -Condition for other kinds.";

    public static string KubeConfigNotFound(string parameter, string path) =>
        $"{parameter}: there is no kubeconfig file {path}. Give an existing file with -KubeConfig, or connect to a manifest folder with -Directory.";

    public static string ConfigurationErrorFindings(int count, string first) =>
        $"The analysis found {count.ToString(CultureInfo.InvariantCulture)} Error finding(s): {first}. Give -FailOn None to report findings without this error.";

    public static string InjectionSkipped(string target, string reason) =>
        $"{target} is not injected: {reason}; it passes through unchanged, as istioctl kube-inject leaves it.";

    public static string InjectionNotPreviewed(string target, string reason) =>
        $"{target} cannot be previewed: {reason}.";

    public static string AddonNotWaited(string addon, string reason) =>
        $"{addon} was applied but its rollout cannot be watched here: {reason}";

    public static string IstioNeedsCluster(string connection) =>
        $"istioctl installs into a cluster, and the connection is {connection}: connect with Connect-LabCluster -Context or -KubeConfig.";

    public static string IstioctlVersionMismatch(string istioctl, string? version, string wanted) =>
        $"{istioctl} is istioctl {version ?? "of an unknown version"}, and the configuration is for Istio {wanted}: install with istioctl {wanted} (curl -L https://istio.io/downloadIstio | ISTIO_VERSION={wanted} sh -), or give its path with -IstioctlPath.";

    // kpack install and build logs (issue 11, second part)
    public static string KpackNotReady(string version, TimeSpan timeout, IEnumerable<string> notReady) =>
        $"kpack {version} was not ready within {Seconds(timeout)}: not ready: {string.Join("; ", notReady)}";

    public static string BuildNotFound(string ns, string image, long? build) =>
        build is { } n ? $"Image {ns}/{image} has no build {n.ToString(CultureInfo.InvariantCulture)} (kp build list {image} lists its builds)." : $"Image {ns}/{image} has no builds yet.";
    // Dashboards through a port-forward (issue 12)
    public static string PortForwardNotAvailable(string connection) =>
        $"A dashboard is forwarded from a cluster's pod, and the connection is {connection}: connect with Connect-LabCluster -Context or -KubeConfig, or give -Expose LoadBalancer to write its Service.";

    public static string DashboardPodNotFound(string name, string selector, string ns) =>
        $"no Running pod with label {selector} in {ns} serves {name}: install it with Install-LabMeshAddon -Name {name}, then wait for its rollout.";

    public static string PortForwardFailed(string name, string problem) =>
        $"The port-forward to {name} stopped on its own ({problem}): start it again with Open-LabDashboard -Name {name}.";

    public static string BrowserNotOpened(string url, string problem) =>
        $"Could not open a browser ({problem}): open {url} yourself.";

    public static string CredentialsRefused(string? context, string server, string credential = "token") =>
        credential == "client certificate"
            ? $"{server} refused the credentials of context '{context}' (401 Unauthorized): its client certificate is not one the server accepts (signed by another authority, expired or revoked); get a fresh kubeconfig and connect again."
            : $"{server} refused the credentials of context '{context}' (401 Unauthorized): the {(credential == "none" ? "context gives none; add a token or client certificate to its user" : $"{credential} may have expired or been revoked; get fresh credentials (for EKS: aws eks update-kubeconfig) and connect again")}.";

    public static string TlsSkipped(string? context, string server) =>
        $"context '{context}' has insecure-skip-tls-verify: true: the certificate of {server} is not checked, so anyone between here and it can read and change what is sent (credentials included). Use it only for a test cluster.";

    // Ownership (issue 16)
    public static string LabelledByOthers(string resource, IReadOnlyList<string> managers) =>
        $"Left {resource}: it carries the label {Ownership.Label}={Ownership.Manager}, but {string.Join(", ", managers)} wrote it, not the lab.";

    public static string LeftInPlace(int owned, int left) =>
        $"{owned.ToString(CultureInfo.InvariantCulture)} object(s) the lab applied are removed; {left.ToString(CultureInfo.InvariantCulture)} other object(s) on the target are left as they are.";

    // Live requests (issue 13)
    public static string ExecNotAvailable(string connection) => Mesh.Live.LiveMessages.ExecNotAvailable(connection);

    public static string CommandFailed(string command, int exitCode, IReadOnlyList<string> errorLines) =>
        $"command terminated with exit code {exitCode.ToString(CultureInfo.InvariantCulture)}: {command}{(errorLines.Count > 0 ? ": " + string.Join(" | ", errorLines.Count > 5 ? errorLines.Skip(errorLines.Count - 5) : errorLines) : string.Empty)}";

    // Live requests: client pods and requests (issue 13)
    public static string ClientPodFailed(string ns, string name, string status) => Mesh.Live.LiveMessages.ClientPodFailed(ns, name, status);

    public static string ClientPodNotInjected(string ns, string name) =>
        $"The namespace {ns} is labelled istio-injection=enabled, but the pod {ns}/{name} has no istio-proxy sidecar: is Istio's injection webhook running?";

    public static string ClientPodNotWaited(string name, string reason) =>
        $"{name} was applied, but whether it runs cannot be watched here: {reason}";

    public static string ClientPodNotOwned(string ns, string name) =>
        $"The pod {ns}/{name} was not made by the lab (it has no {Ownership.Label}={Ownership.Manager} label): remove it with Remove-LabResource -Kind Pod -Name {name} if you mean to.";

    // The texts of Invoke-LabRequest's errors live beside its sender (Mesh/Live/LiveMessages.cs), which raises them.
    // The mesh as a picture (issue 18)
    public static string GraphvizMissingForPage(string advice) =>
        $"The page shows the mesh as a Mermaid flowchart (drawn by mermaid.js from its CDN when the page is opened), not as an SVG: {advice}";

    public static string InvalidGraphFile(string path) =>
        $"'{path}' is not a file ConvertTo-MeshGraph writes: name it .html (a page with the picture and a legend), .svg, .mmd (Mermaid) or .dot (Graphviz).";

    // Live requests: the workload certificate (issue 13)
    public static string SidecarNotFound(string ns, string pod, IReadOnlyList<string> containers) =>
        $"The pod {ns}/{pod} has no istio-proxy container (it has {(containers.Count == 0 ? "none" : string.Join(", ", containers))}): it is not in the mesh, so no sidecar presents a workload certificate. Label its namespace with Enable-MeshInjection and restart it, or ask from a pod that has a sidecar.";

    public static string CertificateRequestFailed(string source, string service, int exitCode, IReadOnlyList<string> lastLines) =>
        $"openssl s_client in {source} (container istio-proxy) could not connect to {service}: exit code {exitCode.ToString(CultureInfo.InvariantCulture)}{(lastLines.Count > 0 ? ": " + string.Join(" | ", lastLines) : string.Empty)}";

    public static string OpenSslNotRun(string source, string failure) =>
        $"openssl could not run in {source} (container istio-proxy): {failure}";

    public static string NoCertificate(string source, string service, IReadOnlyList<string> problems, IReadOnlyList<string> lastLines) =>
        $"openssl s_client in {source} connected to {service} but was shown no certificate{(problems.Count > 0 ? " (" + string.Join("; ", problems) + ")" : string.Empty)}: is that port served over TLS?{(lastLines.Count > 0 ? " Its last lines: " + string.Join(" | ", lastLines) : string.Empty)}";
}
