using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>A service port with the protocol Istio infers for it (port name prefix or appProtocol).</summary>
public sealed record ServicePortInfo(int Port, string? Name, object? TargetPort, string Protocol);

/// <summary>A Kubernetes Service or a ServiceEntry, as the registry sees it.</summary>
public sealed class ServiceInfo
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>name.ns.svc.cluster.local for a Service; the host for a ServiceEntry.</summary>
    public required string Host { get; init; }

    public required IReadOnlyList<ServicePortInfo> Ports { get; init; }

    public IReadOnlyDictionary<string, string>? Selector { get; init; }

    /// <summary>
    /// A Service labelled experimental.istio.io/disable-gateway-port-translation: Gateway servers are not resolved
    /// through its ports to their targetPorts (resolvePorts skips it).
    /// </summary>
    public bool DisablesGatewayPortTranslation { get; init; }

    /// <summary>The ServiceEntry this came from, or null for a Kubernetes Service.</summary>
    public ServiceEntry? Entry { get; init; }

    /// <summary>exportTo (a ServiceEntry's, or a Service's networking.istio.io/exportTo annotation); empty is every namespace.</summary>
    public IReadOnlyList<string> ExportTo { get; init; } = [];

    /// <summary>The 240.240.x.y address istiod allocates to a ServiceEntry host without addresses (resolution DNS or STATIC).</summary>
    public string? AutoAllocatedAddress { get; internal set; }

    public bool IsExternal => Entry is not null && (Entry.Spec.Location is null or "MESH_EXTERNAL");

    // Its properties are set once (init), so the name is written once.
    public string DisplayName => displayName ??= Entry is null ? $"Service {Namespace}/{Name}" : $"ServiceEntry {Namespace}/{Name} ({Host})";

    private string? displayName;
}

/// <summary>A workload's pods: labels, identity, sidecar, ports and readiness inputs.</summary>
public sealed class WorkloadInfo
{
    public required string Kind { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required string ServiceAccount { get; init; }

    public int Replicas { get; init; } = 1;

    public bool HasSidecar { get; init; }

    public bool IsGateway { get; init; }

    /// <summary>Whether the sidecar rewrites HTTP probes (sidecar.istio.io/rewriteAppHTTPProbers, on by default).</summary>
    public bool RewriteProbes { get; init; } = true;

    public IReadOnlyDictionary<string, int> ContainerPorts { get; init; } = new Dictionary<string, int>();

    /// <summary>The port of the first container's HTTP readiness probe, if it has one.</summary>
    public int? ReadinessProbePort { get; init; }

    // Its properties are set once (init), so the names are written once.
    public string DisplayName => displayName ??= $"{Kind} {Namespace}/{Name}";

    /// <summary>namespace/name, as a result names the workload that answered.</summary>
    public string Ref => reference ??= $"{Namespace}/{Name}";

    private string? displayName;

    private string? reference;

    public bool Selects(IReadOnlyDictionary<string, string>? selector) =>
        LabelMatch.Selects(selector, Labels);

    /// <summary>A container port number from a Service targetPort (number or port name).</summary>
    public int? ResolvePort(object? targetPort, int servicePort) => targetPort switch
    {
        null => servicePort,
        int i => i,
        long l => (int)l,
        string s when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        string s => ContainerPorts.TryGetValue(s, out var p) ? p : null,
        _ => null,
    };
}

/// <summary>
/// Everything the simulator and the analyzers need, built once from resources: the service registry, workloads,
/// namespaces, mesh config and the Istio resources oldest first, as istiod sorts them (the oldest wins where Istio says so).
/// </summary>
public sealed class MeshModel
{
    public const string DomainSuffix = "svc.cluster.local";

    private MeshModel()
    {
    }

    public string RootNamespace { get; private init; } = "istio-system";

    public string TrustDomain { get; private init; } = "cluster.local";

    /// <summary>
    /// True when the mesh config's defaultConfig.proxyMetadata sets ISTIO_META_DNS_CAPTURE and
    /// ISTIO_META_DNS_AUTO_ALLOCATE: sidecars answer DNS for ServiceEntry hosts with their allocated addresses.
    /// </summary>
    public bool DnsAutoAllocate { get; private init; }

