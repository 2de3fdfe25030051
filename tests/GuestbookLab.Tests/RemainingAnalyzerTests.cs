using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Tests;

/// <summary>Branches and message texts of the analyzers ported last (issue 14) that Istio's grid does not pin down.</summary>
public class RemainingAnalyzerTests
{
    private static IReadOnlyList<AnalysisMessage> Run(string analyzer, string yaml) =>
        MeshAnalyzer.Analyze(MeshModel.Build(AnalysisInputs.ExpandLists(ManifestSerializer.Deserialize(yaml))), new AnalysisOptions { Analyzers = [analyzer] });

    private const string Injected = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n";

    private static string Deployment(string ns = "shop") =>
        $"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: cart, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: cart}}}}\n  template:\n    metadata: {{labels: {{app: cart}}}}\n    spec: {{containers: [{{name: cart, image: cart}}]}}\n";

    private static string Service(string name, string ports, string ns = "shop") =>
        $"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{app: cart}}\n  ports: {ports}\n";

    [Fact]
    public void Services_that_give_a_port_two_protocols_or_a_target_port_two_ports_are_named_in_the_messages()
    {
        var messages = Run("deployment.ServiceAssociationAnalyzer", Injected + Deployment()
            + Service("cart-tcp", "[{name: tcp, port: 80, protocol: TCP, targetPort: http}]")
            + Service("cart-udp", "[{name: udp, port: 80, protocol: UDP, targetPort: 8080}]")
            + Service("cart-alt", "[{name: http, port: 8000, targetPort: http}]"));
        Assert.Equal(
            [
                "IST0116 This deployment cart is associated with multiple services using port 80 but different protocols: [shop/cart-tcp shop/cart-udp]",
                "IST0137 This deployment cart is associated with multiple services [shop/cart-tcp shop/cart-alt] using targetPort \"http\" but different ports: [80 8000].",
            ],
            messages.Select(m => $"{m.Code} {m.Message}").Order(System.StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Equal("Deployment shop/cart", m.Resource));
    }

    [Fact]
    public void A_deployment_outside_the_mesh_or_only_revision_labelled_needs_no_service()
    {
        // Istio's in-mesh test reads the istio-injection label only; a pod template opting out is outside too.
        var revision = "apiVersion: v1\nkind: Namespace\nmetadata: {name: canary, labels: {istio.io/rev: canary}}\n---\n" + Deployment("canary");
        Assert.Empty(Run("deployment.ServiceAssociationAnalyzer", revision));
        Assert.Empty(Run("deployment.ServiceAssociationAnalyzer", Injected + Deployment().Replace("metadata: {labels: {app: cart}}", "metadata: {labels: {app: cart, sidecar.istio.io/inject: \"false\"}}", System.StringComparison.Ordinal)));
        Assert.Equal(["IST0117 Deployment shop/cart"], Run("deployment.ServiceAssociationAnalyzer", Injected + Deployment() + Service("other", "[{port: 80}]", "elsewhere")).Select(m => $"{m.Code} {m.Resource}"));
    }

    private static string Pod(string annotations, string labels = "{}") =>
        $"apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: shop, labels: {labels}, annotations: {annotations}}}\nspec: {{containers: [{{name: c}}]}}\n";

    [Theory]
    [InlineData("traffic.sidecar.istio.io/excludeInboundPorts", "80, x", "excludeInboundPorts invalid: failed parsing port ' x': failed parsing port ' x': strconv.ParseUint: parsing \"x\": invalid syntax")]
    [InlineData("traffic.sidecar.istio.io/includeInboundPorts", "70000", "includeInboundPorts invalid: failed parsing port '70000': failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range")]
    [InlineData("sidecar.istio.io/interceptionMode", "MAGIC", "interceptionMode invalid, use REDIRECT,TPROXY,NONE: MAGIC")]
    [InlineData("prometheus.istio.io/merge-metrics", "yes", "strconv.ParseBool: parsing \"yes\": invalid syntax")]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/8,10.1.0.0", "excludeIPRanges invalid: failed parsing cidr '10.1.0.0': netip.ParsePrefix(\"10.1.0.0\"): no '/'")]
    [InlineData("status.sidecar.istio.io/port", "-1", "excludeInboundPorts invalid: failed parsing port '-1': strconv.ParseUint: parsing \"-1\": invalid syntax")]
    public void An_annotation_value_Istio_rejects_is_ist0125_with_its_error(string name, string value, string error)
    {
        var messages = Run("annotations.K8sAnalyzer", Pod($"{{{name}: \"{value}\"}}"));
        Assert.Equal([$"IST0125 Invalid annotation {name}: {error}"], messages.Select(m => $"{m.Code} {m.Message}"));
    }

