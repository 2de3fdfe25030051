using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Model;

/// <summary>Where the lab's objects go: a manifest folder (offline) or a cluster (a Kubernetes API server).</summary>
public sealed class LabConnection
{
    public LabConnection(string kind, string target, string? context = null, string? kubeConfig = null)
    {
        Kind = kind;
        Target = target;
        Context = context;
        KubeConfig = kubeConfig;
    }

    /// <summary>Directory (a manifest folder) or Cluster (a Kubernetes API server).</summary>
    public string Kind { get; }

    /// <summary>The folder's full path, or the API server's URL.</summary>
    public string Target { get; }

    /// <summary>The kubeconfig context of a cluster connection.</summary>
    public string? Context { get; }

    /// <summary>The kubeconfig file of a cluster connection (null: the default, $env:KUBECONFIG or ~/.kube/config).</summary>
    public string? KubeConfig { get; }

    /// <summary>The namespace objects without one go to and reads use: the kubeconfig context's, else 'default'.</summary>
    public string DefaultNamespace { get; init; } = "default";

    /// <summary>The field manager that applies objects: guestbooklab.</summary>
    public string FieldManager { get; } = Ownership.Manager;

    public override string ToString() => Context is null ? $"{Kind} {Target}" : $"{Kind} {Target} (context {Context})";
}

// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum ApplyOutcome : long
{
    Created,
    Configured,
    Unchanged,
}

/// <summary>What applying one object did.</summary>
public sealed class ApplyResult
{
    public required string Kind { get; init; }

    public required string? Namespace { get; init; }

    public required string Name { get; init; }

    public required ApplyOutcome Result { get; init; }

    /// <summary>The object as stored (with its namespace and the ownership label).</summary>
    public required LabResource Object { get; init; }

    /// <summary>Where it is stored (a file for the directory target).</summary>
    public required string Location { get; init; }

    public override string ToString() => $"{Kind} {(Namespace is null ? string.Empty : Namespace + "/")}{Name} {Result.ToString().ToLowerInvariant()}";
}

/// <summary>What removing one object did, as kubectl delete says it.</summary>
// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum RemoveOutcome : long
{
    Deleted,
    NotFound,
}

/// <summary>What removing one object did: deleted, or not found (already gone).</summary>
public sealed class RemoveResult
{
    public required string Kind { get; init; }

    public required string? Namespace { get; init; }

    public required string Name { get; init; }

    public required RemoveOutcome Result { get; init; }

    public override string ToString() =>
        $"{Kind} {(Namespace is null ? string.Empty : Namespace + "/")}{Name} {(Result == RemoveOutcome.Deleted ? "deleted" : "not found")}";
}

/// <summary>One manifest file Export-LabManifest wrote: where, how large, and what it holds.</summary>
public sealed class ExportedManifest
{
    /// <summary>The file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>The file's name.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The file's full path, under FileInfo's name (for scripts written against earlier versions).</summary>
    public string FullName => Path;

    /// <summary>The file's size in bytes.</summary>
    public required long Length { get; init; }

    /// <summary>How many objects the file holds.</summary>
    public required int Objects { get; init; }

    /// <summary>The objects, as Kind [namespace/]name.</summary>
    public required IReadOnlyList<string> Contents { get; init; }

    public override string ToString() => Path;
}

/// <summary>The label that marks objects the lab applied, so teardown removes exactly those.</summary>
public static class Ownership
{
    public const string Manager = "guestbooklab";
    public const string Label = "app.kubernetes.io/managed-by";

    /// <summary>
    /// Whether the lab applied the object: it carries the lab's label and, where the target records field managers
    /// (an API server's metadata.managedFields), the lab's field manager is among them. An object someone else wrote
    /// with the lab's label is not the lab's (see <see cref="LabelledByOthers"/>).
    /// </summary>
    public static bool IsOwned(LabResource resource) =>
        HasLabel(resource) && (Managers(resource) is not { Count: > 0 } managers || managers.Contains(Manager));

    /// <summary>An object with the lab's label that another field manager wrote; null when the label is the lab's own doing.</summary>
    public static IReadOnlyList<string>? LabelledByOthers(LabResource resource) =>
        HasLabel(resource) && Managers(resource) is { Count: > 0 } managers && !managers.Contains(Manager) ? managers : null;

    private static bool HasLabel(LabResource? resource) =>
        resource?.Metadata.Labels?.TryGetValue(Label, out var value) == true && value == Manager;

    // metadata.managedFields' managers, as the API server records them; none for a manifest folder.
    private static List<string>? Managers(LabResource resource) =>
        resource.Metadata.AdditionalFields.TryGetValue("managedFields", out var fields) && fields is System.Collections.IList entries
            ? entries.OfType<IDictionary<string, object?>>().Select(e => e.TryGetValue("manager", out var m) ? m as string : null).OfType<string>().Distinct(StringComparer.Ordinal).ToList()
            : null;
}

/// <summary>What the module knows about kinds without asking a server: scope, plural and short names, apply order.</summary>
public static class KindInfo
{
    private static readonly HashSet<string> ClusterScoped = new(StringComparer.Ordinal)
    {
        "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "PriorityClass", "IngressClass", "Node",
        "APIService", "ClusterStore", "ClusterStack", "ClusterBuilder", "CSIDriver", "RuntimeClass",
    };

    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["vs"] = "VirtualService", ["dr"] = "DestinationRule", ["gw"] = "Gateway", ["se"] = "ServiceEntry",
        ["pa"] = "PeerAuthentication", ["ap"] = "AuthorizationPolicy", ["ra"] = "RequestAuthentication", ["iop"] = "IstioOperator",
        ["svc"] = "Service", ["deploy"] = "Deployment", ["sts"] = "StatefulSet", ["ds"] = "DaemonSet", ["ns"] = "Namespace",
        ["sa"] = "ServiceAccount", ["cm"] = "ConfigMap", ["po"] = "Pod", ["crd"] = "CustomResourceDefinition",

