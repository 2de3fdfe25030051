using System;
using System.Collections.Generic;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>
/// Items (pods, workloads) indexed once per analysis by namespace and by each label, so that "which items of this
/// namespace does this selector match" reads one bucket instead of every item. Buckets keep the items' order.
/// </summary>
internal sealed class LabelIndex<T>
{
    private readonly List<T> all;
    private readonly Dictionary<string, List<T>> byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string? Namespace, string Key, string Value), List<T>> byLabel = [];

    public LabelIndex(IEnumerable<T> items, Func<T, string> ns, Func<T, IReadOnlyDictionary<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(items);
        all = [.. items];
        foreach (var item in all)
        {
            var itemNs = ns(item);
            Add(byNamespace, itemNs, item);
            foreach (var (key, value) in labels(item))
            {
                Add(byLabel, (itemNs, key, value), item);
                Add(byLabel, (null, key, value), item);
            }
        }
    }

    /// <summary>
    /// A superset, in the items' order, of the items of <paramref name="ns"/> (any namespace when null) that have every
    /// label of every selector: the smallest bucket of one of the selectors' labels. The caller still tests each item.
    /// </summary>
    public IReadOnlyList<T> Candidates(string? ns, params IReadOnlyDictionary<string, string>?[] selectors)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        var best = ns is null ? all : byNamespace.GetValueOrDefault(ns) ?? [];
        foreach (var selector in selectors)
        {
            foreach (var (key, value) in selector ?? new Dictionary<string, string>())
            {
                if (!byLabel.TryGetValue((ns, key, value), out var bucket))
                {
                    return [];
                }

                if (bucket.Count < best.Count)
                {
                    best = bucket;
                }
            }
        }

        return best;
    }

    private static void Add<TKey>(Dictionary<TKey, List<T>> map, TKey key, T item)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(item);
    }
}

/// <summary>
/// <see cref="MeshModel.FindService"/> (any port) and <see cref="MeshModel.Endpoints"/> answered from indexes built
/// once, with the same results: the first registry entry, in the model's order, that the linear search would return.
/// </summary>
internal sealed class ServiceIndex
{
    private readonly Dictionary<string, int> kubernetesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string Namespace), int> kubernetesShort = [];
    private readonly Dictionary<string, int> entriesByHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> wildcardEntries = new(StringComparer.OrdinalIgnoreCase);
    private readonly IReadOnlyList<ServiceInfo> services;
    private readonly LabelIndex<WorkloadInfo> workloads;

    public ServiceIndex(MeshModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        services = model.Services;
        for (var i = 0; i < services.Count; i++)
        {
            var s = services[i];
            if (s.Entry is null)
            {
                kubernetesByName.TryAdd(s.Host, i);
                kubernetesByName.TryAdd($"{s.Name}.{s.Namespace}", i);
                kubernetesByName.TryAdd($"{s.Name}.{s.Namespace}.svc", i);
                kubernetesShort.TryAdd((s.Name, s.Namespace), i);
            }
            else
            {
                entriesByHost.TryAdd(s.Host, i);
                if (s.Host.StartsWith("*.", StringComparison.Ordinal))
                {
                    // The longest wildcard wins, then the first: one per suffix (the suffixes of one name differ in length).
                    wildcardEntries.TryAdd(s.Host[1..], i);
                }
            }
        }

        workloads = new LabelIndex<WorkloadInfo>(model.Workloads, w => w.Namespace, w => w.Labels);
    }

    /// <summary>As <c>model.FindService(host, clientNs, null)</c>.</summary>
    public ServiceInfo? Find(string host, string clientNs)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.').ToLowerInvariant();
        var found = kubernetesByName.TryGetValue(name, out var a) ? a : int.MaxValue;
        if (kubernetesShort.TryGetValue((name, clientNs), out var b) && b < found)
        {
            found = b;
        }

        if (found != int.MaxValue)
        {
            return services[found];
        }

        if (entriesByHost.TryGetValue(name, out var exact))
        {
            return services[exact];
        }

        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (wildcardEntries.TryGetValue(name[dot..], out var wildcard))
            {
                return services[wildcard];
            }
        }

        return null;
    }

    /// <summary>As <c>model.Endpoints(service, subsetLabels).Any()</c>.</summary>
    public bool HasEndpoints(ServiceInfo service, IReadOnlyDictionary<string, string>? subsetLabels)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Selector is null)
        {
            return false;
        }

        foreach (var w in workloads.Candidates(service.Namespace, service.Selector, subsetLabels))
        {
            if (w.Replicas > 0 && w.Selects(service.Selector) && w.Selects(subsetLabels))
            {
                return true;
            }
        }

        return false;
    }
}
