using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Model;

/// <summary>Which typed model reads which apiVersion and kind; everything else becomes a <see cref="GenericResource"/>.</summary>
public static class ResourceKinds
{
    public const string NetworkingGroup = "networking.istio.io";
    public const string NetworkingV1Beta1 = NetworkingGroup + "/v1beta1";
    public const string SecurityGroup = "security.istio.io";
    public const string SecurityV1Beta1 = SecurityGroup + "/v1beta1";
    public const string InstallGroup = "install.istio.io";
    public const string InstallV1Alpha1 = InstallGroup + "/v1alpha1";

    // The versions each group serves; the typed models read every served version alike.
    private static readonly Dictionary<string, string[]> Versions = new(StringComparer.Ordinal)
    {
        [NetworkingGroup] = ["v1alpha3", "v1beta1"],
        [SecurityGroup] = ["v1beta1", "v1"],
        [InstallGroup] = ["v1alpha1"],
        [string.Empty] = ["v1"],
        ["apps"] = ["v1"],
        [KopsKinds.Group] = ["v1alpha2"],
        [KpackKinds.Group] = ["v1alpha2"],
    };

    private static readonly Dictionary<(string Group, string Kind), Func<LabResource>> Factories = new()
    {
        [(NetworkingGroup, Gateway.KindName)] = () => new Gateway(),
        [(NetworkingGroup, VirtualService.KindName)] = () => new VirtualService(),
        [(NetworkingGroup, DestinationRule.KindName)] = () => new DestinationRule(),
        [(NetworkingGroup, ServiceEntry.KindName)] = () => new ServiceEntry(),
        [(SecurityGroup, PeerAuthentication.KindName)] = () => new PeerAuthentication(),
        [(SecurityGroup, AuthorizationPolicy.KindName)] = () => new AuthorizationPolicy(),
        [(SecurityGroup, RequestAuthentication.KindName)] = () => new RequestAuthentication(),
        [(InstallGroup, IstioOperator.KindName)] = () => new IstioOperator(),
        [(string.Empty, KubernetesNamespace.KindName)] = () => new KubernetesNamespace(),
        [(string.Empty, Service.KindName)] = () => new Service(),
        [(string.Empty, KubernetesSecret.KindName)] = () => new KubernetesSecret(),
        [(KopsKinds.Group, KopsCluster.KindName)] = () => new KopsCluster(),
        [(KopsKinds.Group, KopsInstanceGroup.KindName)] = () => new KopsInstanceGroup(),
        [(KopsKinds.Group, KopsSshCredential.KindName)] = () => new KopsSshCredential(),
        [("apps", Deployment.KindName)] = () => new Deployment(),
        [("apps", StatefulSet.KindName)] = () => new StatefulSet(),
        [("apps", DaemonSet.KindName)] = () => new DaemonSet(),

        // kpack (v1alpha2 only: v1alpha1 has other shapes) and the ServiceAccount its builds run as
        [(string.Empty, ServiceAccount.KindName)] = () => new ServiceAccount(),
        [(KpackKinds.Group, ClusterStore.KindName)] = () => new ClusterStore(),
        [(KpackKinds.Group, ClusterStack.KindName)] = () => new ClusterStack(),
        [(KpackKinds.Group, Builder.KindName)] = () => new Builder(),
        [(KpackKinds.Group, ClusterBuilder.KindName)] = () => new ClusterBuilder(),
        [(KpackKinds.Group, KpackImage.KindName)] = () => new KpackImage(),
        [(KpackKinds.Group, KpackBuild.KindName)] = () => new KpackBuild(),
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
        Versions.TryGetValue(group, out var served) && served.Contains(version, StringComparer.Ordinal);
}
