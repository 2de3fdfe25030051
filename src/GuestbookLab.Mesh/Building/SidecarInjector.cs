using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>What ConvertTo-MeshInjected previews: the proxy image and the revision the webhook would inject.</summary>
public sealed record SidecarInjectionOptions
{
    /// <summary>The image registry of proxyv2 (values global.hub of a released istioctl).</summary>
    public string Hub { get; init; } = "docker.io/istio";

    /// <summary>The proxyv2 image tag (values global.tag).</summary>
    public string Tag { get; init; } = "1.17.8";

    /// <summary>The control-plane revision; empty: the default one.</summary>
    public string Revision { get; init; } = string.Empty;
}

/// <summary>What became of one object.</summary>
// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum InjectionResult : long
{
    /// <summary>The sidecar was added.</summary>
    Injected,

    /// <summary>istioctl kube-inject leaves the object as it is (host network, injection disabled, ignored namespace).</summary>
    Skipped,

    /// <summary>istioctl would inject it, but in a way this preview does not reproduce.</summary>
    NotPreviewed,
}

/// <summary>The result of injecting one object: the injected copy, or why it was left as it was.</summary>
public sealed class InjectionOutcome
{
    public InjectionOutcome(LabResource resource, InjectionResult result, string? reason)
    {
        Resource = resource;
        Result = result;
        Reason = reason;
    }

    public LabResource Resource { get; }

    public InjectionResult Result { get; }

    /// <summary>Why the object was not injected.</summary>
    public string? Reason { get; }
}

/// <summary>
/// What <c>istioctl kube-inject</c> of Istio 1.17 writes for a workload, with the default injection template
/// (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml) and the istio-discovery chart's default
/// values: the template rendered for the pod, merged onto it as a strategic merge patch (the template's list items first,
/// by name), then pkg/kube/inject's post-processing (Prometheus merge, app probe rewrite, the status annotation,
/// container order). Pure: works on the object's tree.
/// </summary>
public static class SidecarInjector
{
    public const string ProxyName = "istio-proxy";
    public const string InitName = "istio-init";
    public const string StatusAnnotation = "sidecar.istio.io/status";
    public const string StatusPort = "15020";
    public const string ProbersEnv = "ISTIO_KUBE_APP_PROBERS";

    // Annotations that change the rendered template in ways this preview does not reproduce.
    private static readonly string[] NotModelled =
    [
        "sidecar.istio.io/interceptionMode", "sidecar.istio.io/enableCoreDump", "sidecar.istio.io/bootstrapOverride",
        "sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/capNetBindService",
        "proxy.istio.io/config", "inject.istio.io/templates", "sidecar.istio.io/proxyImageType", "proxy.istio.io/overrides",
        "apm.datadoghq.com/env",
    ];

    private static readonly string[] IgnoredNamespaces = ["kube-system", "kube-public", "local-path-storage"];

