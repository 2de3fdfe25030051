using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

// ConvertTo-MeshInjected's injector against istioctl 1.17.8's own kube-inject goldens (tests/data/istio/inject).
public class InjectionTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "istio", "inject");

    // The goldens' image: istioctl's test build (hub gcr.io/istio-testing, tag latest).
    private static readonly SidecarInjectionOptions TestBuild = new() { Hub = "gcr.io/istio-testing", Tag = "latest" };

    public static TheoryData<string> Goldens()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Data, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            data.Add(file!);
        }

        return data;
    }

    [Fact]
    public void Every_golden_of_the_reference_folder_is_tested()
    {
        Assert.Equal(9, Goldens().Count);
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Injects_what_istioctl_kube_inject_writes(string golden)
    {
        var input = ResourceKinds.FromTree(YamlCodec.Parse(File.ReadAllText(Path.Combine(Data, golden)))[0]);
        var expected = GoZeroValuesRemoved(YamlCodec.Parse(File.ReadAllText(Path.Combine(Data, golden + ".injected")))[0]);

        var outcome = SidecarInjector.Inject(input, TestBuild);

        Assert.Equal(InjectionResult.Injected, outcome.Result);
        Assert.Equal(YamlCodec.Emit([Sorted(expected)]), YamlCodec.Emit([Sorted(ApiObjectMapper.ToTree(outcome.Resource))]));
    }

    [Fact]
    public void The_proxy_image_tag_and_hub_are_parameters()
    {
        var input = ResourceKinds.FromTree(YamlCodec.Parse(File.ReadAllText(Path.Combine(Data, "hello.yaml")))[0]);
        var tree = ApiObjectMapper.ToTree(SidecarInjector.Inject(input, new SidecarInjectionOptions()).Resource);
        var spec = Map(Map(Map(tree, "spec"), "template"), "spec");
        Assert.Equal("docker.io/istio/proxyv2:1.17.8", Text(List(spec, "containers")[1], "image"));
        Assert.Equal("docker.io/istio/proxyv2:1.17.8", Text(List(spec, "initContainers")[0], "image"));
    }

    [Fact]
    public void The_input_is_not_changed()
    {
        var input = ResourceKinds.FromTree(YamlCodec.Parse(File.ReadAllText(Path.Combine(Data, "hello-probes.yaml")))[0]);
        var before = YamlCodec.Emit([ApiObjectMapper.ToTree(input)]);
        SidecarInjector.Inject(input, TestBuild);
        Assert.Equal(before, YamlCodec.Emit([ApiObjectMapper.ToTree(input)]));
    }

    [Theory]
    [InlineData("sidecar.istio.io/inject: \"false\"", InjectionResult.Skipped, "injection disabled")]
    [InlineData("sidecar.istio.io/interceptionMode: TPROXY", InjectionResult.NotPreviewed, "sidecar.istio.io/interceptionMode")]
    [InlineData("sidecar.istio.io/status: '{}'", InjectionResult.NotPreviewed, "already injected")]
    public void Leaves_pods_it_cannot_or_must_not_inject(string annotation, InjectionResult result, string reason)
    {
        var yaml = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    {annotation}\nspec:\n  containers:\n  - name: app\n    image: app\n";
        var input = ResourceKinds.FromTree(YamlCodec.Parse(yaml)[0]);
        var outcome = SidecarInjector.Inject(input, TestBuild);
        Assert.Equal(result, outcome.Result);
        Assert.Contains(reason, outcome.Reason, StringComparison.Ordinal);
        Assert.Same(input, outcome.Resource);
    }

    [Fact]
    public void Host_network_pods_are_skipped_as_istioctl_skips_them()
    {
        var input = ResourceKinds.FromTree(YamlCodec.Parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: app, image: app}]\n")[0]);
        Assert.Equal(InjectionResult.Skipped, SidecarInjector.Inject(input, TestBuild).Result);
    }

    [Fact]
    public void Prometheus_annotations_of_the_app_move_to_the_agent()
    {
        var yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    prometheus.io/scrape: \"true\"\n    prometheus.io/port: \"9000\"\nspec:\n  containers: [{name: app, image: app}]\n";
        var tree = ApiObjectMapper.ToTree(SidecarInjector.Inject(ResourceKinds.FromTree(YamlCodec.Parse(yaml)[0]), TestBuild).Resource);
        var annotations = Map(Map(tree, "metadata"), "annotations");
        Assert.Equal("15020", annotations["prometheus.io/port"]);
        var env = List(List(Map(tree, "spec"), "containers")[1], "env");
        Assert.Equal("{\"scrape\":\"true\",\"path\":\"\",\"port\":\"9000\"}", env.Single(e => Text(e, "name") == "ISTIO_PROMETHEUS_ANNOTATIONS")["value"]);
    }

    [Fact]
    public void Tcp_probes_and_https_schemes_are_rewritten_as_Istio_1_17_rewrites_them()
    {
        var yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: app\n    readinessProbe: {tcpSocket: {port: 6379}, timeoutSeconds: 2}\n    livenessProbe: {httpGet: {path: /h, port: 8443, scheme: HTTPS}}\n";
        var tree = ApiObjectMapper.ToTree(SidecarInjector.Inject(ResourceKinds.FromTree(YamlCodec.Parse(yaml)[0]), TestBuild).Resource);
        var app = List(Map(tree, "spec"), "containers")[0];
        Assert.Equal("/app-health/app/readyz", Map(Map(app, "readinessProbe"), "httpGet")["path"]);
        Assert.Equal(15020L, Map(Map(app, "readinessProbe"), "httpGet")["port"]);
        Assert.False(Map(app, "readinessProbe").ContainsKey("tcpSocket"));
        Assert.Equal("HTTP", Map(Map(app, "livenessProbe"), "httpGet")["scheme"]);
        var env = List(List(Map(tree, "spec"), "containers")[1], "env");
        Assert.Equal(
            "{\"/app-health/app/livez\":{\"httpGet\":{\"path\":\"/h\",\"port\":8443,\"scheme\":\"HTTPS\"}},\"/app-health/app/readyz\":{\"tcpSocket\":{\"port\":6379},\"timeoutSeconds\":2}}",
            env.Single(e => Text(e, "name") == SidecarInjector.ProbersEnv)["value"]);
    }

    [Theory]
    [InlineData("latest", "gcr.io/istio-testing", "", true)]
    [InlineData("-bad", "docker.io/istio", "", false)]
    [InlineData("1.17.8", "", "", false)]
    [InlineData("1.17.8", "docker.io/istio", "Canary_1", false)]
    public void Validates_the_image_and_revision(string tag, string hub, string revision, bool valid)
    {
        var result = SidecarInjector.Validate(new SidecarInjectionOptions { Tag = tag, Hub = hub, Revision = revision });
        Assert.Equal(valid, !result.HasErrors);
        if (!valid)
        {
            Assert.StartsWith("-", result.Errors.First().Parameter, StringComparison.Ordinal);
        }
    }

    // What Go writes for zero-valued structs when istioctl serializes the objects, which is not injection:
    // metadata.creationTimestamp: null, strategy/updateStrategy: {}, the app containers' resources: {}, and the
    // top-level status.
    private static Dictionary<string, object?> GoZeroValuesRemoved(Dictionary<string, object?> tree)
    {
        tree.Remove("status");
        Strip(tree);
        return tree;

        static void Strip(object? node)
        {
            if (node is IDictionary<string, object?> map)
            {
                if (map.TryGetValue("creationTimestamp", out var stamp) && stamp is null)
                {
                    map.Remove("creationTimestamp");
                }

                foreach (var key in new[] { "strategy", "updateStrategy", "resources" })
                {
                    if (map.TryGetValue(key, out var value) && value is IDictionary { Count: 0 })
                    {
                        map.Remove(key);
                    }
                }

                foreach (var value in map.Values)
                {
                    Strip(value);
                }
            }
            else if (node is IList list)
            {
                foreach (var item in list)
                {
                    Strip(item);
                }
            }
        }
    }

    private static object? Sorted(object? node) => node switch
    {
        IDictionary<string, object?> map => map.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => Sorted(e.Value), StringComparer.Ordinal),
        IList list => list.Cast<object?>().Select(Sorted).ToList(),
        _ => node,
    };

    private static Dictionary<string, object?> Sorted(Dictionary<string, object?> map) => (Dictionary<string, object?>)Sorted((object?)map)!;

    private static IDictionary<string, object?> Map(IDictionary<string, object?> tree, string key) => (IDictionary<string, object?>)tree[key]!;

    private static List<IDictionary<string, object?>> List(IDictionary<string, object?> tree, string key) =>
        ((IList)tree[key]!).Cast<IDictionary<string, object?>>().ToList();

    private static string? Text(IDictionary<string, object?> tree, string key) => tree.TryGetValue(key, out var v) ? v as string : null;
}