    [Theory]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "*")]
    [InlineData("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,fd00::/8")]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundPorts", "")]
    [InlineData("sidecar.istio.io/enableCoreDump", "T")]
    public void An_annotation_value_Istio_accepts_is_no_finding(string name, string value) =>
        Assert.Empty(Run("annotations.K8sAnalyzer", Pod($"{{{name}: \"{value}\"}}")));

    [Fact]
    public void The_deprecated_inject_annotation_says_what_replaces_it_unless_the_label_is_there_too()
    {
        Assert.Equal(["IST0135 Annotation \"sidecar.istio.io/inject\" has been deprecated in favor of the \"sidecar.istio.io/inject\" label and may not work in future Istio versions."],
            Run("annotations.K8sAnalyzer", Pod("{sidecar.istio.io/inject: \"true\"}")).Select(m => $"{m.Code} {m.Message}"));
        Assert.Empty(Run("annotations.K8sAnalyzer", Pod("{sidecar.istio.io/inject: \"true\"}", "{sidecar.istio.io/inject: \"true\"}")));
    }

    [Fact]
    public void Alpha_annotations_are_reported_only_when_the_alpha_analyzer_is_named()
    {
        var pod = Pod("{sidecar.istio.io/status: x, sidecar.istio.io/proxyCPU: 100m}");
        Assert.DoesNotContain(MeshAnalyzer.Analyze(MeshModel.Build(ManifestSerializer.Deserialize(pod))), m => m.Code == "IST0136");
        Assert.Equal(["IST0136 Annotation \"sidecar.istio.io/proxyCPU\" is part of an alpha-phase feature and may be incompletely supported."],
            Run("maturity.AlphaAnalyzer", pod).Select(m => $"{m.Code} {m.Message}"));
    }

    private const string AutoDeployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gw, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {istio: gw}}\n    spec: {containers: [{name: istio-proxy, image: auto}]}\n";

    private static string Webhook(string name, string selectors) =>
        $"---\napiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {{name: injector}}\nwebhooks:\n- name: {name}\n  clientConfig: {{service: {{name: istiod, namespace: istio-system}}}}\n{selectors}\n";

    [Theory]
    [InlineData("sidecar-injector.istio.io", "  namespaceSelector: {matchExpressions: [{key: istio-injection, operator: In, values: [enabled]}]}", false)]
    [InlineData("sidecar-injector.istio.io", "  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: DoesNotExist}]}\n  objectSelector: {matchExpressions: [{key: istio, operator: NotIn, values: [other]}]}", false)]
    [InlineData("sidecar-injector.istio.io", "  namespaceSelector: {matchExpressions: [{key: istio-injection, operator: In, values: [disabled]}]}", true)]
    [InlineData("sidecar-injector.istio.io", "  namespaceSelector: {matchExpressions: [{key: istio-injection, operator: Exists, values: [enabled]}]}", true)]
    [InlineData("injector.example.com", "  namespaceSelector: {}", true)]
    public void A_deployment_with_image_auto_warns_unless_an_istio_webhook_selects_it(string name, string selectors, bool warns)
    {
        var messages = Run("injection.ImageAutoAnalyzer", Injected + AutoDeployment + Webhook(name, selectors));
        Assert.Equal(warns ? ["IST0146 Deployment shop/gw: Deployment gw contains `image: auto` but does not match any Istio injection webhook selectors."] : [],
            messages.Select(m => $"{m.Code} {m.Resource}: {m.Message}"));
    }

    private static string EnvoyFilter(string name, string patches) =>
        $"---\napiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  configPatches:\n{patches}\n";

    [Fact]
    public void A_proxy_version_patch_in_an_earlier_envoy_filter_makes_a_later_relative_patch_of_that_filter_ist0155()
    {
        var versioned = "  - applyTo: HTTP_FILTER\n    match: {proxy: {proxyVersion: '^1.17'}}\n    patch: {operation: INSERT_FIRST, value: {name: envoy.lua}}";
        var relative = "  - applyTo: HTTP_FILTER\n    patch: {operation: INSERT_BEFORE, value: {name: envoy.lua}}";
        var other = "  - applyTo: HTTP_FILTER\n    patch: {operation: INSERT_AFTER, value: {name: envoy.other}}";
        var messages = Run("envoyfilter.EnvoyPatchAnalyzer", EnvoyFilter("a", versioned) + EnvoyFilter("b", relative) + EnvoyFilter("c", other));
        Assert.Equal(["IST0151 EnvoyFilter shop/c", "IST0155 EnvoyFilter shop/b"], messages.Select(m => $"{m.Code} {m.Resource}").Order(System.StringComparer.Ordinal));
    }

    [Fact]
    public void Envoy_filter_patches_after_one_without_a_patch_and_merges_are_not_reported()
    {
        var messages = Run("envoyfilter.EnvoyPatchAnalyzer", EnvoyFilter("a",
            "  - applyTo: CLUSTER\n    patch: {operation: MERGE, value: {name: c}}\n  - applyTo: HTTP_FILTER\n  - applyTo: HTTP_ROUTE\n    patch: {operation: ADD}"));
        Assert.Empty(messages);
    }

    [Fact]
    public void Revision_webhooks_that_both_select_a_revision_labelled_namespace_overlap_and_url_webhooks_need_no_service()
    {
        static string Config(string name, string hook) =>
            $"---\napiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {{name: {name}}}\nwebhooks:\n{hook}\n";
        var yaml = Config("canary", "- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {url: 'https://injector:443/inject'}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: In, values: [canary]}]}")
            + Config("any-rev", "- name: any.sidecar-injector.istio.io\n  clientConfig: {url: 'https://injector:443/inject'}\n  namespaceSelector: {matchExpressions: [{key: istio.io/rev, operator: Exists}]}")
            + Config("other", "- name: hook.example.com\n  clientConfig: {service: {name: none, namespace: x}}");
        var messages = Run("webhook.Analyzer", yaml);
        Assert.Equal(
            [
                "MutatingWebhookConfiguration any-rev: Webhook overlaps with others: [canary/rev.namespace.sidecar-injector.istio.io]. This may cause injection to occur twice.",
                "MutatingWebhookConfiguration canary: Webhook overlaps with others: [any-rev/any.sidecar-injector.istio.io]. This may cause injection to occur twice.",
            ],
            messages.Select(m => $"{m.Resource}: {m.Message}").Order(System.StringComparer.Ordinal).ToList());
    }
}