    private static readonly string[] TemplateKinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "DeploymentConfig"];

    private static readonly Regex TagPattern = new("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(SidecarInjectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (!TagPattern.IsMatch(options.Tag))
        {
            result.Error(ErrorIds.InvalidInstallConfig, nameof(options.Tag), options.Tag, $"{ValidationResult.Show(options.Tag)} is not an image tag: use letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-'), e.g. 1.17.8", "docker image reference");
        }

        if (options.Hub.Length == 0 || options.Hub.Any(char.IsWhiteSpace) || options.Hub.EndsWith('/'))
        {
            result.Error(ErrorIds.InvalidInstallConfig, nameof(options.Hub), options.Hub, $"{ValidationResult.Show(options.Hub)} is not an image registry: write e.g. docker.io/istio", "values global.hub");
        }

        if (options.Revision.Length > 0)
        {
            Rules.ResourceName(result, nameof(options.Revision), options.Revision);
        }

        return result;
    }

    /// <summary>Whether <paramref name="resource"/> is a kind kube-inject injects (a Pod or an object with a pod template).</summary>
    public static bool Injectable(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Kind is "Pod" or "CronJob" || TemplateKinds.Contains(resource.Kind, StringComparer.Ordinal);
    }

    /// <summary>The injected copy of <paramref name="resource"/> (never changed itself).</summary>
    public static InjectionOutcome Inject(LabResource resource, SidecarInjectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        var tree = ApiObjectMapper.ToTree(resource);
        var owner = Map(tree, "metadata");
        var podHolder = resource.Kind switch
        {
            "Pod" => tree,
            "CronJob" => Map(Map(Map(Map(tree, "spec"), "jobTemplate"), "spec"), "template"),
            _ => Map(Map(tree, "spec"), "template"),
        };

        // kube-inject puts a CronJob's pod metadata on spec.jobTemplate.metadata (inject.go IntoObject).
        var metaHolder = resource.Kind == "CronJob" ? Map(Map(tree, "spec"), "jobTemplate")! : podHolder;
        var meta = Map(metaHolder, "metadata");
        var spec = Map(podHolder, "spec");
        var annotations = Strings(meta, "annotations");
        var labels = Strings(meta, "labels");
        var containers = Maps(spec, "containers");
        var name = Text(meta, "name") is { Length: > 0 } podName ? podName : Text(owner, "name") ?? string.Empty;
        var ns = Text(meta, "namespace") is { Length: > 0 } podNs ? podNs : Text(owner, "namespace") ?? string.Empty;

        if (containers.Count == 0)
        {
            return new InjectionOutcome(resource, InjectionResult.NotPreviewed, "its pod template has no containers (spec.template.spec.containers)");
        }

        if (spec.TryGetValue("hostNetwork", out var hostNetwork) && hostNetwork is true)
        {
            return new InjectionOutcome(resource, InjectionResult.Skipped, "it has host networking enabled (istioctl skips it)");
        }

        var selector = labels.TryGetValue("sidecar.istio.io/inject", out var byLabel) ? byLabel : annotations.GetValueOrDefault("sidecar.istio.io/inject", string.Empty);
        if (selector.Length > 0 && selector.ToLowerInvariant() is not ("y" or "yes" or "true" or "on"))
        {
            return new InjectionOutcome(resource, InjectionResult.Skipped, $"it has sidecar injection disabled (sidecar.istio.io/inject: \"{selector}\")");
        }

        if (IgnoredNamespaces.Contains(ns, StringComparer.Ordinal))
        {
            return new InjectionOutcome(resource, InjectionResult.Skipped, $"Istio never injects namespace {ns}");
        }

        if (annotations.ContainsKey(StatusAnnotation))
        {
            return new InjectionOutcome(resource, InjectionResult.NotPreviewed, $"it is already injected ({StatusAnnotation} is set); this preview does not re-inject");
        }

        if (containers.Any(c => Text(c, "name") == ProxyName) || Maps(spec, "initContainers").Any(c => Text(c, "name") == InitName))
        {
            return new InjectionOutcome(resource, InjectionResult.NotPreviewed, $"it defines its own {ProxyName} or {InitName} container, which istioctl merges with the template; this preview does not");
        }

        if (NotModelled.FirstOrDefault(annotations.ContainsKey) is { } unmodelled)
        {
            return new InjectionOutcome(resource, InjectionResult.NotPreviewed, $"its annotation {unmodelled} changes the injection template in ways this preview does not reproduce: use istioctl kube-inject");
        }

        var template = Render(new TemplateData(resource.ApiVersion, resource.Kind, Text(owner, "name") ?? string.Empty, Text(owner, "namespace"), annotations, labels, containers, options));
        Merge(meta, Map(template, "metadata"));
        Merge(spec, Map(template, "spec"));
        PostProcess(meta, spec, template, options);
        var result = ResourceKinds.FromTree(tree);
        return new InjectionOutcome(result, InjectionResult.Injected, null);
    }

    private sealed record TemplateData(
        string ApiVersion, string Kind, string WorkloadName, string? WorkloadNamespace,
        Dictionary<string, string> Annotations, Dictionary<string, string> Labels, List<Dictionary<string, object?>> Containers, SidecarInjectionOptions Options)
    {
        public string Annotation(string key, string fallback) => Annotations.TryGetValue(key, out var value) ? value : fallback;
    }

    // The default injection template rendered with the istio-discovery chart's default values (no CNI, REDIRECT).
    private static Dictionary<string, object?> Render(TemplateData d)
    {
        var appContainers = d.Containers.Select(c => Text(c, "name") ?? string.Empty).Where(n => n != ProxyName).ToList();
        var image = $"{d.Options.Hub}/proxyv2:{d.Options.Tag}";
        var proxyImage = d.Annotation("sidecar.istio.io/proxyImage", string.Empty).Contains('/', StringComparison.Ordinal) ? d.Annotations["sidecar.istio.io/proxyImage"] : image;
        var statusPort = d.Annotation("status.sidecar.istio.io/port", StatusPort);
        var excluded = ExcludeInboundPort(statusPort, d.Annotation("traffic.sidecar.istio.io/excludeInboundPorts", string.Empty));
        var agentLog = d.Annotation("sidecar.istio.io/agentLogLevel", "default:info");

        var labels = Obj(
            ("security.istio.io/tlsMode", Label(d, "security.istio.io/tlsMode") ?? "istio"),
            ("service.istio.io/canonical-name", Label(d, "service.istio.io/canonical-name") ?? Label(d, "app.kubernetes.io/name") ?? Label(d, "app") ?? d.WorkloadName),
            ("service.istio.io/canonical-revision", Label(d, "service.istio.io/canonical-revision") ?? Label(d, "app.kubernetes.io/version") ?? Label(d, "version") ?? "latest"));
        var annotations = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (appContainers.Count > 0)
        {
            if (!d.Annotations.ContainsKey("kubectl.kubernetes.io/default-logs-container"))
            {
                annotations["kubectl.kubernetes.io/default-logs-container"] = appContainers[0];
            }

            if (!d.Annotations.ContainsKey("kubectl.kubernetes.io/default-container"))
            {
                annotations["kubectl.kubernetes.io/default-container"] = appContainers[0];
            }
        }

        var initArgs = new List<object?>
        {
            "istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
            "-i", d.Annotation("traffic.sidecar.istio.io/includeOutboundIPRanges", "*"),
            "-x", d.Annotation("traffic.sidecar.istio.io/excludeOutboundIPRanges", string.Empty),
            "-b", d.Annotation("traffic.sidecar.istio.io/includeInboundPorts", "*"),
            "-d", excluded.Length > 0 ? "15090,15021," + excluded : "15090,15021",
        };
        foreach (var (annotation, flag) in new[]
        {
            ("traffic.sidecar.istio.io/includeOutboundPorts", "-q"), ("traffic.sidecar.istio.io/excludeOutboundPorts", "-o"),
            ("traffic.sidecar.istio.io/kubevirtInterfaces", "-k"), ("traffic.sidecar.istio.io/excludeInterfaces", "-c"),
        })
        {
            if (d.Annotations.TryGetValue(annotation, out var value))
            {
                initArgs.Add(flag);
                initArgs.Add(value);
            }
        }

        initArgs.Add($"--log_output_level={agentLog}");
        var init = Obj(
            ("name", InitName),
            ("image", proxyImage),
            ("args", initArgs),
            ("resources", Resources(d)),
            ("securityContext", Obj(
                ("allowPrivilegeEscalation", false),
                ("privileged", false),
                ("capabilities", Obj(("add", List("NET_ADMIN", "NET_RAW")), ("drop", List("ALL")))),
                ("readOnlyRootFilesystem", false),
                ("runAsGroup", 0L),
                ("runAsNonRoot", false),
                ("runAsUser", 0L))));

        var proxy = Obj(
            ("name", ProxyName),
            ("image", proxyImage),
            ("ports", List(Obj(("containerPort", 15090L), ("protocol", "TCP"), ("name", "http-envoy-prom")))),
            ("args", List(
                "proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local",
                $"--proxyLogLevel={d.Annotation("sidecar.istio.io/logLevel", "warning")}",
                $"--proxyComponentLogLevel={d.Annotation("sidecar.istio.io/componentLogLevel", "misc:error")}",
                $"--log_output_level={agentLog}",
                "--concurrency", "2")),
            ("env", ProxyEnv(d, appContainers)),
            ("securityContext", Obj(
                ("allowPrivilegeEscalation", false),
                ("capabilities", Obj(("drop", List("ALL")))),
                ("privileged", false),
                ("readOnlyRootFilesystem", true),
                ("runAsGroup", 1337L),
                ("runAsNonRoot", true),
                ("runAsUser", 1337L))),
            ("resources", Resources(d)),
            ("volumeMounts", List(
                Obj(("name", "workload-socket"), ("mountPath", "/var/run/secrets/workload-spiffe-uds")),
                Obj(("name", "credential-socket"), ("mountPath", "/var/run/secrets/credential-uds")),
                Obj(("name", "workload-certs"), ("mountPath", "/var/run/secrets/workload-spiffe-credentials")),
                Obj(("mountPath", "/var/run/secrets/istio"), ("name", "istiod-ca-cert")),
                Obj(("mountPath", "/var/lib/istio/data"), ("name", "istio-data")),
                Obj(("mountPath", "/etc/istio/proxy"), ("name", "istio-envoy")),
                Obj(("mountPath", "/var/run/secrets/tokens"), ("name", "istio-token")),
                Obj(("name", "istio-podinfo"), ("mountPath", "/etc/istio/pod")))));
        if (statusPort != "0")
        {
            proxy["readinessProbe"] = Obj(
                ("httpGet", Obj(("path", "/healthz/ready"), ("port", 15021L))),
                ("initialDelaySeconds", Scalar(d.Annotation("readiness.status.sidecar.istio.io/initialDelaySeconds", "1"))),
                ("periodSeconds", Scalar(d.Annotation("readiness.status.sidecar.istio.io/periodSeconds", "2"))),
                ("timeoutSeconds", 3L),
                ("failureThreshold", Scalar(d.Annotation("readiness.status.sidecar.istio.io/failureThreshold", "30"))));
        }

        // Volumes with a bare 'emptyDir:' render as null, which Go drops.
        var volumes = List(
            Obj(("name", "workload-socket")),
            Obj(("name", "credential-socket")),
            Obj(("name", "workload-certs")),
            Obj(("emptyDir", Obj(("medium", "Memory"))), ("name", "istio-envoy")),
            Obj(("name", "istio-data"), ("emptyDir", Obj())),
            Obj(("name", "istio-podinfo"), ("downwardAPI", Obj(("items", List(
                Obj(("path", "labels"), ("fieldRef", Obj(("fieldPath", "metadata.labels")))),
                Obj(("path", "annotations"), ("fieldRef", Obj(("fieldPath", "metadata.annotations"))))))))),
            Obj(("name", "istio-token"), ("projected", Obj(("sources", List(Obj(("serviceAccountToken", Obj(
                ("path", "istio-token"), ("expirationSeconds", 43200L), ("audience", "istio-ca"))))))))),
            Obj(("name", "istiod-ca-cert"), ("configMap", Obj(("name", "istio-ca-root-cert")))));

        return Obj(
            ("metadata", Obj(("labels", labels), ("annotations", annotations))),
            ("spec", Obj(("initContainers", List(init)), ("containers", List(proxy)), ("volumes", volumes))));
    }

    private static List<object?> ProxyEnv(TemplateData d, List<string> appContainers)
    {
        static Dictionary<string, object?> Field(string name, string path) => Obj(("name", name), ("valueFrom", Obj(("fieldRef", Obj(("fieldPath", path))))));
        static Dictionary<string, object?> Value(string name, string value) => Obj(("name", name), ("value", value));

        var ports = d.Containers.SelectMany(c => Maps(c, "ports")).Select(PortJson).ToList();
        var podPorts = new StringBuilder("[");
        for (var i = 0; i < ports.Count; i++)
        {
            podPorts.Append("\n    ").Append(i == 0 ? string.Empty : ",").Append(ports[i]);
        }

        podPorts.Append("\n]");
        var revision = d.Options.Revision.Length > 0 ? "-" + d.Options.Revision : string.Empty;
        var env = new List<object?>
        {
            Value("JWT_POLICY", "third-party-jwt"),
            Value("PILOT_CERT_PROVIDER", "istiod"),
            Value("CA_ADDR", $"istiod{revision}.istio-system.svc:15012"),
            Field("POD_NAME", "metadata.name"),
            Field("POD_NAMESPACE", "metadata.namespace"),
            Field("INSTANCE_IP", "status.podIP"),
            Field("SERVICE_ACCOUNT", "spec.serviceAccountName"),
            Field("HOST_IP", "status.hostIP"),
            Value("PROXY_CONFIG", "{}\n"),
            Value("ISTIO_META_POD_PORTS", podPorts.ToString()),
            Value("ISTIO_META_APP_CONTAINERS", string.Join(',', appContainers)),
            Value("ISTIO_META_CLUSTER_ID", "Kubernetes"),
            Field("ISTIO_META_NODE_NAME", "spec.nodeName"),
            Value("ISTIO_META_INTERCEPTION_MODE", "REDIRECT"),
        };
        if (d.WorkloadName.Length > 0)
        {
            env.Add(Value("ISTIO_META_WORKLOAD_NAME", d.WorkloadName));
            var group = d.ApiVersion;
            env.Add(Value("ISTIO_META_OWNER", $"kubernetes://apis/{group}/namespaces/{(string.IsNullOrEmpty(d.WorkloadNamespace) ? "default" : d.WorkloadNamespace)}/{d.Kind.ToLowerInvariant()}s/{d.WorkloadName}"));
        }

        env.Add(Value("ISTIO_META_MESH_ID", "cluster.local"));
        env.Add(Value("TRUST_DOMAIN", "cluster.local"));
        return env;
    }

    // The template's "resources" block: the proxy annotations if any is set, else values global.proxy.resources
    // (requests 100m/128Mi, limits 2000m/1024Mi, which Go writes as 2 and 1Gi).
    private static Dictionary<string, object?> Resources(TemplateData d)
    {
        string[] keys = ["sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemoryLimit"];
        if (!keys.Any(d.Annotations.ContainsKey))
        {
            return Obj(("limits", Obj(("cpu", "2"), ("memory", "1Gi"))), ("requests", Obj(("cpu", "100m"), ("memory", "128Mi"))));
        }

        var resources = new Dictionary<string, object?>(StringComparer.Ordinal);
        void Add(string section, string resource, string annotation)
        {
            if (d.Annotations.TryGetValue(annotation, out var value))
            {
                var map = resources.TryGetValue(section, out var existing) ? (Dictionary<string, object?>)existing! : (Dictionary<string, object?>)(resources[section] = Obj());
                map[resource] = value;
            }
        }

        Add("requests", "cpu", keys[0]);
        Add("requests", "memory", keys[1]);
        Add("limits", "cpu", keys[2]);
        Add("limits", "memory", keys[3]);
        return resources;
    }

    private static void PostProcess(Dictionary<string, object?> meta, Dictionary<string, object?> spec, Dictionary<string, object?> template, SidecarInjectionOptions options)
    {
        var annotations = (Dictionary<string, object?>)(meta.TryGetValue("annotations", out var a) && a is Dictionary<string, object?> am ? am : meta["annotations"] = Obj());
        var containers = Maps(spec, "containers");
        var proxy = containers.First(c => Text(c, "name") == ProxyName);
        var env = (List<object?>)proxy["env"]!;

        // applyPrometheusMerge (meshConfig enablePrometheusMerge defaults to true).
        var merge = !(annotations.TryGetValue("prometheus.istio.io/merge-metrics", out var m) && bool.TryParse(m as string, out var mergeOn) && !mergeOn);
        if (Scrape(annotations) && merge && PrometheusPort(annotations) != StatusPort)
        {
            var scrape = Prometheus(annotations, "scrape");
            var path = Prometheus(annotations, "path");
            var port = Prometheus(annotations, "port");
            if (scrape.Length > 0 || path.Length > 0 || port.Length > 0)
            {
                env.Add(Obj(("name", "ISTIO_PROMETHEUS_ANNOTATIONS"), ("value", $"{{\"scrape\":{GoJson.Quote(scrape)},\"path\":{GoJson.Quote(path)},\"port\":{GoJson.Quote(port)}}}")));
            }

            foreach (var key in annotations.Keys.Where(k => Sanitize(k) is "prometheus_io_path" or "prometheus_io_port" or "prometheus_io_scrape").ToList())
            {
                annotations.Remove(key);
            }

            annotations["prometheus.io/port"] = StatusPort;
            annotations["prometheus.io/path"] = "/stats/prometheus";
            annotations["prometheus.io/scrape"] = "true";
        }

        // applyRewrite (values sidecarInjectorWebhook.rewriteAppHTTPProbe: true).
        var rewrite = !(annotations.TryGetValue(InstallRules.RewriteProbesAnnotation, out var r) && ParseGoBool(r as string) is false);
        if (rewrite)
        {
            var probers = AppProbers(containers);
            if (probers.Length > 0)
            {
                env.Add(Obj(("name", ProbersEnv), ("value", probers)));
            }

            var port = annotations.TryGetValue("status.sidecar.istio.io/port", out var sp) && long.TryParse(sp as string, NumberStyles.None, CultureInfo.InvariantCulture, out var custom) ? custom : 15020L;
            foreach (var container in containers.Where(c => Text(c, "name") != ProxyName))
            {
                var name = Text(container, "name");
                foreach (var (field, suffix) in new[] { ("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz") })
                {
                    if (Get(container, field) is { } probe && ConvertProbe(probe, $"/app-health/{name}/{suffix}", port) is { } converted)
                    {
                        container[field] = converted;
                    }
                }
            }
        }

        // applyMetadata: the status annotation lists what the template added.
        var templateSpec = Map(template, "spec");
        annotations[StatusAnnotation] = "{\"initContainers\":" + Names(templateSpec, "initContainers") + ",\"containers\":" + Names(templateSpec, "containers")
            + ",\"volumes\":" + Names(templateSpec, "volumes") + ",\"imagePullSecrets\":null,\"revision\":" + GoJson.Quote(options.Revision.Length > 0 ? options.Revision : "default") + "}";

        // reorderPod: the proxy last (holdApplicationUntilProxyStarts is off), istio-init last of the init containers.
        spec["containers"] = MoveLast(Maps(spec, "containers"), ProxyName);
        spec["initContainers"] = MoveLast(Maps(spec, "initContainers"), InitName);
    }

    private static Dictionary<string, object?>? ConvertProbe(Dictionary<string, object?> probe, string path, long port)
    {
        var copy = (Dictionary<string, object?>)ApiObjectMapper.CopyTree(probe)!;
        if (Get(probe, "httpGet") is { } get)
        {
            var http = (Dictionary<string, object?>)ApiObjectMapper.CopyTree(get)!;
            http["port"] = port;
            http["path"] = path;
            if (Text(http, "scheme") == "HTTPS")
            {
                http["scheme"] = "HTTP";
            }

            copy["httpGet"] = http;
            return copy;
        }

        foreach (var kind in new[] { "tcpSocket", "grpc" })
        {
            if (probe.ContainsKey(kind))
            {
                copy.Remove(kind);
                copy["httpGet"] = Obj(("path", path), ("port", port));
                return copy;
            }
        }

        return null;
    }

    // DumpAppProbers: the app probes the agent takes over, named ports resolved, as Go's json.Marshal writes them.
    private static string AppProbers(List<Dictionary<string, object?>> containers)
    {
        var probers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var container in containers.Where(c => Text(c, "name") != ProxyName))
        {
            var name = Text(container, "name");
            var ports = Maps(container, "ports").Where(p => Text(p, "name") is { Length: > 0 }).GroupBy(p => Text(p, "name")!).ToDictionary(g => g.Key, g => Number(g.Last(), "containerPort"), StringComparer.Ordinal);
            foreach (var (field, suffix) in new[] { ("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz") })
            {
                if (Get(container, field) is { } probe && Prober(probe, ports) is { } json)
                {
                    probers[$"/app-health/{name}/{suffix}"] = json;
                }
            }
        }

        return probers.Count == 0 ? string.Empty : "{" + string.Join(",", probers.Select(p => GoJson.Quote(p.Key) + ":" + p.Value)) + "}";
    }

    private static string? Prober(Dictionary<string, object?> probe, Dictionary<string, long?> ports)
    {
        var timeout = Number(probe, "timeoutSeconds") is { } t and not 0 ? $",\"timeoutSeconds\":{t}" : string.Empty;
        if (Get(probe, "grpc") is { } grpc && Get(probe, "httpGet") is null && Get(probe, "tcpSocket") is null)
        {
            var service = grpc.TryGetValue("service", out var s) && s is string text ? GoJson.Quote(text) : "null";
            return $"{{\"grpc\":{{\"port\":{Number(grpc, "port") ?? 0},\"service\":{service}}}{timeout}}}";
        }

        var isHttp = Get(probe, "httpGet") is not null;
        var action = Get(probe, isHttp ? "httpGet" : "tcpSocket");
        if (action is null)
        {
            return null;
        }

        string port;
        switch (action.GetValueOrDefault("port"))
        {
            case string named:
                if (ports.GetValueOrDefault(named) is not { } resolved)
                {
                    return null;
                }

                port = resolved.ToString(CultureInfo.InvariantCulture);
                break;
            case long number:
                if (number.ToString(CultureInfo.InvariantCulture) == StatusPort)
                {
                    return null;
                }

                port = number.ToString(CultureInfo.InvariantCulture);
                break;
            default:
                port = "0";
                break;
        }

        var body = new StringBuilder();
        if (isHttp)
        {
            AppendText(body, action, "path");
            body.Append(body.Length > 0 ? "," : string.Empty).Append("\"port\":").Append(port);
            AppendText(body, action, "host");
            AppendText(body, action, "scheme");
            if (Maps(action, "httpHeaders") is { Count: > 0 } headers)
            {
                body.Append(",\"httpHeaders\":[").AppendJoin(",", headers.Select(h => $"{{\"name\":{GoJson.Quote(Text(h, "name") ?? string.Empty)},\"value\":{GoJson.Quote(Text(h, "value") ?? string.Empty)}}}")).Append(']');
            }

            return $"{{\"httpGet\":{{{body}}}{timeout}}}";
        }

        body.Append("\"port\":").Append(port);
        AppendText(body, action, "host");
        return $"{{\"tcpSocket\":{{{body}}}{timeout}}}";
    }

    private static void AppendText(StringBuilder body, Dictionary<string, object?> map, string key)
    {
        if (Text(map, key) is { Length: > 0 } value)
        {
            body.Append(body.Length > 0 ? "," : string.Empty).Append(GoJson.Quote(key)).Append(':').Append(GoJson.Quote(value));
        }
    }

    // A corev1.ContainerPort as Go's json.Marshal writes it (fields in struct order, empty ones left out).
    private static string PortJson(Dictionary<string, object?> port)
    {
        var parts = new List<string>();
        if (Text(port, "name") is { Length: > 0 } name)
        {
            parts.Add("\"name\":" + GoJson.Quote(name));
        }

        if (Number(port, "hostPort") is { } hostPort and not 0)
        {
            parts.Add($"\"hostPort\":{hostPort}");
        }

        parts.Add($"\"containerPort\":{Number(port, "containerPort") ?? 0}");
        if (Text(port, "protocol") is { Length: > 0 } protocol)
        {
            parts.Add("\"protocol\":" + GoJson.Quote(protocol));
        }

        if (Text(port, "hostIP") is { Length: > 0 } hostIp)
        {
            parts.Add("\"hostIP\":" + GoJson.Quote(hostIp));
        }

        return "{" + string.Join(",", parts) + "}";
    }

    // strategicpatch with the rendered template as the patch: maps merge (the patch wins), lists of named items merge
    // by name with the patch's items first, other lists are replaced.
    private static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is Dictionary<string, object?> map)
            {
                if (map.Count == 0 && key == "annotations")
                {
                    continue;
                }

                var existing = target.TryGetValue(key, out var current) && current is Dictionary<string, object?> cm ? cm : null;
                if (existing is null)
                {
                    target[key] = ApiObjectMapper.CopyTree(map);
                }
                else
                {
                    Merge(existing, map);
                }
            }
            else if (value is List<object?> items && items.All(i => i is Dictionary<string, object?> d && d.ContainsKey("name")))
            {
                var original = target.TryGetValue(key, out var current) && current is IList list ? list.Cast<object?>().ToList() : [];
                var merged = new List<object?>();
                foreach (var item in items.OfType<Dictionary<string, object?>>())
                {
                    var same = original.OfType<IDictionary<string, object?>>().FirstOrDefault(o => Equals(NameOf(o), item["name"]));
                    var copy = (Dictionary<string, object?>)ApiObjectMapper.CopyTree(item)!;
                    if (same is not null)
                    {
                        var baseCopy = (Dictionary<string, object?>)ApiObjectMapper.CopyTree(same)!;
                        Merge(baseCopy, copy);
                        copy = baseCopy;
                    }

                    merged.Add(copy);
                }

                merged.AddRange(original.Where(o => o is not IDictionary<string, object?> d || !items.OfType<Dictionary<string, object?>>().Any(i => Equals(i["name"], NameOf(d)))));
                target[key] = merged;
            }
            else
            {
                target[key] = ApiObjectMapper.CopyTree(value);
            }
        }
    }

    private static List<object?> MoveLast(List<Dictionary<string, object?>> items, string name)
    {
        var ordered = items.Where(i => Text(i, "name") != name).Cast<object?>().ToList();
        ordered.AddRange(items.Where(i => Text(i, "name") == name));
        return ordered;
    }

    private static string Names(Dictionary<string, object?> spec, string key) =>
        "[" + string.Join(",", Maps(spec, key).Select(i => GoJson.Quote(Text(i, "name") ?? string.Empty))) + "]";

    private static string ExcludeInboundPort(string port, string excluded)
    {
        port = port.Trim();
        if (port.Length == 0 || port == "0")
        {
            return excluded;
        }

        var parts = excluded.Split(',');
        if (parts.Contains(port, StringComparer.Ordinal))
        {
            return excluded;
        }

        return string.Join(",", parts.Select(p => p.Trim()).Where(p => p.Length > 0).Append(port));
    }

    private static bool Scrape(Dictionary<string, object?> annotations)
    {
        foreach (var (key, value) in annotations)
        {
            if (Sanitize(key) == "prometheus_io_scrape" && ParseGoBool(value as string) is { } scrape)
            {
                return scrape;
            }
        }

        return true;
    }

    private static string? PrometheusPort(Dictionary<string, object?> annotations) =>
        annotations.FirstOrDefault(a => Sanitize(a.Key) == "prometheus_io_port").Value as string;

    private static string Prometheus(Dictionary<string, object?> annotations, string which) =>
        annotations.FirstOrDefault(a => Sanitize(a.Key) == "prometheus_io_" + which).Value as string ?? string.Empty;

    // strutil.SanitizeLabelName: every character but [a-zA-Z0-9_] becomes '_'.
    private static string Sanitize(string key) => new(key.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());

    // strconv.ParseBool.
    private static bool? ParseGoBool(string? value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    private static object Scalar(string text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : text;

    private static string? Label(TemplateData d, string key) => d.Labels.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    private static Dictionary<string, object?> Obj(params (string Key, object? Value)[] fields)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            map[key] = value;
        }

        return map;
    }

    private static List<object?> List(params object?[] items) => [.. items];

    private static Dictionary<string, object?> Map(Dictionary<string, object?>? map, string key)
    {
        if (map is null)
        {
            return Obj();
        }

        if (map.TryGetValue(key, out var value) && value is Dictionary<string, object?> child)
        {
            return child;
        }

        if (value is IDictionary<string, object?> other)
        {
            var copy = new Dictionary<string, object?>(other, StringComparer.Ordinal);
            map[key] = copy;
            return copy;
        }

        var created = Obj();
        map[key] = created;
        return created;
    }

    // A mapping if there is one (never created).
    private static Dictionary<string, object?>? Get(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is IDictionary<string, object?> ? Map(map, key) : null;

    private static List<Dictionary<string, object?>> Maps(Dictionary<string, object?> map, string key)
    {
        if (!map.TryGetValue(key, out var value) || value is not IList list)
        {
            return [];
        }

        var items = new List<object?>();
        foreach (var item in list)
        {
            items.Add(item is IDictionary<string, object?> d and not Dictionary<string, object?> ? new Dictionary<string, object?>(d, StringComparer.Ordinal) : item);
        }

        map[key] = items;
        return items.OfType<Dictionary<string, object?>>().ToList();
    }

    private static Dictionary<string, string> Strings(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is IDictionary<string, object?> d
            ? d.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static object? NameOf(IDictionary<string, object?> item) => item.TryGetValue("name", out var name) ? name : null;

    private static string? Text(Dictionary<string, object?>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value as string : null;

    private static long? Number(Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value switch { long l => l, int i => i, _ => null } : null;
}

/// <summary>JSON strings as Go's encoding/json writes them (HTML characters escaped).</summary>
internal static class GoJson
{
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }

        return text.Append('"').ToString();
    }
}
