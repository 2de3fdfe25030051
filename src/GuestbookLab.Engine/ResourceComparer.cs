using System;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Diff;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// Compare-LabResource's service, kubectl diff's: what applying one object would change on a target, from the
/// target's preview (a server-side dry run on a cluster), as fields and as a unified diff of the YAML. Secret values
/// are compared but never shown.
/// </summary>
public static class ResourceComparer
{
    public static async Task<ResourceDifference> CompareAsync(ILabTarget target, LabResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(resource);
        var preview = await target.PreviewAsync(resource, cancellationToken).ConfigureAwait(false);
        var applied = ResourceDiff.Comparable(SecretValue.TreeOf(preview.Applied, reveal: true));
        var live = preview.Live is null ? null : ResourceDiff.Comparable(SecretValue.TreeOf(preview.Live, reveal: true));
        var fields = live is null ? [] : ResourceDiff.Fields(live, applied, ResourceDiff.SecretValues(preview.Applied.Kind));
        var name = $"{preview.Applied.Kind} {(preview.Applied.Namespace is null ? string.Empty : preview.Applied.Namespace + "/")}{preview.Applied.Name}";
        if (preview.Applied.Kind == "Secret")
        {
            ResourceDiff.MaskSecretValues(live, applied);
        }

        var diff = ResourceDiff.Unified(Lines(live), Lines(applied), $"LIVE {name}", $"APPLIED {name}");
        return new ResourceDifference
        {
            Kind = preview.Applied.Kind, Namespace = preview.Applied.Namespace, Name = preview.Applied.Name,
            Result = live is null ? ApplyOutcome.Created : fields.Count == 0 ? ApplyOutcome.Unchanged : ApplyOutcome.Configured,
            Fields = fields, Diff = diff, Live = preview.Live, Applied = preview.Applied, Location = preview.Location,
        };
    }

    // The YAML kubectl diff compares (a Secret's values already masked), in kubectl's field order.
    private static string[] Lines(System.Collections.Generic.Dictionary<string, object?>? tree)
    {
        if (tree is null)
        {
            return [];
        }

        var resource = new GenericResource(tree.TryGetValue("apiVersion", out var v) ? v as string ?? "v1" : "v1", tree.TryGetValue("kind", out var k) ? k as string ?? "Unknown" : "Unknown");
        ApiObjectMapper.Fill(resource, tree, string.Empty);
        return ManifestSerializer.Serialize([resource]).TrimEnd('\n').Split('\n');
    }
}
