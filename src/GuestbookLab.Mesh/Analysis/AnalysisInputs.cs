using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>What an analysis runs: which analyzers, the mesh config, whether the demo profile's ingress gateway is assumed.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Istio's analyzer names (e.g. <c>gateway.IngressGatewayPortAnalyzer</c>) to run; null runs all of them and GuestbookLab's own.</summary>
    public IReadOnlyCollection<string>? Analyzers { get; init; }

    /// <summary>Findings not to report (istioctl analyze --suppress).</summary>
    public IReadOnlyCollection<AnalysisSuppression> Suppressions { get; init; } = [];

    /// <summary>The mesh config (istioctl analyze --meshConfigFile) as a tree; else the IstioOperator's meshConfig among the inputs.</summary>
    public IDictionary<string, object?>? MeshConfig { get; init; }

    /// <summary>The mesh networks (MeshNetworks: <c>networks</c> by name, each with endpoints and gateways) as a tree; none by default, as Istio's default is empty.</summary>
    public IDictionary<string, object?>? MeshNetworks { get; init; }
}

/// <summary>A pod, or a workload's pod template, as the analyzers see it.</summary>
public sealed record AnalyzedPod(
    LabResource Resource,
    string Namespace,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyList<(string? Name, string? Image)> Containers,
    bool HostNetwork)
{
    public bool IsPod => Resource.Kind == "Pod";

    public string? ProxyImage => Containers.FirstOrDefault(c => c.Name == "istio-proxy").Image;

    public bool Selects(IReadOnlyDictionary<string, string>? selector) =>
        selector is null || selector.All(kv => Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

/// <summary>A Kubernetes Service as the analyzers see it.</summary>
public sealed record AnalyzedService(LabResource? Resource, string Namespace, string Name, IReadOnlyDictionary<string, string>? Selector,
    IReadOnlyList<(int Port, string Protocol)> Ports, IReadOnlyDictionary<string, string> Annotations);

/// <summary>The analyzers' view of the inputs: pods and workloads, Services, Secrets, ConfigMaps and the mesh config.</summary>
public sealed class AnalysisInputs
{
    private readonly Dictionary<LabResource, ValidationResult> validations = new(ReferenceEqualityComparer.Instance);
    private ServiceIndex? serviceIndex;
    private List<KubernetesNamespace>? namespaceObjects;
    private List<KubernetesSecret>? secrets;
    private List<GenericResource>? configMaps;

    public AnalysisInputs(MeshModel model, AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Model = model;
        var pods = new List<AnalyzedPod>();
        foreach (var resource in model.Resources)
        {
            if (resource is Workload workload)
            {
                var template = workload.Spec.Template;
                pods.Add(new AnalyzedPod(resource, MeshModel.NamespaceOf(resource),
                    template?.Metadata?.Labels ?? workload.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>(),
                    template?.Metadata?.Annotations ?? new Dictionary<string, string>(),
                    (template?.Spec?.Containers ?? []).Select(c => (c.Name, c.Image)).ToList(),
                    Tree.Bool(Tree.Path(template?.Spec?.AdditionalFields, "hostNetwork"))));
            }
            else if (resource is GenericResource { Kind: "Pod" } pod)
            {
                var spec = pod.Spec as IDictionary<string, object?>;
                pods.Add(new AnalyzedPod(resource, MeshModel.NamespaceOf(resource),
                    resource.Metadata.Labels ?? new Dictionary<string, string>(),
                    resource.Metadata.Annotations ?? new Dictionary<string, string>(),
                    Tree.Seq(Tree.Path(spec, "containers")).Select(c => (Tree.Str(Tree.Path(c, "name")), Tree.Str(Tree.Path(c, "image")))).ToList(),
                    Tree.Bool(Tree.Path(spec, "hostNetwork"))));
            }
        }

        var services = model.Resources.OfType<Service>().Select(s => new AnalyzedService(s, MeshModel.NamespaceOf(s), s.Name, s.Spec.Selector,
            (s.Spec.Ports ?? []).Where(p => p.Port is not null).Select(p => (p.Port!.Value, (p.Protocol ?? "TCP").ToUpperInvariant())).ToList(),
            s.Metadata.Annotations ?? new Dictionary<string, string>())).ToList();

        // As istioctl analyze does (AddDefaultResources), the ingress gateway's default Service and a dummy pod for it.
        var root = model.RootNamespace;
        var gatewayLabels = new Dictionary<string, string> { ["istio"] = "ingressgateway" };
        var dummy = new GenericResource("v1", "Pod") { Name = "istio-ingressgateway-dummypod", Namespace = root };
        dummy.Metadata.Labels = new Dictionary<string, string>(gatewayLabels);
        pods.Add(new AnalyzedPod(dummy, root, gatewayLabels, new Dictionary<string, string>(), [("istio-proxy", null)], false));
        if (!services.Any(s => s.Namespace == root && s.Name == "istio-ingressgateway"))
        {
            services.Add(new AnalyzedService(null, root, "istio-ingressgateway", gatewayLabels, [(80, "TCP"), (443, "TCP"), (31400, "TCP"), (15443, "TCP")], new Dictionary<string, string>()));
        }

        Pods = pods;
        Services = services;
        MeshNetworks = options.MeshNetworks;
        MeshConfig = options.MeshConfig ?? (model.Resources.OfType<IstioOperator>().LastOrDefault()?.Spec.MeshConfig is { } mesh ? MeshTree(mesh) : null);
    }

    public MeshModel Model { get; }

    /// <summary>The model's service registry and workloads, indexed once (built on first use).</summary>
    internal ServiceIndex ServiceIndex => serviceIndex ??= new ServiceIndex(Model);

    /// <summary>The validator's result for a resource, computed once per analysis (the schema and the rule analyzers share it).</summary>
    internal ValidationResult Validation(LabResource resource)
    {
        if (!validations.TryGetValue(resource, out var result))
        {
            validations[resource] = result = ResourceValidator.Validate(resource);
        }

        return result;
    }

    /// <summary>Pods and workloads (Deployments, StatefulSets, DaemonSets, by their pod template).</summary>
    public IReadOnlyList<AnalyzedPod> Pods { get; }

    public IReadOnlyList<AnalyzedService> Services { get; }

    public IDictionary<string, object?>? MeshConfig { get; }

    public IDictionary<string, object?>? MeshNetworks { get; }

    /// <summary>The mesh config's root namespace (istio-system by default).</summary>
    public string RootNamespace => Tree.Str(Tree.Path(MeshConfig, "rootNamespace")) ?? Model.RootNamespace;

    /// <summary>Namespaces with a Namespace object.</summary>
    public IEnumerable<KubernetesNamespace> NamespaceObjects => namespaceObjects ??= [.. Model.Resources.OfType<KubernetesNamespace>()];

    public IEnumerable<KubernetesSecret> Secrets => secrets ??= [.. Model.Resources.OfType<KubernetesSecret>()];

    public IEnumerable<GenericResource> ConfigMaps => configMaps ??= [.. Model.Resources.OfType<GenericResource>().Where(r => r.Kind == "ConfigMap")];

    /// <summary>Expands <c>kind: List</c> objects into their items, as istioctl analyze reads them.</summary>
    public static IReadOnlyList<LabResource> ExpandLists(IEnumerable<LabResource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var result = new List<LabResource>();
        foreach (var resource in resources)
        {
            if (resource is GenericResource { Kind: "List" } list && list.AdditionalFields.TryGetValue("items", out var items))
            {
                result.AddRange(ExpandLists(Tree.Seq(items).OfType<IDictionary<string, object?>>().Select(i => ResourceKinds.FromTree(i))));
            }
            else
            {
                result.Add(resource);
            }
        }

        return result;
    }

    private static Dictionary<string, object?> MeshTree(ApiObject mesh)
    {
        var tree = new Dictionary<string, object?>(mesh.AdditionalFields, StringComparer.Ordinal);
        if (mesh is MeshConfig typed && typed.RootNamespace is { } root)
        {
            tree["rootNamespace"] = root;
        }

        if (mesh is MeshConfig { DefaultConfig: { } proxy })
        {
            tree["defaultConfig"] = new Dictionary<string, object?>(proxy.AdditionalFields, StringComparer.Ordinal);
        }

        return tree;
    }
}

/// <summary>Reading untyped object trees (Pods, ConfigMaps, the mesh config).</summary>
internal static class Tree
{
    public static object? Path(object? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (node is IDictionary<string, object?> map && map.TryGetValue(key, out var next))
            {
                node = next;
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    public static IEnumerable<object?> Seq(object? node) => node as IEnumerable<object?> is { } seq && node is not string ? seq : [];

    public static string? Str(object? node) => node as string ?? (node is null or IDictionary<string, object?> ? null : Convert.ToString(node, System.Globalization.CultureInfo.InvariantCulture));

    public static bool Bool(object? node) => node is true || (node is string s && string.Equals(s, "true", StringComparison.OrdinalIgnoreCase));
}
