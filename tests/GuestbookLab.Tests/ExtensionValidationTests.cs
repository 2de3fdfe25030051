using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>
/// The rules behind the WorkloadEntry, WorkloadGroup, ProxyConfig, Telemetry and WasmPlugin validation (Istio's own
/// cases are in IstioValidationTableTests): CEL syntax as cel-go parses it, URLs as Go's net/url parses them, and IP
/// addresses as netip reads them.
/// </summary>
public class ExtensionValidationTests
{
    [Theory]
    [InlineData("response.code >= 400")]
    [InlineData("request.headers['x-user'] == 'alice' || !connection.mtls")]
    [InlineData("has(request.headers.foo)")]
    [InlineData("[1, 2, 3,].exists(x, x > 2)")]
    [InlineData("{'a': 1, 'b': 2,}['a'] == 1")]
    [InlineData("response.code > 399 ? true : false")]
    [InlineData("0x1F + 3u - 1.5e3 * .5 % 2")]
    [InlineData("'''two\nlines''' != r'\\d+' && b'abc' == b\"abc\"")]
    [InlineData("\"\\x41\\u0042\\U00000043\\101\\n\" in ['ABC']")]
    [InlineData("google.protobuf.Duration{seconds: 5} < duration('6s')")]
    [InlineData("request.size > 10 // a comment")]
    [InlineData(".a.b == -1 && !!true")]
    public void Parses_what_cel_go_parses(string expression) =>
        Assert.Null(CelSyntax.Check(expression));

    [Theory]
    [InlineData(")++++")]
    [InlineData("")]
    [InlineData("response.code >=")]
    [InlineData("if > 1")]
    [InlineData("has(request)")]
    [InlineData("[1].all(1, true)")]
    [InlineData("'not closed")]
    [InlineData("'\\q'")]
    [InlineData("size(a,)")]
    [InlineData("1 + * 2")]
    [InlineData("a = 1")]
    [InlineData("a.b(")]
    [InlineData("0x")]
    public void Refuses_what_cel_go_refuses(string expression) =>
        Assert.NotNull(CelSyntax.Check(expression));

    [Theory]
    [InlineData("http://test.com/test", "http")]
    [InlineData("OCI://test.com/test", "oci")]
    [InlineData("test.com/test", "")]
    [InlineData("localhost:5000/plugin", "localhost")]
    [InlineData("http://[::1]:8080/x?y=1#z", "http")]
    [InlineData("file:///opt/plugin.wasm", "file")]
    public void Reads_the_scheme_go_reads(string url, string scheme)
    {
        Assert.Null(GoUrl.Problem(url));
        Assert.Equal(scheme, GoUrl.Scheme(url));
    }

    [Theory]
    [InlineData("1abc:x/y")]
    [InlineData(":foo")]
    [InlineData("http://host:port/x")]
    [InlineData("http://exa mple.com/")]
    [InlineData("oci://test.com/a%zz")]
    [InlineData("http://test.com/a\u0001")]
    [InlineData("http://[::1/x")]
    public void Refuses_what_go_refuses(string url) =>
        Assert.NotNull(GoUrl.Problem(url));

