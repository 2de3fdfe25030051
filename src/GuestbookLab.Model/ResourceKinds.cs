using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Model;

/// <summary>Which typed model reads which apiVersion and kind; everything else becomes a <see cref="GenericResource"/>.</summary>
public static class ResourceKinds
{
    public const string NetworkingGroup = "networking.istio.io";
    public const string NetworkingV1Beta1 = NetworkingGroup + "/v1beta1";

    private static readonly string[] NetworkingVersions = ["v1alpha3", "v1beta1"];

    private static readonly Dictionary<(string Group, string Kind), Func<LabResource>> Factories = new()
    {
        [(NetworkingGroup, Gateway.KindName)] = () => new Gateway(),
        [(NetworkingGroup, VirtualService.KindName)] = () => new VirtualService(),
        [(NetworkingGroup, DestinationRule.KindName)] = () => new DestinationRule(),
        [(NetworkingGroup, ServiceEntry.KindName)] = () => new ServiceEntry(),
    };

    /// <summary>Reads one object (a document's top-level mapping) into its typed model.</summary>
    public static LabResource FromTree(IDictionary<string, object?> tree, string path = "")
    {
        ArgumentNullException.ThrowIfNull(tree);
        var apiVersion = tree.TryGetValue("apiVersion", out var v) ? v as string : null;
        var kind = tree.TryGetValue("kind", out var k) ? k as string : null;
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            throw new ManifestFormatException(
                $"{(path.Length == 0 ? "document" : path)}: every object needs apiVersion and kind as strings.", "apiVersion");
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        LabResource resource = Factories.TryGetValue((group, kind), out var factory) && IsServed(group, version)
            ? factory()
            : new GenericResource(apiVersion, kind);
        ApiObjectMapper.Fill(resource, tree, path);
        return resource;
    }

    /// <summary>The kinds that have a typed model, as <c>group/Kind</c>.</summary>
    public static IReadOnlyList<string> Modelled => Factories.Keys.Select(k => $"{k.Group}/{k.Kind}").ToList();

    private static bool IsServed(string group, string version) =>
        group != NetworkingGroup || NetworkingVersions.Contains(version, StringComparer.Ordinal);
}