    /// <summary>
    /// The mesh config's defaultServiceExportTo, defaultVirtualServiceExportTo and defaultDestinationRuleExportTo: the
    /// exportTo of a Service (or ServiceEntry), VirtualService or DestinationRule that sets none ("*" unless the mesh
    /// config says otherwise, as Istio's PushContext initDefaultExportMaps).
    /// </summary>
    public IReadOnlyList<string> DefaultServiceExportTo { get; private init; } = ["*"];

    /// <inheritdoc cref="DefaultServiceExportTo"/>
    public IReadOnlyList<string> DefaultVirtualServiceExportTo { get; private init; } = ["*"];

    /// <inheritdoc cref="DefaultServiceExportTo"/>
    public IReadOnlyList<string> DefaultDestinationRuleExportTo { get; private init; } = ["*"];

    /// <summary>The VirtualService's exportTo, or the mesh's default when it sets none.</summary>
    public IReadOnlyList<string> ExportToOf(VirtualService vs) => vs?.Spec.ExportTo is { Count: > 0 } exportTo ? exportTo : DefaultVirtualServiceExportTo;

    /// <summary>The DestinationRule's exportTo, or the mesh's default when it sets none.</summary>
    public IReadOnlyList<string> ExportToOf(DestinationRule rule) => rule?.Spec.ExportTo is { Count: > 0 } exportTo ? exportTo : DefaultDestinationRuleExportTo;

    /// <summary>ALLOW_ANY (Istio's default) or REGISTRY_ONLY.</summary>
    public string OutboundPolicy { get; private init; } = "ALLOW_ANY";

    public IReadOnlyList<ServiceInfo> Services { get; private init; } = [];

    public IReadOnlyList<WorkloadInfo> Workloads { get; private init; } = [];

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Namespaces { get; private init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public IReadOnlyList<LabResource> Resources { get; private init; } = [];

    public IReadOnlyList<VirtualService> VirtualServices { get; private init; } = [];

    public IReadOnlyList<DestinationRule> DestinationRules { get; private init; } = [];

    public IReadOnlyList<Gateway> Gateways { get; private init; } = [];

    public IReadOnlyList<ServiceEntry> ServiceEntries { get; private init; } = [];

    public IReadOnlyList<PeerAuthentication> PeerAuthentications { get; private init; } = [];

    public IReadOnlyList<AuthorizationPolicy> AuthorizationPolicies { get; private init; } = [];

    public IReadOnlyList<RequestAuthentication> RequestAuthentications { get; private init; } = [];

    /// <summary>The Sidecar resources, oldest first.</summary>
    public IReadOnlyList<SidecarResource> Sidecars { get; private init; } = [];

    /// <summary>True when the ingress gateway was not among the resources and was added as istioctl's demo profile installs it.</summary>
    public bool DefaultIngressGateway { get; private init; }

    /// <summary>The namespace of a resource as applied (kubectl's default namespace when it has none).</summary>
    public static string NamespaceOf(LabResource resource) => resource?.Namespace ?? "default";

    /// <summary>
    /// Builds the model. Later objects replace earlier ones of the same kind, namespace and name (as applying them in
    /// order would), keeping the first one's creation order.
    /// </summary>
    public static MeshModel Build(IEnumerable<LabResource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var byKey = new Dictionary<string, LabResource>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var resource in resources)
        {
            var key = $"{resource.Group}/{resource.Kind}/{(resource is KubernetesNamespace or IstioOperator ? string.Empty : NamespaceOf(resource))}/{resource.Name}";
            if (!byKey.ContainsKey(key))
            {
                order.Add(key);
            }

            byKey[key] = resource;
        }

        var all = order.Select(k => byKey[k]).ToList();
        var operators = all.OfType<IstioOperator>().ToList();
        var mesh = operators.LastOrDefault()?.Spec.MeshConfig;

        var namespaces = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var ns in all.OfType<KubernetesNamespace>())
        {
            namespaces[ns.Name] = ns.Metadata.Labels ?? new Dictionary<string, string>();
        }

        foreach (var resource in all.Where(r => r is not (KubernetesNamespace or IstioOperator)))
        {
            namespaces.TryAdd(NamespaceOf(resource), new Dictionary<string, string>());
        }