    [Theory]
    [InlineData("1.2.3.4", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("1.2.3", false)]
    [InlineData("01.2.3.4", false)]
    [InlineData("256.1.1.1", false)]
    [InlineData("[::1]", false)]
    [InlineData("1", false)]
    public void Reads_ip_addresses_as_netip_does(string value, bool ip) =>
        Assert.Equal(ip, Rules.IsIpAddress(value));

    [Theory]
    [InlineData("WasmPlugin", "extensions.istio.io/v1alpha1", "{url: 'localhost:5000/plugin'}", "spec.url")]
    [InlineData("WasmPlugin", "extensions.istio.io/v1alpha1", "{url: oci://x/y, match: [{ports: [{number: 70000}]}]}", "spec.match[0].ports[0].number")]
    [InlineData("WorkloadEntry", "networking.istio.io/v1beta1", "{address: 1.2.3}", "spec.address")]
    [InlineData("WorkloadEntry", "networking.istio.io/v1beta1", "{address: 10.0.0.1, ports: {http: 0}}", "spec.ports[http]")]
    [InlineData("WorkloadGroup", "networking.istio.io/v1beta1", "{template: {}, probe: {httpGet: {port: 80, scheme: http}}}", "spec.probe.httpGet.scheme")]
    [InlineData("WorkloadGroup", "networking.istio.io/v1beta1", "{template: {}, probe: {periodSeconds: -1, tcpSocket: {port: 80}}}", "spec.probe.periodSeconds")]
    [InlineData("WorkloadGroup", "networking.istio.io/v1beta1", "{template: {}, probe: {exec: {command: [x]}, tcpSocket: {port: 80}}}", "spec.probe")]
    [InlineData("Telemetry", "telemetry.istio.io/v1alpha1", "{tracing: [{customTags: {x: {literal: {value: ''}}}}]}", "spec.tracing[0].customTags[x].literal.value")]
    [InlineData("Telemetry", "telemetry.istio.io/v1alpha1", "{metrics: [{overrides: [{tagOverrides: {x: {operation: REMOVE, value: y}}}]}]}", "spec.metrics[0].overrides[0].tagOverrides[x].value")]
    [InlineData("Telemetry", "telemetry.istio.io/v1alpha1", "{selector: {matchLabels: {app: '*'}}}", "spec.selector.matchLabels[app]")]
    [InlineData("ProxyConfig", "networking.istio.io/v1beta1", "{concurrency: -2}", "spec.concurrency")]
    [InlineData("EnvoyFilter", "networking.istio.io/v1alpha3", "{configPatches: [{applyTo: LISTENERS, patch: {operation: ADD, value: {}}}]}", "spec.configPatches[0].applyTo")]
    [InlineData("EnvoyFilter", "networking.istio.io/v1alpha3", "{configPatches: [{applyTo: CLUSTER, patch: {operation: PATCH, value: {}}}]}", "spec.configPatches[0].patch.operation")]
    [InlineData("EnvoyFilter", "networking.istio.io/v1alpha3", "{workloadSelector: {labels: {'*': x}}, configPatches: [{applyTo: INVALID}]}", "spec.workloadSelector.labels[*]")]
    public void Names_the_field_of_each_error(string kind, string apiVersion, string spec, string field)
    {
        var yaml = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: x, namespace: default}}\nspec: {spec}\n";
        var result = ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single());
        Assert.Contains(result.Errors, e => e.Field == field);
    }

    [Theory]
    [InlineData("{applyTo: HTTP_FILTER, patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua}}}", "validateMissingTypedConfigFilterTypes")]
    [InlineData("{applyTo: LISTENER, patch: {operation: MERGE, value: {filter_chains: [{filters: [{typed_config: {'@type': type.googleapis.com/envoy.api.v2.Listener}}]}]}}}", "validateDeprecatedFilterTypes")]
    [InlineData("{applyTo: LISTENER, match: {listener: {filterChain: {filter: {name: envoy.filters.network.tcp_proxy}}}}, patch: {operation: REMOVE}}", "ValidateEnvoyFilter")]
    public void Warns_of_envoy_filter_patches_as_istio_does(string patch, string rule)
    {
        var yaml = $"apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {{name: x, namespace: default}}\nspec: {{configPatches: [{patch}]}}\n";
        var result = ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single());
        Assert.False(result.HasErrors);
        Assert.Contains(result.Warnings, w => w.Rule == rule);
    }

    [Fact]
    public void Gives_these_kinds_the_dry_run_rule()
    {
        var yaml = "apiVersion: telemetry.istio.io/v1alpha1\nkind: Telemetry\nmetadata: {name: x, namespace: default, annotations: {istio.io/dry-run: 'true'}}\nspec: {}\n";
        var result = ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single());
        Assert.Contains(result.Errors, e => e.ErrorId == ErrorIds.InvalidAnnotation);
    }

    [Fact]
    public void Leaves_a_kind_of_another_group_alone()
    {
        var yaml = "apiVersion: example.com/v1\nkind: WasmPlugin\nmetadata: {name: x, namespace: default}\nspec: {}\n";
        Assert.False(ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single()).HasErrors);
    }
}

