using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Tests;

public class AnalyzerTests
{
    private const string App = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: default, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec:
          selector: {app: reviews}
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v1}
        spec:
          template:
            metadata: {labels: {app: reviews, version: v1}}
            spec: {serviceAccountName: reviews}
        """;

    private static IReadOnlyList<AnalysisMessage> Analyze(string yaml) =>
        MeshAnalyzer.Analyze(MeshModel.Build(ManifestSerializer.Deserialize(App + "\n---\n" + yaml)));

    private static void AssertCode(string yaml, string code, string resource)
    {
        var messages = Analyze(yaml);
        Assert.Contains(messages, m => m.Code == code && m.Resource == resource);
    }

    [Fact]
    public void A_clean_configuration_has_no_findings() =>
        Assert.Empty(Analyze("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}}]}]"));

    [Fact]
    public void Missing_hosts_subsets_and_gateways_are_ist0101()
    {
        var messages = Analyze("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [reviews]\n  gateways: [nowhere]\n  http:\n  - route: [{destination: {host: details}}, {destination: {host: reviews, subset: v2}, weight: 50}]\n    mirror: {host: shadow}");
        Assert.Contains(messages, m => m.Code == "IST0101" && m.Message == "Referenced host not found: \"details\"");
        Assert.Contains(messages, m => m.Code == "IST0101" && m.Message == "Referenced host+subset in destinationrule not found: \"reviews+v2\"");
        Assert.Contains(messages, m => m.Code == "IST0101" && m.Message == "Referenced gateway not found: \"nowhere\"");
        Assert.Contains(messages, m => m.Code == "IST0101" && m.Message == "Referenced mirror host not found: \"shadow\"");
        Assert.All(messages.Where(m => m.Code == "IST0101"), m => Assert.Equal(AnalysisLevel.Error, m.Level));
    }

    [Fact]
    public void Same_mesh_host_in_two_virtual_services_is_ist0109()
    {
        var vs = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: NAME}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}}]}]";
        var messages = Analyze(vs.Replace("NAME", "a", System.StringComparison.Ordinal) + "\n---\n" + vs.Replace("NAME", "b", System.StringComparison.Ordinal));
        Assert.Equal(2, messages.Count(m => m.Code == "IST0109"));
    }

    [Fact]
    public void Unreachable_rules_are_ist0130_and_duplicates_ist0131()
    {
        var messages = Analyze("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [reviews]\n  http:\n  - match: [{uri: {prefix: /a}}]\n    route: [{destination: {host: reviews}}]\n  - match: [{uri: {prefix: /a}}]\n    route: [{destination: {host: reviews}}]\n  - route: [{destination: {host: reviews}}]\n  - route: [{destination: {host: reviews}}]");
        Assert.Contains(messages, m => m.Code == "IST0131");
        Assert.Contains(messages, m => m.Code == "IST0130");
        Assert.DoesNotContain(messages, m => m.Code == "GBL0009"); // the second match-less rule is IST0130's already
    }

    [Fact]
    public void Rules_after_a_catch_all_that_is_not_last_are_gbl0009_which_istio_does_not_report()
    {
        var messages = Analyze("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reviews}}]\n  - match: [{uri: {prefix: /a}}]\n    route: [{destination: {host: reviews}}]");
        var found = Assert.Single(messages, m => m.Code == "GBL0009");
        Assert.Equal(("VirtualService r", AnalysisLevel.Warning, "spec.http[1]"), (found.Resource, found.Level, found.Field));
        Assert.DoesNotContain(messages, m => m.Code is "IST0130" or "IST0131" or "IST0133");
        Assert.True(AnalysisSuppression.IsKnownCode("GBL0009"));
    }

    [Fact]
    public void Schema_errors_are_ist0106_and_bad_regexes_ist0122()
    {
        AssertCode("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [reviews]", "IST0106", "VirtualService r");
        AssertCode("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [reviews]\n  http:\n  - match: [{uri: {regex: '(?=x)'}}]\n    route: [{destination: {host: reviews}}]", "IST0122", "VirtualService r");
    }

    [Fact]
    public void Gateway_checks_ist0132_and_ist0104()
    {
        var gw = "apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 8081, name: http, protocol: HTTP}, hosts: [a.example.com]}]";
        var vs = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: edge}\nspec:\n  hosts: [b.example.com]\n  gateways: [gw]\n  http: [{route: [{destination: {host: reviews}}]}]";
        var messages = Analyze(gw + "\n---\n" + vs);
        Assert.Contains(messages, m => m.Code == "IST0132" && m.Resource == "VirtualService edge");
        Assert.Contains(messages, m => m.Code == "IST0104" && m.Resource == "Gateway gw" && m.Message.Contains("port 8081", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Policies_matching_nothing_are_ist0127_and_unknown_principals_gbl0003()
    {
        var ap = "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec:\n  selector: {matchLabels: {app: nothing}}\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/default/sa/ghost], namespaces: [nowhere]}}]";
        var messages = Analyze(ap);
        Assert.Contains(messages, m => m.Code == "IST0127");
        Assert.Contains(messages, m => m.Code == "GBL0003" && m.Message.Contains("ghost", System.StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Code == "IST0101" && m.Message == "Referenced namespace not found: \"nowhere\"");
    }

    [Fact]
    public void Namespaces_without_injection_are_ist0102() =>
        Assert.Contains(MeshAnalyzer.Analyze(MeshModel.Build(ManifestSerializer.Deserialize("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: legacy}"))), m => m.Code == "IST0102" && m.Resource == "Namespace legacy");

    [Fact]
    public void Strict_mtls_with_workloads_outside_the_mesh_is_gbl0004() =>
        AssertCode("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: old, namespace: legacy}\n---\napiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: default}\nspec: {mtls: {mode: STRICT}}", "GBL0004", "PeerAuthentication default/default");

    [Fact]
    public void Subsets_without_pods_are_gbl0002() =>
        AssertCode("apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec:\n  host: reviews\n  subsets: [{name: v2, labels: {version: v2}}]", "GBL0002", "DestinationRule reviews");

    [Fact]
    public void Conflicting_and_shadowed_service_entries()
    {
        var se = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: NAME}\nspec:\n  hosts: [HOST]\n  ports: [{number: 80, name: http, protocol: HTTP}]";
        var yaml = string.Join("\n---\n", se.Replace("NAME", "a", System.StringComparison.Ordinal).Replace("HOST", "api.example.com", System.StringComparison.Ordinal), se.Replace("NAME", "b", System.StringComparison.Ordinal).Replace("HOST", "api.example.com", System.StringComparison.Ordinal), se.Replace("NAME", "c", System.StringComparison.Ordinal).Replace("HOST", "'*.example.com'", System.StringComparison.Ordinal));
        var messages = Analyze(yaml);
        Assert.Equal(2, messages.Count(m => m.Code == "GBL0005"));
        Assert.Contains(messages, m => m.Code == "GBL0006");
    }

    [Fact]
    public void Tcp_service_entries_without_addresses_are_ist0134() =>
        AssertCode("apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: db}\nspec:\n  hosts: [db.example.com]\n  resolution: DNS\n  ports: [{number: 5432, name: tcp, protocol: TCP}]", "IST0134", "ServiceEntry db");

    [Fact]
    public void Analysis_of_many_resources_finishes()
    {
        // Not a timing assertion (the bench task measures speed): 2,000 generated resources analyze without error.
        var docs = Enumerable.Range(0, 1000).Select(i => $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {{name: vs{i}}}\nspec:\n  hosts: [svc{i}]\n  http: [{{route: [{{destination: {{host: svc{i}, subset: v1}}}}]}}]\n---\napiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {{name: dr{i}}}\nspec:\n  host: svc{i}\n  subsets: [{{name: v1, labels: {{version: v1}}}}]");
        var messages = MeshAnalyzer.Analyze(MeshModel.Build(ManifestSerializer.Deserialize(string.Join("\n---\n", docs))));
        Assert.Equal(1000, messages.Count(m => m.Code == "IST0101" && m.Message.StartsWith("Referenced host not found", System.StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("IST0102=Namespace legacy", 0)]
    [InlineData("IST0102=Namespace leg*", 0)]
    [InlineData("IST0102=Namespace other", 1)]
    [InlineData("IST0103=Namespace legacy", 1)]
    [InlineData("IST0*=Namespace *", 0)]
    public void Suppressions_leave_findings_out(string suppression, int left)
    {
        var model = MeshModel.Build(ManifestSerializer.Deserialize("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: legacy}"));
        var messages = MeshAnalyzer.Analyze(model, new AnalysisOptions { Suppressions = [AnalysisSuppression.Parse(suppression)] });
        Assert.Equal(left, messages.Count(m => m.Code == "IST0102" && m.Resource == "Namespace legacy"));
    }

    [Theory]
    [InlineData(null, "Info", 3, 1, false)]
    [InlineData("None", "Info", 3, 0, false)]
    [InlineData("Warning", "Error", 1, 2, true)]
    [InlineData("info", "warning", 2, 3, true)]
    [InlineData("Error", "Info", 3, 1, true)]
    public void The_verdict_is_istioctl_analyzes_exit_status_and_fail_on(string? failOn, string threshold, int shown, int failing, bool stops)
    {
        AnalysisMessage Finding(string code, AnalysisLevel level) => new(code, "x", level, "Pod default/p", "m");
        var messages = new[] { Finding("IST0102", AnalysisLevel.Info), Finding("IST0103", AnalysisLevel.Warning), Finding("IST0101", AnalysisLevel.Error) };
        var verdict = AnalysisVerdict.Of(messages, failOn, threshold);
        Assert.Equal((shown, failing, stops), (verdict.Shown.Count, verdict.Failing.Count, verdict.Stops));
    }

    [Fact]
    public void A_suppression_names_a_resource_as_name_dot_namespace_or_namespace_slash_name()
    {
        var yaml = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: ghost}}]}]";
        foreach (var text in new[] { "IST0101=VirtualService r.default", "IST0101=VirtualService default/r", "IST0101=VirtualService *.default" })
        {
            var messages = MeshAnalyzer.Analyze(MeshModel.Build(ManifestSerializer.Deserialize(App + "\n---\n" + yaml)), new AnalysisOptions { Suppressions = [AnalysisSuppression.Parse(text)] });
            Assert.DoesNotContain(messages, m => m.Code == "IST0101");
        }

        Assert.Throws<System.FormatException>(() => AnalysisSuppression.Parse("IST0101"));
        Assert.Throws<System.FormatException>(() => AnalysisSuppression.Parse("IST0101=a=b"));
    }

    [Fact]
    public void The_analyze_suppress_annotation_leaves_findings_out()
    {
        var yaml = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r, annotations: {galley.istio.io/analyze-suppress: 'IST0101'}}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: ghost}}]}]";
        Assert.DoesNotContain(Analyze(yaml), m => m.Code == "IST0101");
        Assert.Contains(Analyze(yaml.Replace("IST0101", "IST0132", System.StringComparison.Ordinal)), m => m.Code == "IST0101");
    }
}
