using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Provisioning;

/// <summary>The flags of <c>kops create cluster</c> that New-LabCluster takes.</summary>
public sealed record KopsClusterOptions
{
    public required string Name { get; init; }

    public required string StateStore { get; init; }

    public required IReadOnlyList<string> Zones { get; init; }

    /// <summary>--master-zones (--control-plane-zones); empty: the node zones.</summary>
    public IReadOnlyList<string> MasterZones { get; init; } = [];

    /// <summary>--master-count; null: the number of master zones, or 1.</summary>
    public int? MasterCount { get; init; }

    /// <summary>--node-count; null: one node per zone.</summary>
    public int? NodeCount { get; init; }

    public string NodeSize { get; init; } = KopsClusterBuilder.DefaultNodeSize;

    public string MasterSize { get; init; } = KopsClusterBuilder.DefaultMasterSize;

    public int? MasterVolumeSize { get; init; }

    public int? NodeVolumeSize { get; init; }

    public string Networking { get; init; } = "flannel";

    public string KubernetesVersion { get; init; } = KopsClusterBuilder.DefaultKubernetesVersion;

    public string Image { get; init; } = KopsClusterBuilder.DefaultImage;

    public string? PermissionsBoundary { get; init; }

    /// <summary>The admin SSH public key (its text); null: no SSHCredential.</summary>
    public string? SshPublicKey { get; init; }
}

/// <summary>
/// Builds the objects <c>kops create cluster</c> (kops 1.26) writes to its state store for the given flags: the
/// Cluster, one control-plane InstanceGroup per master, one node InstanceGroup per zone with nodes, and the admin
/// SSHCredential. Pure: the spec is derived from kops's own defaults, no AWS call is made.
/// </summary>
public static partial class KopsClusterBuilder
{
    /// <summary>The Kubernetes version kops 1.26's stable channel installs (Istio 1.17 supports 1.23 to 1.26).</summary>
    public const string DefaultKubernetesVersion = "v1.26.6";

    /// <summary>The image kops 1.26.6's stable channel gives Kubernetes 1.18 and later.</summary>
    public const string DefaultImage = "099720109477/ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20221206";

    /// <summary>kops's defaults on AWS for the codelab's instance types.</summary>
    public const string DefaultNodeSize = "t3.medium";
    public const string DefaultMasterSize = "t3.medium";

    private const string Rule = "kops create cluster";

    /// <summary>The --networking values New-LabCluster accepts, with the spec.networking each one writes.</summary>
    public static IReadOnlyList<string> NetworkingOptions { get; } =
        ["flannel", "flannel-vxlan", "flannel-udp", "calico", "canal", "cilium", "kubenet", "cni", "amazonvpc", "kindnet"];

    /// <summary>Checks the options as kops would, and more (zones, sizes, ARNs), before anything is built.</summary>
    public static ValidationResult Validate(KopsClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult();
        ClusterName(result, options.Name);
        AwsRules.StateStore(result, "-StateStore", options.StateStore);
        if (options.Zones.Count == 0)
        {
            result.Error(ErrorIds.InvalidZone, "-Zone", null, "at least one zone is required", Rule);
        }

        var regions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var zone in options.Zones)
        {
            if (AwsRules.Zone(result, "-Zone", zone) is { } r)
            {
                regions.Add(r);
            }
        }

        foreach (var zone in options.MasterZones)
        {
            if (AwsRules.Zone(result, "-MasterZone", zone) is { } r)
            {
                regions.Add(r);
            }
        }

        if (regions.Count > 1)
        {
            result.Error(ErrorIds.InvalidZone, options.MasterZones.Count > 0 ? "-MasterZone" : "-Zone", string.Join(",", options.Zones.Concat(options.MasterZones)),
                $"all zones must be in one region, found {string.Join(", ", regions)}", Rule);
        }

        Duplicates(result, "-Zone", options.Zones);
        Duplicates(result, "-MasterZone", options.MasterZones);
        if (options.Zones.Concat(options.MasterZones).Distinct(StringComparer.Ordinal).Count() > 7)
        {
            result.Error(ErrorIds.InvalidZone, "-Zone", null, "kops lays out at most 7 subnets (zones and master zones together) in the 172.20.0.0/16 network", Rule);
        }