/// <summary>
/// The proxy.istio.io/config annotation as Istio's injector validates it: Istio's TestValidateMeshConfigProxyConfig
/// table (tests/data/istio/proxyconfig) given as annotation values, the YAML read by the engine's reader, and the
/// annotation analyzer's IST0125 on a pod.
/// </summary>
public class ProxyConfigAnnotationTests
{
    private static readonly string Data = System.IO.Path.Combine(AppContext.BaseDirectory, "data", "istio", "proxyconfig", "meshconfig-proxyconfig.yaml");

    private static IDictionary<string, object?> Table => ManifestReader.ReadYamlValue(System.IO.File.ReadAllText(Data))!;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (IDictionary<string, object?> item in (System.Collections.IList)Table["cases"]!)
        {
            data.Add((string)item["case"]!);
        }

        return data;
    }

    [Fact]
    public void The_table_has_every_ported_case() => Assert.Equal(35, ((System.Collections.IList)Table["cases"]!).Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Agrees_with_Istio(string name)
    {
        var item = ((System.Collections.IList)Table["cases"]!).Cast<IDictionary<string, object?>>().Single(c => (string)c["case"]! == name);
        var config = new Dictionary<string, object?>((IDictionary<string, object?>)Table["base"]!, StringComparer.Ordinal);
        foreach (var (key, value) in (IDictionary<string, object?>)item["set"]!)
        {
            config[key] = value;
        }

        var problems = ProxyConfigRules.Problems(config);
        var wantError = item.TryGetValue("error", out var error) && error is true;
        Assert.True(wantError == problems.Count > 0, $"{name}: Istio {(wantError ? "rejects" : "accepts")} it; we found [{string.Join("; ", problems)}]");
    }

    [Theory]
    [InlineData("holdApplicationUntilProxyStarts: true", false)]
    [InlineData("{\"concurrency\": 2, \"proxyMetadata\": {\"ISTIO_META_DNS_CAPTURE\": \"true\"}}", false)]
    [InlineData("notAProxyConfigField: 1", false)]
    [InlineData("hold_application_until_proxy_starts: yes-please", true)]
    [InlineData("concurrency: two", true)]
    [InlineData("drainDuration: 45", true)]
    [InlineData("drainDuration: 1.5s", true)]
    [InlineData("controlPlaneAuthPolicy: INHERIT", true)]
    [InlineData("tracing: {zipkin: {address: zipkin}}", true)]
    public void Reads_annotation_values_as_the_injector_does(string value, bool invalid)
    {
        var problems = ProxyConfigRules.Problems(ManifestReader.ReadYamlValue(value) ?? new Dictionary<string, object?>());
        Assert.Equal(invalid, problems.Count > 0);
    }

    [Theory]
    [InlineData("holdApplicationUntilProxyStarts: true", null)]
    [InlineData("concurrency: [", "failed to convert to apply proxy config")]
    [InlineData("proxyAdminPort: 0", "invalid proxy admin port")]
    public void The_annotation_analyzer_reports_an_invalid_value(string value, string? expected)
    {
        var pod = new GenericResource("v1", "Pod");
        pod.Metadata.Name = "app";
        pod.Metadata.Namespace = "default";
        pod.Metadata.Annotations = new Dictionary<string, string> { ["proxy.istio.io/config"] = value };
        var messages = GuestbookLab.Mesh.Analysis.MeshAnalyzer.Analyze(GuestbookLab.Mesh.Simulation.MeshModel.Build([pod]),
            new GuestbookLab.Mesh.Analysis.AnalysisOptions { ReadYaml = ManifestReader.ReadYamlValue });
        var invalid = messages.Where(m => m.Code == "IST0125").ToList();
        if (expected is null)
        {
            Assert.Empty(invalid);
        }
        else
        {
            Assert.Contains(invalid, m => m.Message.Contains(expected, StringComparison.Ordinal) && m.Message.StartsWith("Invalid annotation proxy.istio.io/config: ", StringComparison.Ordinal));
        }
    }
}
