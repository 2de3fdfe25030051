using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// The offline target: a manifest folder in which every applied object is one file,
/// NAMESPACE/kind-name.yaml (cluster-scoped kinds under _cluster/), readable by kubectl apply -f or a GitOps tool.
/// It reads its folder with <see cref="ManifestReader"/> and writes with <see cref="AtomicFile"/>.
/// </summary>
public sealed class DirectoryTarget : ILabTarget
{
    public const string ClusterFolder = "_cluster";

    public DirectoryTarget(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>Files are written one at a time.</summary>
    public int MaxConcurrency => 1;

    /// <summary>Applies one object: labels it as the lab's, puts it in its namespace, writes it if it changed. A folder has no field owners, so <paramref name="force"/> changes nothing.</summary>
    public async Task<ApplyResult> ApplyAsync(LabResource resource, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Prepare(resource);
        var file = PathOf(stored);
        var yaml = ManifestSerializer.Serialize([stored]);
        var outcome = File.Exists(file)
            ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) == yaml ? ApplyOutcome.Unchanged : ApplyOutcome.Configured
            : ApplyOutcome.Created;
        if (outcome != ApplyOutcome.Unchanged)
        {
            await AtomicFile.WriteAllTextAsync(file, yaml, cancellationToken).ConfigureAwait(false);
        }

        return new ApplyResult { Kind = stored.Kind, Namespace = stored.Namespace, Name = stored.Name, Result = outcome, Object = stored, Location = file };
    }

    /// <summary>What applying would write (the object with its namespace and the ownership label) beside the stored file's object.</summary>
    public async Task<ResourcePreview> PreviewAsync(LabResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var stored = Prepare(resource);
        var file = PathOf(stored);
        var live = File.Exists(file) && ManifestReader.ReadText(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), file) is [var found, ..] ? found : null;
        return new ResourcePreview(live, stored, file);
    }

    // The object as it is stored: namespaced kinds in 'default' when they name none, labelled as the lab's.
    private static LabResource Prepare(LabResource resource)
    {
        var stored = ApiObjectMapper.Clone(resource);
        if (!KindInfo.IsClusterScoped(stored.Kind))
        {
            stored.Namespace ??= "default";
        }

        (stored.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal))[Ownership.Label] = Ownership.Manager;
        return stored;
    }

    /// <summary>
    /// The stored objects, optionally only of a kind, a namespace, a name and a label selector. A folder knows the
    /// kinds the module knows, the kinds stored in it and the kinds its stored CRDs define; any other kind is an
    /// <see cref="UnknownKindException"/>, as on a cluster.
    /// </summary>
    public async Task<IReadOnlyList<LabResource>> ListAsync(string? kind, string? ns, string? name, LabelQuery? selector, CancellationToken cancellationToken)
    {
        var all = new List<LabResource>();
        foreach (var file in Directory.Exists(Root) ? StoredFiles() : [])
        {
            all.AddRange(await ManifestReader.ReadPathAsync(file, cancellationToken).ConfigureAwait(false));
        }

        if (kind is not null)
        {
            var kinds = KindInfo.Known.Concat(ResourceKinds.Modelled.Select(k => k[(k.IndexOf('/', StringComparison.Ordinal) + 1)..])).Concat(all.Select(r => r.Kind))
                .Concat(all.Where(r => r.Kind == "CustomResourceDefinition").Select(CrdKind).OfType<string>()).Distinct(StringComparer.Ordinal).ToList();
            if (!kinds.Any(k => KindInfo.Names(kind, k)))
            {
                throw new UnknownKindException(kind, KindInfo.Nearest(kind, kinds.SelectMany(KindInfo.NamesOf)));
            }
        }

        return all
            .Where(r => kind is null || KindInfo.Names(kind, r.Kind))
            .Where(r => ns is null || KindInfo.IsClusterScoped(r.Kind) || r.Namespace == ns)
            .Where(r => name is null || r.Name == name)
            .Where(r => selector is null || selector.Matches(r.Metadata.Labels))
            .ToList();
    }

    // The kind a stored CustomResourceDefinition defines (spec.names.kind).
    private static string? CrdKind(LabResource crd) =>
        crd.AdditionalFields.TryGetValue("spec", out var spec) && spec is IDictionary<string, object?> s && s.TryGetValue("names", out var names)
            && names is IDictionary<string, object?> n && n.TryGetValue("kind", out var kind) ? kind as string : null;

    /// <summary>Removes an object's file; false when it was not there.</summary>
    public Task<bool> DeleteAsync(LabResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        cancellationToken.ThrowIfCancellationRequested();
        var file = PathOf(resource);
        if (!File.Exists(file))
        {
            return Task.FromResult(false);
        }

        File.Delete(file);
        var folder = Path.GetDirectoryName(file)!;
        if (folder != Root && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }

        return Task.FromResult(true);
    }

    // The files this target writes are .yaml (NAMESPACE/kind-name.yaml), in path order; .yml files (a compose file, a
    // workflow) and hidden folders (.github, .git) are not the target's objects, and neither are its own temporary files.
    // Symbolic links planted in the folder are not followed (ManifestReader.FilesIn).
    private IEnumerable<string> StoredFiles() =>
        ManifestReader.FilesIn(Root)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(Root, f).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// NAMESPACE/kind-name.yaml, or _cluster/kind-name.yaml, always inside <see cref="Root"/>: a kind, namespace or name
    /// that could not be a plain file or folder name there (see <see cref="ObjectFiles"/>) is an
    /// <see cref="UnsafeObjectPathException"/>, and nothing is written or removed.
    /// </summary>
    public string PathOf(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var clusterScoped = KindInfo.IsClusterScoped(resource.Kind);
        var ns = clusterScoped ? null : resource.Namespace ?? "default";
        if (ObjectFiles.Problem(resource.Kind, ns, resource.Name) is { } problem)
        {
            throw new UnsafeObjectPathException($"{problem}: the object is not written to (or removed from) {Root}.");
        }

        var path = ObjectFiles.Below(Root, ns ?? ClusterFolder, $"{resource.Kind.ToLowerInvariant()}-{resource.Name}.yaml");
        ObjectFiles.CheckNoLinks(Root, path);
        return path;
    }

    public async Task<LabResource?> WaitForAsync(string kind, string? ns, string name, Func<LabResource?, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        var found = await ListAsync(kind, ns, name, null, cancellationToken).ConfigureAwait(false);
        var current = found.Count > 0 ? found[0] : null;
        return done(current)
            ? current
            : throw new NotSupportedException($"{Root} is a manifest folder: no controller updates {kind} {name} in it, so there is nothing to wait for. Connect to a cluster to wait for rollouts and conditions.");
    }

    /// <summary>A folder has no containers: <see cref="NotSupportedException"/> at once.</summary>
    public IAsyncEnumerable<string> ReadLogAsync(string ns, string pod, string? container, int? tail, bool follow, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{Root} is a manifest folder: no container runs there, so pod {ns}/{pod} has no log. Connect to a cluster to read logs.");
}
