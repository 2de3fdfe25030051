using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

// kops's own integration goldens (tests/integration/create_cluster at v1.26.6), and the spec derived from kops 1.26
// source for the codelab's command, compared object by object with what New-LabCluster builds.
public class KopsClusterTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "kops");

    [Theory]
    [InlineData("v1.26.6-ha")]
    [InlineData("v1.26.6-ha_shared_zones")]
    [InlineData("v1.26.6-minimal-1.26")]
    public void Builds_what_kops_1_26_writes_for_its_golden_options(string test)
    {
        var options = YamlCodec.Parse(File.ReadAllText(Path.Combine(Data, test, "options.yaml")))[0];
        var built = KopsClusterBuilder.Build(new KopsClusterOptions
        {
            Name = (string)options["ClusterName"]!,
            StateStore = "s3://tests",
            Zones = Strings(options, "Zones"),
            MasterZones = Strings(options, "ControlPlaneZones"),
            MasterCount = options.TryGetValue("ControlPlaneCount", out var count) ? Convert.ToInt32(count, System.Globalization.CultureInfo.InvariantCulture) : null,
            Networking = (string)options["Networking"]!,
            KubernetesVersion = (string)options["KubernetesVersion"]!,
            MasterSize = "m3.medium", // the test harness's mock AWS defaults
            NodeSize = "t2.medium",
        });
        var expected = Golden(Path.Combine(Data, test, "expected-v1alpha2.yaml"), "memfs://tests", "s3://tests");
        AssertSameObjects(expected, built);
    }

    [Fact]
    public void Builds_the_codelab_command_as_derived_from_kops_1_26()
    {
        var built = KopsClusterBuilder.Build(Codelab());
        var expected = Golden(Path.Combine(Data, "DERIVED-expected-for-codelab-command.kops-1.26.yaml"), "s3://B/", "s3://lab-state-store/")
            .Select(d => Replace(d, "<K8S_VERSION>", KopsClusterBuilder.DefaultKubernetesVersion))
            .Select(d => Replace(d, "<IMAGE>", KopsClusterBuilder.DefaultImage))
            .ToList();
        AssertSameObjects(expected, built);
    }

    [Fact]
    public void Gossip_names_get_kops_gossip_api_and_dns_settings()
    {
        // gossip-aws (kops master, the only .k8s.local golden): the api load balancer, private DNS, no masterPublicName.
        var golden = Golden(Path.Combine(Data, "gossip-aws", "expected-v1alpha2.yaml"), "memfs://tests", "s3://tests")[0];
        var cluster = (KopsCluster)KopsClusterBuilder.Build(new KopsClusterOptions { Name = "gossip.k8s.local", StateStore = "s3://tests", Zones = ["us-test-1a"], Networking = "cni" })[0];
        var spec = Map(golden, "spec");
        Assert.Equal(ApiObjectMapper.CanonicalKey(spec["api"]), ApiObjectMapper.CanonicalKey(cluster.Spec["api"]));
        Assert.Equal(ApiObjectMapper.CanonicalKey(Map(spec, "topology")["dns"]), ApiObjectMapper.CanonicalKey(((IDictionary<string, object?>)cluster.Spec["topology"]!)["dns"]));
        Assert.False(spec.ContainsKey("masterPublicName"));
        Assert.False(cluster.Spec.ContainsKey("masterPublicName"));
    }

    [Fact]
    public void Permissions_boundary_and_ssh_key_replace_the_interactive_edit()
    {
        var key = "ssh-rsa " + Convert.ToBase64String([0, 0, 0, 7, .. "ssh-rsa"u8.ToArray(), 1, 2, 3]) + " lab@example";
        var built = KopsClusterBuilder.Build(Codelab() with { PermissionsBoundary = "arn:aws:iam::123456789012:policy/CustomPowerUserBound", SshPublicKey = key });
        var cluster = Assert.IsType<KopsCluster>(built[0]);
        Assert.Equal("arn:aws:iam::123456789012:policy/CustomPowerUserBound", cluster.PermissionsBoundary);
        var iam = (IDictionary<string, object?>)cluster.Spec["iam"]!;
        Assert.Equal(["allowContainerRegistry", "legacy", "permissionsBoundary"], iam.Keys.Order(StringComparer.Ordinal).ToArray());
        var credential = Assert.IsType<KopsSshCredential>(built[^1]);
        Assert.Equal("admin", credential.Name);
        Assert.Equal(key, credential.PublicKey);
        Assert.Equal("mycoolcluster.k8s.local", credential.ClusterName);
        Assert.Equal("s3://lab-state-store", cluster.StateStore);
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], cluster.Zones);
        Assert.Equal("flannel", cluster.Networking);
    }

    [Fact]
    public void Node_count_is_spread_over_the_node_zones_only()
    {
        var built = KopsClusterBuilder.Build(new KopsClusterOptions { Name = "a.k8s.local", StateStore = "s3://bucket", Zones = ["us-east-1a", "us-east-1b"], NodeCount = 5 });
        var nodes = built.OfType<KopsInstanceGroup>().Where(g => g.Role == "Node").ToList();
        Assert.Equal(["nodes-us-east-1a", "nodes-us-east-1b"], nodes.Select(n => n.Name));
        Assert.Equal([3, 2], nodes.Select(n => n.MinSize!.Value));
        Assert.Single(built.OfType<KopsInstanceGroup>(), g => g.Role == "Master");
    }

    [Theory]
    [InlineData("-Name", "Bad_Name.k8s.local", ErrorIds.InvalidClusterName)]
    [InlineData("-Name", "nodots", ErrorIds.InvalidClusterName)]
    [InlineData("-StateStore", "bucket", ErrorIds.InvalidStateStore)]
    [InlineData("-StateStore", "s3://Bad_Bucket", ErrorIds.InvalidBucketName)]
    [InlineData("-Zone", "us-east-1", ErrorIds.InvalidZone)]
    [InlineData("-MasterZone", "us-west-2a", ErrorIds.InvalidZone)]
    [InlineData("-MasterCount", "2", ErrorIds.InvalidCount)]
    [InlineData("-MasterSize", "large", ErrorIds.InvalidInstanceSize)]
    [InlineData("-NodeVolumeSize", "4", ErrorIds.InvalidInstanceSize)]
    [InlineData("-PermissionsBoundary", "arn:aws:iam::ACCOUNT_ID_HERE:policy/CustomPowerUserBound", ErrorIds.InvalidArn)]
    [InlineData("-Networking", "weave", ErrorIds.InvalidClusterSpec)]
    [InlineData("-KubernetesVersion", "latest", ErrorIds.InvalidClusterSpec)]
    [InlineData("-SshPublicKey", "not a key", ErrorIds.InvalidSshPublicKey)]
    public void Bad_input_is_refused_naming_the_parameter(string field, string value, string errorId)
    {
        var options = field switch
        {
            "-Name" => Codelab() with { Name = value },
            "-StateStore" => Codelab() with { StateStore = value },
            "-Zone" => Codelab() with { Zones = [value] },
            "-MasterZone" => Codelab() with { MasterZones = ["us-east-1a", "us-east-1b", value] },
            "-MasterCount" => Codelab() with { MasterCount = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "-MasterSize" => Codelab() with { MasterSize = value },
            "-NodeVolumeSize" => Codelab() with { NodeVolumeSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "-PermissionsBoundary" => Codelab() with { PermissionsBoundary = value },
            "-Networking" => Codelab() with { Networking = value },
            "-KubernetesVersion" => Codelab() with { KubernetesVersion = value },
            _ => Codelab() with { SshPublicKey = value },
        };
        var error = Assert.Single(KopsClusterBuilder.Validate(options).Errors);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(field, error.Field);
        Assert.Throws<ArgumentException>(() => KopsClusterBuilder.Build(options));
    }

    [Fact]
    public void Even_master_counts_warn_about_etcd_quorum()
    {
        var result = KopsClusterBuilder.Validate(Codelab() with { MasterZones = [], MasterCount = 4 });
        Assert.False(result.HasErrors);
        Assert.Equal(ErrorIds.InvalidCount, Assert.Single(result.Warnings).ErrorId);
    }

    [Theory]
    [InlineData("my-state-store", true)]
    [InlineData("a.b-c", true)]
    [InlineData("ab", false)]
    [InlineData("UPPER", false)]
    [InlineData("-dash", false)]
    [InlineData("a..b", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("xn--bucket", false)]
    [InlineData("bucket-s3alias", false)]
    public void Bucket_names_follow_s3_rules(string name, bool valid)
    {
        var result = new ValidationResult();
        AwsRules.BucketName(result, "-BucketName", name);
        Assert.Equal(valid, !result.HasErrors);
    }

    [Theory]
    [InlineData("your-name-ui", true)]
    [InlineData("project-a/nginx-web-app", true)]
    [InlineData("a__b", true)]
    [InlineData("a", false)]
    [InlineData("Your-Name", false)]
    [InlineData("name-", false)]
    [InlineData("a//b", false)]
    public void Repository_names_follow_ecr_rules(string name, bool valid)
    {
        var result = new ValidationResult();
        AwsRules.RepositoryName(result, "-Name", name);
        Assert.Equal(valid, !result.HasErrors);
    }

    private static KopsClusterOptions Codelab() => new()
    {
        Name = "mycoolcluster.k8s.local",
        StateStore = "s3://lab-state-store",
        NodeCount = 4,
        MasterCount = 3,
        Zones = ["us-east-1a"],
        MasterZones = ["us-east-1a", "us-east-1b", "us-east-1c"],
        NodeSize = "t2.large",
        MasterSize = "t2.medium",
        MasterVolumeSize = 20,
        NodeVolumeSize = 20,
        Networking = "flannel",
    };

    private static void AssertSameObjects(List<Dictionary<string, object?>> expected, IReadOnlyList<LabResource> built)
    {
        Assert.Equal(expected.Select(e => $"{e["kind"]}/{Map(e, "metadata")["name"]}"), built.Select(b => $"{b.Kind}/{b.Name}"));
        for (var i = 0; i < expected.Count; i++)
        {
            var actual = ApiObjectMapper.ToTree(built[i]);
            Assert.Equal(YamlCodec.Emit([expected[i]]), YamlCodec.Emit([actual]));
        }
    }

    // A golden file's objects, without what the builder does not set (kops stamps creationTimestamp when it stores).
    private static List<Dictionary<string, object?>> Golden(string path, string configBase, string replacement)
    {
        var text = File.ReadAllText(path).Replace(configBase, replacement, StringComparison.Ordinal)
            .Replace("X.k8s.local", "mycoolcluster.k8s.local", StringComparison.Ordinal);
        var docs = YamlCodec.Parse(text).ToList();
        foreach (var doc in docs)
        {
            Map(doc, "metadata").Remove("creationTimestamp");
        }

        return docs;
    }

    private static Dictionary<string, object?> Replace(Dictionary<string, object?> doc, string placeholder, string value) =>
        YamlCodec.Parse(YamlCodec.Emit([doc]).Replace(placeholder, value, StringComparison.Ordinal))[0];

    private static IDictionary<string, object?> Map(IDictionary<string, object?> tree, string key) => (IDictionary<string, object?>)tree[key]!;

    private static List<string> Strings(Dictionary<string, object?> tree, string key) =>
        tree.TryGetValue(key, out var v) && v is IEnumerable<object?> list ? list.Cast<string>().ToList() : [];
}
