using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// The offline target: a manifest folder in which every applied object is one file,
/// NAMESPACE/kind-name.yaml (cluster-scoped kinds under _cluster/), readable by kubectl apply -f or a GitOps tool.
/// </summary>
public sealed class DirectoryTarget : ILabTarget
{
    public const string ClusterFolder = "_cluster";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public DirectoryTarget(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>Files are written at once; there is nothing to cancel.</summary>
    public System.Threading.CancellationToken Cancellation { get; set; }

    /// <summary>Files are written one at a time.</summary>
    public int MaxConcurrency => 1;

    /// <summary>Applies one object: labels it as the lab's, puts it in its namespace, writes it if it changed. A folder has no field owners, so <paramref name="force"/> changes nothing.</summary>
    public ApplyResult Apply(LabResource resource, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var stored = ApiObjectMapper.Clone(resource);
        if (!KindInfo.IsClusterScoped(stored.Kind))
        {
            stored.Namespace ??= "default";
        }

        var labels = stored.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        labels[Ownership.Label] = Ownership.Manager;
        var file = PathOf(stored);
        var yaml = ManifestSerializer.Serialize([stored]);
        var outcome = File.Exists(file)
            ? File.ReadAllText(file) == yaml ? ApplyOutcome.Unchanged : ApplyOutcome.Configured
            : ApplyOutcome.Created;
        if (outcome != ApplyOutcome.Unchanged)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = file + ".tmp";
            File.WriteAllText(temporary, yaml, Utf8);
            File.Move(temporary, file, overwrite: true);
        }

        return new ApplyResult { Kind = stored.Kind, Namespace = stored.Namespace, Name = stored.Name, Result = outcome, Object = stored, Location = file };
    }

    /// <summary>The stored objects, optionally only of a kind, a namespace, a name and labels.</summary>
    public IReadOnlyList<LabResource> List(string? kind = null, string? ns = null, string? name = null, IReadOnlyDictionary<string, string>? selector = null)
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(f => ManifestSerializer.Deserialize(File.ReadAllText(f), f))
            .Where(r => kind is null || KindInfo.Names(kind, r.Kind))
            .Where(r => ns is null || KindInfo.IsClusterScoped(r.Kind) || r.Namespace == ns)
            .Where(r => name is null || r.Name == name)
            .Where(r => selector is null || selector.All(kv => r.Metadata.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value))
            .ToList();
    }

    /// <summary>Removes an object's file; false when it was not there.</summary>
    public bool Delete(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var file = PathOf(resource);
        if (!File.Exists(file))
        {
            return false;
        }

        File.Delete(file);
        var folder = Path.GetDirectoryName(file)!;
        if (folder != Root && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }

        return true;
    }

    /// <summary>NAMESPACE/kind-name.yaml, or _cluster/kind-name.yaml.</summary>
    public string PathOf(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var folder = KindInfo.IsClusterScoped(resource.Kind) ? ClusterFolder : resource.Namespace ?? "default";
        return Path.Combine(Root, folder, $"{resource.Kind.ToLowerInvariant()}-{resource.Name}.yaml");
    }

    public LabResource? WaitFor(string kind, string? ns, string name, Func<LabResource?, bool> done, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(done);
        var found = List(kind, ns, name);
        var current = found.Count > 0 ? found[0] : null;
        return done(current)
            ? current
            : throw new NotSupportedException($"{Root} is a manifest folder: no controller updates {kind} {name} in it, so there is nothing to wait for. Connect to a cluster to wait for rollouts and conditions.");
    }

    public IEnumerable<string> ReadLog(string ns, string pod, string? container, int? tail, bool follow)
        => throw new NotSupportedException($"{Root} is a manifest folder: no container runs there, so pod {ns}/{pod} has no log. Connect to a cluster to read logs.");
}