        if (options.MasterCount is { } count)
        {
            if (count < 1)
            {
                result.Error(ErrorIds.InvalidCount, "-MasterCount", count, "at least one master is required", Rule);
            }
            else if (options.MasterZones.Count > 0 && count < options.MasterZones.Count)
            {
                result.Error(ErrorIds.InvalidCount, "-MasterCount", count,
                    $"{options.MasterZones.Count} master zones were given but only {count} masters: if both are given, the count must be at least the number of master zones (kops: 'the count should match')", Rule);
            }
            else if (count % 2 == 0)
            {
                result.Warning(ErrorIds.InvalidCount, "-MasterCount", count, $"{count} masters: etcd tolerates no more failures than with {count - 1}; use an odd count", "etcd quorum");
            }
        }

        if (options.NodeCount is < 0)
        {
            result.Error(ErrorIds.InvalidCount, "-NodeCount", options.NodeCount, "the node count cannot be negative", Rule);
        }

        AwsRules.InstanceType(result, "-NodeSize", options.NodeSize);
        AwsRules.InstanceType(result, "-MasterSize", options.MasterSize);
        AwsRules.VolumeSize(result, "-MasterVolumeSize", options.MasterVolumeSize);
        AwsRules.VolumeSize(result, "-NodeVolumeSize", options.NodeVolumeSize);
        AwsRules.PolicyArn(result, "-PermissionsBoundary", options.PermissionsBoundary);
        if (!NetworkingOptions.Contains(options.Networking, StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidClusterSpec, "-Networking", options.Networking, $"networking must be one of {string.Join(", ", NetworkingOptions)}", Rule);
        }

        if (!VersionPattern().IsMatch(options.KubernetesVersion))
        {
            result.Error(ErrorIds.InvalidClusterSpec, "-KubernetesVersion", options.KubernetesVersion, "expected a Kubernetes version such as v1.26.6", Rule);
        }

        if (options.SshPublicKey is not null)
        {
            SshPublicKey(result, "-SshPublicKey", options.SshPublicKey);
        }

