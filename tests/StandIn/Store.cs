using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace StandIn;

/// <summary>A resource type the stand-in serves.</summary>
public sealed record ResourceType(string Group, string Version, string Kind, string Plural, bool Namespaced, string[] ShortNames)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>The stand-in's state: types (built-in and from CRDs) and objects, with resource versions and managed fields.</summary>
public sealed class Store
{
    private readonly object gate = new();
    private readonly List<ResourceType> builtIn =
    [
        new("", "v1", "Namespace", "namespaces", false, ["ns"]),
        new("", "v1", "Service", "services", true, ["svc"]),
        new("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"]),
        new("", "v1", "ConfigMap", "configmaps", true, ["cm"]),
        new("", "v1", "Secret", "secrets", true, []),
        new("", "v1", "Pod", "pods", true, ["po"]),
        new("apps", "v1", "Deployment", "deployments", true, ["deploy"]),
        new("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"]),
        new("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"]),
        new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, ["crd"]),

        // RBAC, which Istio's addon manifests carry.
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, []),
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, []),
        new("rbac.authorization.k8s.io", "v1", "Role", "roles", true, []),
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, []),

        // Admission webhooks, which kpack's release carries (the stand-in stores them; it calls no webhook).
        new("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, []),
        new("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, []),
    ];

    private readonly Dictionary<string, JsonObject> objects = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> history = [];
    private readonly List<Action<WatchEvent>> watchers = [];
    private long resourceVersion = 1;

    private readonly Dictionary<string, List<(DateTime Time, string Line)>> logs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> writes = new(StringComparer.Ordinal);
    private string? journal;

    /// <summary>Appends lines to a container's log (the tests' stand-in for a running container).</summary>
    public void AppendLog(string ns, string pod, string container, IEnumerable<string> lines)
    {
        lock (gate)
        {
            var key = $"{ns}/{pod}/{container}";
            if (!logs.TryGetValue(key, out var log))
            {
                logs[key] = log = [];
            }

            // Each line stamped as the kubelet stamps it (timestamps=true); lines of one append may share a time.
            var now = DateTime.UtcNow;
            log.AddRange(lines.Select(l => (now, l)));
        }
    }

    /// <summary>A container's log lines with their times, from <paramref name="from"/> on.</summary>
    public List<(DateTime Time, string Line)> LogEntries(string ns, string pod, string container, int from)
    {
        lock (gate)
        {
            return logs.TryGetValue($"{ns}/{pod}/{container}", out var log) ? log.Skip(from).ToList() : [];
        }
    }

    /// <summary>How many times each object (by <see cref="Key"/>) was written: created, changed or deleted.</summary>
    public Dictionary<string, int> Writes()
    {
        lock (gate)
        {
            return new Dictionary<string, int>(writes, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Keeps the objects in <paramref name="path"/> (--state FILE): the changes already in it are replayed now (so a
    /// restarted stand-in has the store it had, resource versions and write counts included), and every change is
    /// appended to it, one JSON line each, before it is answered. Watch history and logs are not kept.
    /// </summary>
    public void Persist(string path)
    {
        lock (gate)
        {
            if (System.IO.File.Exists(path))
            {
                foreach (var line in System.IO.File.ReadLines(path).Where(l => l.Length > 0))
                {
                    JsonObject change;
                    try
                    {
                        change = JsonNode.Parse(line)!.AsObject();
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        // The last line, cut off by a kill: that change was never answered.
                        continue;
                    }

                    var key = change["key"]!.GetValue<string>();
                    if (change["object"] is JsonObject obj)
                    {
                        objects[key] = (JsonObject)obj.DeepClone();
                    }
                    else
                    {
                        objects.Remove(key);
                    }

                    writes[key] = writes.GetValueOrDefault(key) + 1;
                    resourceVersion = Math.Max(resourceVersion, change["rv"]!.GetValue<long>());
                }
            }

            journal = path;
        }
    }

    private void Record(string key, JsonObject? obj)
    {
        writes[key] = writes.GetValueOrDefault(key) + 1;
        if (journal is not null)
        {
            var change = new JsonObject { ["key"] = key, ["object"] = obj?.DeepClone(), ["rv"] = resourceVersion };
            System.IO.File.AppendAllText(journal, change.ToJsonString() + "\n");
        }
    }

    /// <summary>A container's log lines from <paramref name="from"/> on.</summary>
    public List<string> Log(string ns, string pod, string container, int from)
    {
        lock (gate)
        {
            return logs.TryGetValue($"{ns}/{pod}/{container}", out var log) ? log.Skip(from).Select(e => e.Line).ToList() : [];
        }
    }

    /// <summary>How many changes are kept for watches that resume from a resource version; older ones get 410.</summary>
    public const int HistoryLength = 1000;

    /// <summary>The newest resource version, as list responses report it.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (gate)
            {
                return resourceVersion;
            }
        }
    }

    /// <summary>
    /// Starts following changes after <paramref name="since"/>: the kept changes after it come back as the backlog,
    /// later ones go to <paramref name="watcher"/>. Null when <paramref name="since"/> is older than what is kept.
    /// </summary>
    public IDisposable? Watch(long since, Action<WatchEvent> watcher, out List<WatchEvent> backlog)
    {
        lock (gate)
        {
            var oldest = history.Count == HistoryLength ? history[0].Version : 0;
            if (since < oldest)
            {
                backlog = [];
                return null;
            }

            backlog = history.Where(e => e.Version > since).ToList();
            watchers.Add(watcher);
            return new Unsubscribe(this, watcher);
        }
    }

    private void Emit(string type, ResourceType resource, JsonObject obj)
    {
        var change = new WatchEvent(resourceVersion, type, resource, (JsonObject)obj.DeepClone());
        history.Add(change);
        if (history.Count > HistoryLength)
        {
            history.RemoveAt(0);
        }

        foreach (var watcher in watchers)
        {
            watcher(change);
        }
    }

    private sealed class Unsubscribe(Store store, Action<WatchEvent> watcher) : IDisposable
    {
        public void Dispose()
        {
            lock (store.gate)
            {
                store.watchers.Remove(watcher);
            }
        }
    }

    public object Gate => gate;

    public IReadOnlyList<ResourceType> Types
    {
        get
        {
            lock (gate)
            {
                return builtIn.Concat(objects.Values.Where(o => o["kind"]?.GetValue<string>() == "CustomResourceDefinition").SelectMany(CrdTypes)).ToList();
            }
        }
    }

    public ResourceType? Find(string group, string version, string plural) =>
        Types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public static string Key(ResourceType type, string? ns, string name) => $"{type.Group}/{type.Plural}/{ns}/{name}";

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            return objects.TryGetValue(Key(type, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public List<JsonObject> List(ResourceType type, string? ns)
    {
        lock (gate)
        {
            var prefix = $"{type.Group}/{type.Plural}/";
            return objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && (ns is null || kv.Key.StartsWith($"{prefix}{ns}/", StringComparison.Ordinal)))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (JsonObject)kv.Value.DeepClone()).ToList();
        }
    }

    /// <summary>
    /// Stores an object, stamping uid, creationTimestamp, resourceVersion and generation. As with a real API server's
    /// status subresource, a write to the object itself keeps the stored status (a new object starts without one), and
    /// only a write through /status (<paramref name="statusWrite"/>) changes it.
    /// </summary>
    /// <summary>Stores obj (with the API server's bookkeeping); a dry run (dryRun=All) returns what would be stored and keeps nothing.</summary>
    public JsonObject Put(ResourceType type, string? ns, string name, JsonObject obj, JsonObject? previous, bool statusWrite = false, bool dryRun = false)
    {
        lock (gate)
        {
            if (!statusWrite)
            {
                obj.Remove("status");
                if (previous?["status"] is { } kept)
                {
                    obj["status"] = kept.DeepClone();
                }
                else if (type.Kind == "CustomResourceDefinition")
                {
                    // The API server's CRD controller accepts the names and establishes the new kind.
                    obj["status"] = new JsonObject
                    {
                        ["conditions"] = new JsonArray(
                            new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts" },
                            new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted" }),
                    };
                }
            }

            if (type.Kind == "Secret" && obj["stringData"] is JsonObject stringData)
            {
                // As the API server stores a Secret: stringData's values, base64-encoded, into data (stringData wins).
                var data = (JsonObject)(obj["data"] ??= new JsonObject());
                foreach (var (key, value) in stringData)
                {
                    data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? string.Empty));
                }

                obj.Remove("stringData");
            }

            var metadata = (JsonObject)(obj["metadata"] ??= new JsonObject());
            metadata["name"] = name;
            if (ns is not null)
            {
                metadata["namespace"] = ns;
            }

            metadata["uid"] = previous?["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = previous?["metadata"]?["creationTimestamp"]?.DeepClone() ?? DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var generation = previous?["metadata"]?["generation"]?.GetValue<long>() ?? 0;
            var specChanged = previous is null || !JsonNode.DeepEquals(previous["spec"], obj["spec"]);
            metadata["generation"] = specChanged ? generation + 1 : generation;
            metadata["resourceVersion"] = dryRun ? previous?["metadata"]?["resourceVersion"]?.DeepClone() : (++resourceVersion).ToString(CultureInfo.InvariantCulture);
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            if (dryRun)
            {
                return obj;
            }

            if (metadata["deletionTimestamp"] is not null && (metadata["finalizers"] as JsonArray ?? []).Count == 0)
            {
                // The last finalizer is gone from an object being deleted: it goes now.
                objects.Remove(Key(type, ns, name));
                Record(Key(type, ns, name), null);
                Emit("DELETED", type, obj);
                return obj;
            }

            objects[Key(type, ns, name)] = (JsonObject)obj.DeepClone();
            Record(Key(type, ns, name), obj);
            Emit(previous is null ? "ADDED" : "MODIFIED", type, obj);
            return obj;
        }
    }

    public bool Delete(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            if (!objects.TryGetValue(Key(type, ns, name), out var gone))
            {
                return false;
            }

            // With finalizers the object stays, marked for deletion, until they are removed.
            if ((gone["metadata"]?["finalizers"] as JsonArray ?? []).Count > 0)
            {
                var marked = (JsonObject)gone.DeepClone();
                marked["metadata"]!["deletionTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                Put(type, ns, name, marked, gone);
                return true;
            }

            objects.Remove(Key(type, ns, name));

            gone["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
            Record(Key(type, ns, name), null);
            Emit("DELETED", type, gone);
            return true;
        }
    }

    // Kubernetes version priority: GA, then beta, then alpha; higher numbers first within each; others last.
    private static (int Stability, int Major, int Minor) VersionPriority(string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(name, @"^v([0-9]+)(?:(alpha|beta)([0-9]+))?$");
        if (!match.Success)
        {
            return (0, 0, 0);
        }

        var stability = match.Groups[2].Value switch { "alpha" => 1, "beta" => 2, _ => 3 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (stability, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), minor);
    }

    private static IEnumerable<ResourceType> CrdTypes(JsonObject crd)
    {
        var spec = crd["spec"];
        var group = spec?["group"]?.GetValue<string>();
        var names = spec?["names"];
        if (group is null || names is null)
        {
            yield break;
        }

        var shortNames = (names["shortNames"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToArray() ?? [];
        // As kube-apiserver lists a CRD's versions: by Kubernetes version priority (v1alpha2 before v1alpha1), so the
        // first is the preferred one.
        foreach (var version in (spec!["versions"] as JsonArray ?? []).OfType<JsonObject>().Where(v => v["served"]?.GetValue<bool>() != false)
            .OrderByDescending(v => VersionPriority(v["name"]!.GetValue<string>())).ThenBy(v => v["name"]!.GetValue<string>(), StringComparer.Ordinal))
        {
            yield return new ResourceType(group, version["name"]!.GetValue<string>(), names["kind"]!.GetValue<string>(), names["plural"]!.GetValue<string>(),
                spec["scope"]?.GetValue<string>() != "Cluster", shortNames);
        }
    }
}

/// <summary>A change to an object: ADDED, MODIFIED or DELETED, at a resource version.</summary>
public sealed record WatchEvent(long Version, string Type, ResourceType Resource, JsonObject Object);