        var root = mesh?.RootNamespace ?? "istio-system";
        var workloads = all.OfType<Workload>().Select(w => ToWorkload(w, namespaces, root)).ToList();
        var serviceExportTo = DefaultExportTo(mesh, "defaultServiceExportTo");
        var services = all.OfType<Service>().Select(s => ToService(s, serviceExportTo)).ToList();
        var defaultGateway = false;
        if (!workloads.Any(w => w.IsGateway))
        {
            // istioctl install (demo profile) creates the ingress gateway; a lab's manifests do not carry it.
            defaultGateway = true;
            namespaces.TryAdd(root, new Dictionary<string, string>());
            workloads.Add(new WorkloadInfo
            {
                Kind = "Deployment", Namespace = root, Name = "istio-ingressgateway",
                Labels = new Dictionary<string, string> { ["app"] = "istio-ingressgateway", ["istio"] = "ingressgateway" },
                ServiceAccount = "istio-ingressgateway-service-account", HasSidecar = true, IsGateway = true,
                ContainerPorts = new Dictionary<string, int> { ["http2"] = 8080, ["https"] = 8443 },
            });
            services.Add(new ServiceInfo
            {
                Namespace = root, Name = "istio-ingressgateway", Host = $"istio-ingressgateway.{root}.{DomainSuffix}",
                Selector = new Dictionary<string, string> { ["app"] = "istio-ingressgateway", ["istio"] = "ingressgateway" },
                Ports = [new ServicePortInfo(80, "http2", 8080, "HTTP2"), new ServicePortInfo(443, "https", 8443, "HTTPS"), new ServicePortInfo(15021, "status-port", 15021, "TCP")],
            });
        }

        foreach (var entry in all.OfType<ServiceEntry>())
        {
            foreach (var host in entry.Spec.Hosts ?? [])
            {
                services.Add(new ServiceInfo
                {
                    Namespace = NamespaceOf(entry), Name = entry.Name, Host = host, Entry = entry,
                    Ports = (entry.Spec.Ports ?? []).Where(p => p.Number is not null)
                        .Select(p => new ServicePortInfo(p.Number!.Value, p.Name, p.TargetPort, (p.Protocol ?? "TCP").ToUpperInvariant())).ToList(),
                    Selector = entry.Spec.WorkloadSelector?.Labels,
                    ExportTo = entry.Spec.ExportTo is { Count: > 0 } exportTo ? exportTo : serviceExportTo,
                });
            }
        }

        DnsAutoAllocation.Allocate(services);
        return new MeshModel
        {
            DnsAutoAllocate = DnsAutoAllocation.Enabled(mesh),
            RootNamespace = root,
            DefaultServiceExportTo = serviceExportTo,
            DefaultVirtualServiceExportTo = DefaultExportTo(mesh, "defaultVirtualServiceExportTo"),
            DefaultDestinationRuleExportTo = DefaultExportTo(mesh, "defaultDestinationRuleExportTo"),
            TrustDomain = mesh?.TrustDomain ?? "cluster.local",
            OutboundPolicy = mesh?.OutboundTrafficPolicy?.Mode ?? "ALLOW_ANY",
            Services = services,
            Workloads = workloads,
            Namespaces = namespaces,
            Resources = all,
            DefaultIngressGateway = defaultGateway,
            VirtualServices = OldestFirst(all.OfType<VirtualService>()),
            DestinationRules = OldestFirst(all.OfType<DestinationRule>()),
            Gateways = OldestFirst(all.OfType<Gateway>()),
            ServiceEntries = OldestFirst(all.OfType<ServiceEntry>()),
            PeerAuthentications = OldestFirst(all.OfType<PeerAuthentication>()),
            AuthorizationPolicies = OldestFirst(all.OfType<AuthorizationPolicy>()),
            RequestAuthentications = OldestFirst(all.OfType<RequestAuthentication>()),
            Sidecars = SidecarScope.ReadAll(all).ToList(),
        };
    }