        return result;
    }

    /// <summary>The cluster's objects in the order kops lists them: Cluster, InstanceGroups by name, SSHCredential.</summary>
    public static IReadOnlyList<LabResource> Build(KopsClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = Validate(options);
        if (validation.HasErrors)
        {
            throw new ArgumentException(validation.Errors.First().ToString());
        }

        var gossip = options.Name.EndsWith(".k8s.local", StringComparison.Ordinal);
        var masters = ControlPlane(options);
        var memberNames = TrimCommonPrefix(masters.Select(m => m.Suffix).ToList());
        var objects = new List<LabResource> { Cluster(options, gossip, masters.Select(m => m.Group).ToList(), memberNames) };
        var groups = new List<KopsInstanceGroup>();
        var modernMetadata = AtLeast(options.KubernetesVersion, 1, 22);
        foreach (var (group, zone) in masters.Select(m => (m.Group, m.Zone)))
        {
            groups.Add(InstanceGroup(options, group, "Master", options.MasterSize, 1, options.MasterVolumeSize, zone, modernMetadata ? 3 : null));
        }

        foreach (var (zone, count) in Nodes(options))
        {
            groups.Add(InstanceGroup(options, "nodes-" + zone, "Node", options.NodeSize, count, options.NodeVolumeSize, zone, modernMetadata ? 1 : null));
        }

        objects.AddRange(groups.OrderBy(g => g.Name, StringComparer.Ordinal));
        if (options.SshPublicKey is { } key)
        {
            var credential = new KopsSshCredential { Name = "admin" };
            credential.Metadata.Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [KopsKinds.ClusterLabel] = options.Name };
            credential.Spec["publicKey"] = key.Trim();
            objects.Add(credential);
        }

        return objects;
    }

    private static KopsCluster Cluster(KopsClusterOptions options, bool gossip, IReadOnlyList<string> masterGroups, IReadOnlyList<string> memberNames)
    {
        var cluster = new KopsCluster { Name = options.Name };
        var spec = cluster.Spec;
        spec["api"] = gossip
            ? Map(("loadBalancer", Map(("class", "Network"), ("type", "Public"))))
            : Map(("dns", Map()));
        spec["authorization"] = Map(("rbac", Map()));
        spec["channel"] = "stable";
        spec["cloudProvider"] = "aws";
        spec["configBase"] = options.StateStore.TrimEnd('/') + "/" + options.Name;
        spec["etcdClusters"] = new List<object?> { Etcd("main", "200m", masterGroups, memberNames), Etcd("events", "100m", masterGroups, memberNames) };
        var iam = Map(("allowContainerRegistry", true), ("legacy", false));
        if (options.PermissionsBoundary is { } boundary)
        {
            iam["permissionsBoundary"] = boundary;
        }

        spec["iam"] = iam;
        spec["kubelet"] = Map(("anonymousAuth", false));
        spec["kubernetesApiAccess"] = new List<object?> { "0.0.0.0/0", "::/0" };
        spec["kubernetesVersion"] = options.KubernetesVersion;
        if (!gossip)
        {
            spec["masterPublicName"] = "api." + options.Name;
        }

        spec["networkCIDR"] = "172.20.0.0/16";
        spec["networking"] = Networking(options.Networking);
        spec["nonMasqueradeCIDR"] = "100.64.0.0/10";
        spec["sshAccess"] = new List<object?> { "0.0.0.0/0", "::/0" };
        var zones = options.Zones.Concat(options.MasterZones).Distinct(StringComparer.Ordinal).OrderBy(z => z, StringComparer.Ordinal).ToList();
        spec["subnets"] = zones.Select((zone, i) => (object?)Map(
            ("cidr", string.Create(CultureInfo.InvariantCulture, $"172.20.{32 * (i + 1)}.0/19")),
            ("name", zone),
            ("type", "Public"),
            ("zone", zone))).ToList();
        spec["topology"] = Map(("dns", Map(("type", gossip ? "Private" : "Public"))), ("masters", "public"), ("nodes", "public"));
        return cluster;
    }

    private static KopsInstanceGroup InstanceGroup(KopsClusterOptions options, string name, string role, string machineType, int count, int? volume, string zone, int? hopLimit)
    {
        var group = new KopsInstanceGroup { Name = name };
        group.Metadata.Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [KopsKinds.ClusterLabel] = options.Name };
        var spec = group.Spec;
        spec["image"] = options.Image;
        if (hopLimit is { } hops)
        {
            spec["instanceMetadata"] = Map(("httpPutResponseHopLimit", (long)hops), ("httpTokens", "required"));
        }

        spec["machineType"] = machineType;
        spec["maxSize"] = (long)count;
        spec["minSize"] = (long)count;
        spec["role"] = role;
        if (volume is { } size)
        {
            spec["rootVolumeSize"] = (long)size;
        }

        spec["subnets"] = new List<object?> { zone };
        return group;
    }

    // kops setupControlPlane: the master zones (or the node zones), round-robin; names get -1, -2 … when there are more
    // masters than zones.
    private static List<(string Group, string Zone, string Suffix)> ControlPlane(KopsClusterOptions options)
    {
        var zones = options.MasterZones.Count > 0 ? options.MasterZones : options.Zones;
        var count = options.MasterCount ?? (options.MasterZones.Count > 0 ? options.MasterZones.Count : 1);
        var masters = new List<(string, string, string)>();
        for (var i = 0; i < count; i++)
        {
            var zone = zones[i % zones.Count];
            var name = count > zones.Count ? string.Create(CultureInfo.InvariantCulture, $"{zone}-{1 + (i / zones.Count)}") : zone;
            masters.Add(("control-plane-" + name, zone, name));
        }

        return masters;
    }

    // kops setupNodes: the node count (default: one per zone) spread over --zones only; zones left with none get no group.
    private static IEnumerable<(string Zone, int Count)> Nodes(KopsClusterOptions options)
    {
        var total = options.NodeCount ?? options.Zones.Count;
        var perZone = total / options.Zones.Count;
        var remainder = total % options.Zones.Count;
        for (var i = 0; i < options.Zones.Count; i++)
        {
            var count = perZone + (i < remainder ? 1 : 0);
            if (count > 0)
            {
                yield return (options.Zones[i], count);
            }
        }
    }

    private static Dictionary<string, object?> Etcd(string name, string cpu, IReadOnlyList<string> groups, IReadOnlyList<string> members) => Map(
        ("cpuRequest", cpu),
        ("etcdMembers", groups.Select((g, i) => (object?)Map(("encryptedVolume", true), ("instanceGroup", g), ("name", members[i]))).ToList()),
        ("memoryRequest", "100Mi"),
        ("name", name));

    private static Dictionary<string, object?> Networking(string option) => option switch
    {
        "flannel" or "flannel-vxlan" => Map(("flannel", Map(("backend", "vxlan")))),
        "flannel-udp" => Map(("flannel", Map(("backend", "udp")))),
        _ => Map((option, Map())),
    };

    // kops trimCommonPrefix: shorten etcd member names while they all share a first character and keep one.
    private static List<string> TrimCommonPrefix(List<string> names)
    {
        while (names.Count > 0 && names.All(n => n.Length > 1 && n[0] == names[0][0]))
        {
            names = names.Select(n => n[1..]).ToList();
        }

        return names;
    }

    /// <summary>
    /// A kops cluster name: a lowercase DNS name with a dot. <paramref name="warnWithoutGossip"/>: warn that a name
    /// not ending in .k8s.local needs a Route 53 zone (when the cluster is being defined).
    /// </summary>
    public static void ClusterName(ValidationResult result, string? name, bool warnWithoutGossip = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (name is null || name.Length > 253 || !ClusterNamePattern().IsMatch(name))
        {
            result.Error(ErrorIds.InvalidClusterName, "-Name", name,
                $"{ValidationResult.Show(name)} is not a cluster name: kops needs a lowercase DNS name with a dot, e.g. mycoolcluster.k8s.local", Rule);
        }
        else if (warnWithoutGossip && !name.EndsWith(".k8s.local", StringComparison.Ordinal))
        {
            result.Warning(ErrorIds.InvalidClusterName, "-Name", name,
                "the name does not end with .k8s.local, so kops will use DNS instead of gossip and needs a Route 53 zone for it (the codelab uses a .k8s.local name)", Rule);
        }
    }

    /// <summary>An OpenSSH public key line that EC2 can import (ssh-rsa or ssh-ed25519).</summary>
    public static void SshPublicKey(ValidationResult result, string field, string key)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        var valid = parts.Length >= 2 && parts[0] is "ssh-rsa" or "ssh-ed25519" && DecodesTo(parts[1], parts[0]);
        if (!valid)
        {
            result.Error(ErrorIds.InvalidSshPublicKey, field, parts.Length > 0 ? parts[0] : key,
                "expected an OpenSSH public key line ('ssh-rsa AAAA… comment' or 'ssh-ed25519 AAAA…'), e.g. the contents of ~/.ssh/id_rsa.pub", "EC2 key pair import");
        }
    }

    private static bool DecodesTo(string base64, string type)
    {
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var length) || length < 4)
        {
            return false;
        }

        var nameLength = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        return nameLength == type.Length && length >= 4 + nameLength && System.Text.Encoding.ASCII.GetString(bytes, 4, nameLength) == type;
    }

    private static void Duplicates(ValidationResult result, string field, IReadOnlyList<string> zones)
    {
        foreach (var zone in zones.GroupBy(z => z, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            result.Error(ErrorIds.InvalidZone, field, zone.Key, $"zone '{zone.Key}' is listed more than once", Rule);
        }
    }

    private static bool AtLeast(string version, int major, int minor)
    {
        var parts = version.TrimStart('v').Split('.');
        return int.Parse(parts[0], CultureInfo.InvariantCulture) > major
            || (int.Parse(parts[0], CultureInfo.InvariantCulture) == major && int.Parse(parts[1], CultureInfo.InvariantCulture) >= minor);
    }

    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            map[key] = value;
        }

        return map;
    }

    [GeneratedRegex("^v?[0-9]+\\.[0-9]+\\.[0-9]+$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^(?=.*\\.)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")]
    private static partial Regex ClusterNamePattern();
}