        // kpack's CRDs' short names
        ["img"] = "Image", ["imgs"] = "Image", ["cnbimage"] = "Image", ["cnbimages"] = "Image", ["bld"] = "Build",
        ["cnbbuild"] = "Build", ["cnbbuilds"] = "Build", ["bldr"] = "Builder", ["bldrs"] = "Builder",
        ["clstbldr"] = "ClusterBuilder", ["clstbldrs"] = "ClusterBuilder",
    };

    // Namespaces and CRDs first, then what workloads need, then workloads, then mesh configuration.
    private static readonly string[] Order =
    [
        "CustomResourceDefinition", "Namespace", "ServiceAccount", "Secret", "ConfigMap", "ClusterRole", "ClusterRoleBinding",
        "Role", "RoleBinding", "Service", "Deployment", "StatefulSet", "DaemonSet",

        // kpack: what a builder is made of, the builders, then the images built with them
        "ClusterStore", "ClusterStack", "ClusterBuilder", "Builder", "Image",
    ];

    public static bool IsClusterScoped(string kind) => ClusterScoped.Contains(kind);

    /// <summary>The order objects are applied in (lower first); removal goes the other way.</summary>
    public static int Rank(string kind)
    {
        var index = Array.IndexOf(Order, kind);
        return index < 0 ? Order.Length : index;
    }

    /// <summary>Whether a kind as a user writes it (VirtualService, virtualservices, vs) names <paramref name="kind"/>.</summary>
    public static bool Names(string written, string kind)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(kind);
        var lower = kind.ToLowerInvariant();
        return string.Equals(written, kind, StringComparison.OrdinalIgnoreCase)
            || string.Equals(written, Plural(lower), StringComparison.OrdinalIgnoreCase)
            || (ShortNames.TryGetValue(written, out var full) && full == kind);
    }

    /// <summary>The names nearest to a misspelled kind (edit distance), nearest first, at most three.</summary>
    public static IReadOnlyList<string> Nearest(string written, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(names);
        var lower = written.ToLowerInvariant();
        var limit = Math.Max(2, lower.Length / 3);
        return names.Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal)
            .Select(n => (Name: n, Distance: Distance(lower, n)))
            .Where(c => c.Distance <= limit || (c.Name.StartsWith(lower, StringComparison.Ordinal) && lower.Length >= 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(3).Select(c => c.Name).ToList();
    }

    /// <summary>The names of a kind a user may write: the kind, its plural and its short names.</summary>
    public static IEnumerable<string> NamesOf(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        yield return kind;
        yield return Plural(kind.ToLowerInvariant());
        foreach (var shortName in ShortNames.Where(s => s.Value == kind))
        {
            yield return shortName.Key;
        }
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[b.Length];
    }

    /// <summary>The kinds a user may name, for completion.</summary>
    public static IEnumerable<string> Known => ShortNames.Values.Concat(ClusterScoped).Distinct().Order(StringComparer.Ordinal);

    private static string Plural(string lower) =>
        lower.EndsWith('y') ? lower[..^1] + "ies" : lower.EndsWith('s') ? lower + "es" : lower + "s";
}

/// <summary>How one field differs between the stored object and what applying would store.</summary>
// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum FieldChange : long
{
    Added,
    Changed,
    Removed,
}

/// <summary>
/// One field that applying would change, by its path (<c>spec.http[0].route[1].weight</c>); values in YAML's flow
/// style, hidden for a Secret's data.
/// </summary>
public sealed record FieldDifference(string Path, FieldChange Change, string? Live, string? Applied)
{
    public override string ToString() => Change switch
    {
        FieldChange.Added => $"+{Path}: {Applied}",
        FieldChange.Removed => $"-{Path}: {Live}",
        _ => $"~{Path}: {Live} -> {Applied}",
    };
}

/// <summary>What applying one object would do, as kubectl diff shows it: the result, the fields, a unified diff.</summary>
public sealed class ResourceDifference
{
    public required string Kind { get; init; }

    public required string? Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>What Publish-LabResource would report: Created, Configured or Unchanged.</summary>
    public required ApplyOutcome Result { get; init; }

    /// <summary>The fields that would be added, changed or removed (none when Unchanged).</summary>
    public required IReadOnlyList<FieldDifference> Fields { get; init; }

    /// <summary>The unified diff of the stored object's YAML and the applied one's, as kubectl diff prints it.</summary>
    public required IReadOnlyList<string> Diff { get; init; }

    /// <summary>The object as it is stored now; null when it does not exist.</summary>
    public LabResource? Live { get; init; }

    /// <summary>The object as applying would store it (a server-side dry run on a cluster).</summary>
    public required LabResource Applied { get; init; }

    /// <summary>Where it is stored (a file for the directory target, a URL on a cluster).</summary>
    public required string Location { get; init; }

    public override string ToString() =>
        $"{Kind} {(Namespace is null ? string.Empty : Namespace + "/")}{Name} {Result.ToString().ToLowerInvariant()}";
}