    /// <summary>
    /// metadata.creationTimestamp as the API server wrote it (RFC 3339, whole seconds), or the zero time when the
    /// object has none (a manifest not read from a cluster), as Istio's config store reads such a file.
    /// </summary>
    public static DateTimeOffset CreationTime(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Metadata.AdditionalFields.TryGetValue("creationTimestamp", out var value) ? value switch
        {
            DateTimeOffset offset => offset,
            DateTime time => new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time),
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            _ => DateTimeOffset.MinValue,
        } : DateTimeOffset.MinValue;
    }

    /// <summary>
    /// Istio's precedence among configurations of one kind (pilot/pkg/model/config.go, sortConfigByCreationTime): the
    /// oldest creationTimestamp first; equal times (whole seconds, or none) by the string name + "." + namespace.
    /// </summary>
    public static List<T> OldestFirst<T>(IEnumerable<T> resources)
        where T : LabResource
    {
        // Stable, as OrderBy: equal keys keep their input order. The name key is compared without being built.
        var keyed = resources.Select((r, i) => (Resource: r, Time: CreationTime(r), Namespace: NamespaceOf(r), Index: i)).ToArray();
        Array.Sort(keyed, static (x, y) =>
        {
            var byTime = x.Time.UtcTicks.CompareTo(y.Time.UtcTicks);
            if (byTime != 0)
            {
                return byTime;
            }

            var byName = CompareNameKeys(x.Resource.Name, x.Namespace, y.Resource.Name, y.Namespace);
            return byName != 0 ? byName : x.Index.CompareTo(y.Index);
        });
        return keyed.Select(k => k.Resource).ToList();
    }

    /// <summary>string.CompareOrdinal of <c>name + "." + namespace</c> for two resources, without making the strings.</summary>
    private static int CompareNameKeys(string xName, string xNamespace, string yName, string yNamespace)
    {
        static char At(string name, string ns, int i) => i < name.Length ? name[i] : i == name.Length ? '.' : ns[i - name.Length - 1];
        var xLength = xName.Length + 1 + xNamespace.Length;
        var yLength = yName.Length + 1 + yNamespace.Length;
        for (var i = 0; i < Math.Min(xLength, yLength); i++)
        {
            var diff = At(xName, xNamespace, i) - At(yName, yNamespace, i);
            if (diff != 0)
            {
                return diff;
            }
        }

        return xLength - yLength;
    }

    /// <summary>
    /// Whether a resource with <paramref name="exportTo"/> in <paramref name="ownerNamespace"/> is visible in
    /// <paramref name="clientNamespace"/> (push_context.go): none given or '*' is every namespace; '~' none; '.' its own.
    /// </summary>
    public static bool IsExported(IReadOnlyList<string>? exportTo, string ownerNamespace, string clientNamespace)
    {
        if (exportTo is not { Count: > 0 } || exportTo.Contains("*"))
        {
            return true;
        }

        if (exportTo.Contains("~"))
        {
            return false;
        }

        foreach (var e in exportTo)
        {
            if (e == clientNamespace || (e == "." && ownerNamespace == clientNamespace))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>IsServiceVisible: the service's exportTo admits the namespace.</summary>
    public static bool IsServiceVisible(ServiceInfo service, string ns)
    {
        ArgumentNullException.ThrowIfNull(service);
        return IsExported(service.ExportTo, service.Namespace, ns);
    }

    /// <summary>Whether pods of a namespace get a sidecar by the namespace's injection label.</summary>
    public bool NamespaceInjected(string ns) =>
        Namespaces.TryGetValue(ns, out var labels) && labels.TryGetValue("istio-injection", out var value) && value == "enabled";

    /// <summary>The FQDN of a host written in a resource of namespace <paramref name="ns"/>: a short name gets ns.svc.cluster.local.</summary>
    public static string Fqdn(string host, string ns) =>
        host.Contains('.', StringComparison.Ordinal) || host.StartsWith('*') ? host : $"{host}.{ns}.{DomainSuffix}";

    /// <summary>
    /// Whether a pod in <paramref name="clientNs"/> can resolve <paramref name="host"/> with the cluster's DNS (Istio
    /// 1.17 does not capture DNS by default, so the sidecar does not answer lookups): an IP address; a Service as the
    /// pod's search path writes it (name, name.namespace, name.namespace.svc, the FQDN); a ServiceEntry's host; or a
    /// name outside the cluster's domain with a dot in it, which the cluster's upstream DNS is assumed to resolve.
    /// A single-label name or a name in the cluster's domain that no Service has does not resolve.
    /// </summary>
    public bool Resolves(string host, string clientNs)
    {
        ArgumentNullException.ThrowIfNull(host);
        return resolvesCache.Get((host, clientNs), this, static (k, model) => model.ResolvesUncached(k.Host, k.ClientNs));
    }

    private readonly BoundedCache<(string Host, string ClientNs), bool> resolvesCache = new();

    private bool ResolvesUncached(string host, string clientNs)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (System.Net.IPAddress.TryParse(name.AsSpan().Trim("[]"), out _) || name == "localhost" || FindService(name, clientNs, null) is not null)
        {
            return true;
        }

        var labels = name.Split('.');
        var inClusterDomain = name.EndsWith(".svc", StringComparison.Ordinal) || name.EndsWith(".cluster.local", StringComparison.Ordinal)
            || (labels.Length == 2 && Namespaces.ContainsKey(labels[1]));
        return labels.Length > 1 && !inClusterDomain;
    }

    /// <summary>Finds the registry entry for a host as a client in <paramref name="clientNs"/> writes it, on a port (any port when null).</summary>
    public ServiceInfo? FindService(string host, string clientNs, int? port)
    {
        // The model is immutable once built, so the answer for (host, namespace, port) never changes: remember it
        // (bounded, so a stream of distinct hosts cannot grow it without limit).
        return findServiceCache.Get((host, clientNs, port), this, static (k, model) => model.FindServiceUncached(k.Host, k.ClientNs, k.Port));
    }

    /// <summary>
    /// The AuthorizationPolicies that apply to a workload (its namespace's and the root namespace's whose selector
    /// selects it), in precedence order; remembered per workload, as the model never changes.
    /// </summary>
    public IReadOnlyList<AuthorizationPolicy> PoliciesFor(WorkloadInfo workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return policiesCache.GetValue(workload, selectPolicies ??= w => AuthorizationPolicies
            .Where(p => (NamespaceOf(p) == w.Namespace || NamespaceOf(p) == RootNamespace) && w.Selects(p.Spec.Selector?.MatchLabels))
            .ToList());
    }

    // Made once, so a lookup allocates nothing.
    private System.Runtime.CompilerServices.ConditionalWeakTable<WorkloadInfo, IReadOnlyList<AuthorizationPolicy>>.CreateValueCallback? selectPolicies;

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkloadInfo, IReadOnlyList<AuthorizationPolicy>> policiesCache = new();

    private readonly BoundedCache<(string Host, string ClientNs, int? Port), ServiceInfo?> findServiceCache = new();

    /// <summary>Authorization's decision for a policy's matching rule, made by <paramref name="make"/> once per policy, rule and action (records are immutable).</summary>
    internal AuthorizationDecision RuleDecision(AuthorizationPolicy policy, int rule, string action, Func<(AuthorizationPolicy Policy, int Rule, string Action), AuthorizationDecision> make) =>
        decisionCache.Get((policy, rule, action), make, static (k, m) => m(k));

    /// <summary>Authorization's denial when a workload's ALLOW policies all fail to match, made by <paramref name="make"/> from its policies once per workload.</summary>
    internal AuthorizationDecision NoAllowMatched(WorkloadInfo workload, Func<IReadOnlyList<AuthorizationPolicy>, AuthorizationDecision> make) =>
        noAllowCache.Get(workload, (this, make), static (w, state) => state.make(state.Item1.PoliciesFor(w)));

    private readonly BoundedCache<(AuthorizationPolicy Policy, int Rule, string Action), AuthorizationDecision> decisionCache = new();

    private readonly BoundedCache<WorkloadInfo, AuthorizationDecision> noAllowCache = new();

    private ServiceInfo? FindServiceUncached(string host, string clientNs, int? port)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        bool HasPort(ServiceInfo s) => port is null || s.Ports.Any(p => p.Port == port);
        var k8s = Services.Where(s => s.Entry is null && HasPort(s)).FirstOrDefault(s =>
            name == s.Host || name == $"{s.Name}.{s.Namespace}" || name == $"{s.Name}.{s.Namespace}.svc" || (name == s.Name && s.Namespace == clientNs));
        if (k8s is not null)
        {
            return k8s;
        }

        var entries = Services.Where(s => s.Entry is not null && HasPort(s)).ToList();
        return entries.FirstOrDefault(s => string.Equals(s.Host, name, StringComparison.OrdinalIgnoreCase))
            ?? entries.Where(s => s.Host.StartsWith("*.", StringComparison.Ordinal) && name.EndsWith(s.Host[1..], StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(s => s.Host.Length)
                .FirstOrDefault();
    }

    /// <summary>Pods (workloads) selected by a service and a subset's labels.</summary>
    public IEnumerable<WorkloadInfo> Endpoints(ServiceInfo service, IReadOnlyDictionary<string, string>? subsetLabels)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Selector is null)
        {
            return [];
        }

        return Workloads.Where(w => w.Namespace == service.Namespace && w.Replicas > 0 && w.Selects(service.Selector) && w.Selects(subsetLabels));
    }

    private static WorkloadInfo ToWorkload(Workload workload, Dictionary<string, IReadOnlyDictionary<string, string>> namespaces, string root)
    {
        var template = workload.Spec.Template;
        var labels = template?.Metadata?.Labels ?? workload.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>();
        var annotations = template?.Metadata?.Annotations ?? new Dictionary<string, string>();
        var ns = NamespaceOf(workload);
        var inject = labels.GetValueOrDefault("sidecar.istio.io/inject") ?? annotations.GetValueOrDefault("sidecar.istio.io/inject");
        var injected = inject switch
        {
            "true" => true,
            "false" => false,
            _ => namespaces.TryGetValue(ns, out var nsLabels) && nsLabels.GetValueOrDefault("istio-injection") == "enabled",
        };
        var containers = template?.Spec?.Containers ?? [];
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var port in containers.SelectMany(c => c.Ports ?? []))
        {
            if (port.Name is not null && port.ContainerPort is { } number)
            {
                ports.TryAdd(port.Name, number);
            }
        }

        var probe = containers.Select(c => c.ReadinessProbe?.HttpGet).FirstOrDefault(h => h is not null);
        int? probePort = probe?.Port switch
        {
            long l => (int)l,
            int i => i,
            string s => ports.TryGetValue(s, out var p) ? p : null,
            _ => null,
        };
        var isGateway = ns == root && labels.GetValueOrDefault("istio") == "ingressgateway";
        return new WorkloadInfo
        {
            Kind = workload.Kind,
            Namespace = ns,
            Name = workload.Name,
            Labels = labels,
            ServiceAccount = template?.Spec?.ServiceAccountName ?? "default",
            Replicas = workload is DaemonSet ? 1 : workload.Spec.Replicas ?? 1,
            HasSidecar = injected || isGateway,
            IsGateway = isGateway,
            RewriteProbes = annotations.GetValueOrDefault("sidecar.istio.io/rewriteAppHTTPProbers") != "false",
            ContainerPorts = ports,
            ReadinessProbePort = probePort,
        };
    }

    // A mesh config exportTo default (a list of namespaces, '.', '*' or '~'); "*" when it is not set.
    private static List<string> DefaultExportTo(MeshConfig? mesh, string field) =>
        mesh?.AdditionalFields.TryGetValue(field, out var value) == true && value is System.Collections.IList { Count: > 0 } list
            ? list.Cast<object?>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty).ToList()
            : ["*"];

    private static ServiceInfo ToService(Service service, IReadOnlyList<string> defaultExportTo)
    {
        var ns = NamespaceOf(service);
        return new ServiceInfo
        {
            Namespace = ns,
            Name = service.Name,
            Host = $"{service.Name}.{ns}.{DomainSuffix}",
            Selector = service.Spec.Selector,
            DisablesGatewayPortTranslation = service.Metadata.Labels?.ContainsKey("experimental.istio.io/disable-gateway-port-translation") == true,
            ExportTo = service.Metadata.Annotations?.GetValueOrDefault("networking.istio.io/exportTo") is { } exportTo
                ? exportTo.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : defaultExportTo,
            Ports = (service.Spec.Ports ?? []).Where(p => p.Port is not null)
                .Select(p => new ServicePortInfo(p.Port!.Value, p.Name, p.TargetPort, Protocol(p.Name, p.AppProtocol, p.Protocol))).ToList(),
        };
    }

    /// <summary>Istio's protocol selection: appProtocol, then the port name's prefix (http-, grpc-...), else sniffed (AUTO).</summary>
    public static string Protocol(string? name, string? appProtocol, string? l4)
    {
        if (string.Equals(l4, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            return "UDP";
        }

        var candidate = appProtocol ?? name?.Split('-')[0];
        var upper = candidate?.ToUpperInvariant();
        return upper switch
        {
            "HTTP" or "HTTP2" or "GRPC" or "GRPC-WEB" or "HTTPS" or "TLS" or "TCP" or "MONGO" or "MYSQL" or "REDIS" => upper,
            "H2C" => "HTTP2",
            _ => "AUTO",
        };
    }
}
