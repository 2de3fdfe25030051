using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GuestbookLab.Tests;

/// <summary>
/// Istio 1.17.8's own validation test tables, ported as data (tests/data/istio/validation/*.yaml): for every case,
/// Test-MeshResource's validator reports an error exactly when Istio's does, and a warning exactly when Istio's does.
/// </summary>
public class IstioValidationTableTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "istio", "validation");

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Data, "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var item in Load(file))
            {
                data.Add(Path.GetFileName(file), Text(item, "case"));
            }
        }

        return data;
    }

    [Fact]
    public void The_gateway_table_has_every_ported_case() =>
        Assert.Equal(56, Load(Path.Combine(Data, "gateway.yaml")).Count());

    [Fact]
    public void The_virtualservice_table_has_every_ported_case() =>
        Assert.Equal(185, Load(Path.Combine(Data, "virtualservice.yaml")).Count());

    [Fact]
    public void The_destinationrule_table_has_every_ported_case() =>
        Assert.Equal(86, Load(Path.Combine(Data, "destinationrule.yaml")).Count());

    [Fact]
    public void The_serviceentry_table_has_every_ported_case() =>
        Assert.Equal(44, Load(Path.Combine(Data, "serviceentry.yaml")).Count());

    [Fact]
    public void The_sidecar_table_has_every_ported_case() =>
        Assert.Equal(60, Load(Path.Combine(Data, "sidecar.yaml")).Count());

    [Theory]
    [InlineData("authorizationpolicy.yaml", 54)]
    [InlineData("requestauthentication.yaml", 20)]
    [InlineData("peerauthentication.yaml", 9)]
    [InlineData("envoyfilter.yaml", 19)]
    [InlineData("workloadentry.yaml", 7)]
    [InlineData("workloadgroup.yaml", 10)]
    [InlineData("proxyconfig.yaml", 2)]
    [InlineData("telemetry.yaml", 14)]
    [InlineData("wasmplugin.yaml", 11)]
    public void The_security_tables_have_every_ported_case(string file, int count) =>
        Assert.Equal(count, Load(Path.Combine(Data, file)).Count());

    // TestValidateHTTPDirectResponse's large bodies, built here: over 100 KiB warns, over 1 MiB is refused, as a string
    // or as bytes (base64 in the document, measured decoded).
    [Theory]
    [InlineData("string", (101 * 1024), false, true)]
    [InlineData("string", (2 * 1024 * 1024), true, false)]
    [InlineData("bytes", (100 * 1024) + 1, false, true)]
    [InlineData("bytes", (1024 * 1024) + 1, true, false)]
    public void Agrees_with_Istio_on_large_direct_response_bodies(string kind, int length, bool error, bool warning)
    {
        var body = new string('a', length);
        var value = kind == "bytes" ? Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(body)) : body;
        var yaml = $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {{name: x, namespace: default}}\n"
            + $"spec: {{hosts: [foo.bar], http: [{{directResponse: {{status: 200, body: {{{kind}: {value}}}}}}}]}}\n";
        var result = ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single());
        Assert.Equal(error, result.HasErrors);
        Assert.Equal(warning, result.Warnings.Any());
        if (error)
        {
            Assert.Contains(result.Errors, e => e.Field == "spec.http[0].directResponse.body");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Agrees_with_Istio(string file, string name)
    {
        var item = Load(Path.Combine(Data, file)).Single(c => Text(c, "case") == name);
        var wantError = Flag(item, "error");
        var wantWarning = Flag(item, "warning");
        LabResource resource;
        try
        {
            resource = ManifestSerializer.Deserialize(Document(file, item)).Single();
        }
        catch (ManifestFormatException refused)
        {
            // Refused when read (InvalidManifest, before any rule runs): an error, and no warnings.
            Assert.True(wantError && !wantWarning, $"{name}: Istio {(wantError ? "rejects" : "accepts")} it; we refused to read it: {refused.Message}");
            return;
        }

        var result = ResourceValidator.Validate(resource);
        Assert.True(wantError == result.HasErrors, $"{name}: Istio {(wantError ? "rejects" : "accepts")} it; we found errors [{string.Join("; ", result.Errors)}]");
        Assert.True(wantWarning == result.Warnings.Any(), $"{name}: Istio {(wantWarning ? "warns" : "does not warn")}; we found warnings [{string.Join("; ", result.Warnings)}]");
        if (item.Children.TryGetValue(new YamlScalarNode("fields"), out var fields))
        {
            foreach (var field in ((YamlSequenceNode)fields).Children.Cast<YamlScalarNode>().Select(f => f.Value!))
            {
                Assert.Contains(result.Errors, e => e.Field.EndsWith("." + field, StringComparison.Ordinal));
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return ((YamlSequenceNode)stream.Documents[0].RootNode).Children.Cast<YamlMappingNode>();
    }

    private static string Text(YamlMappingNode item, string key) => ((YamlScalarNode)item.Children[new YamlScalarNode(key)]).Value!;

    private static bool Flag(YamlMappingNode item, string key) =>
        item.Children.TryGetValue(new YamlScalarNode(key), out var value) && ((YamlScalarNode)value).Value == "true";

    // How a case's part becomes a whole resource, per file: the kind, and a template for each part key in which the
    // scalar (or key) "$" stands for the part. "spec" is the whole spec.
    private static readonly Dictionary<string, (string Kind, Dictionary<string, string> Parts)> Kinds = new(StringComparer.Ordinal)
    {
        ["gateway.yaml"] = ("Gateway", new(StringComparer.Ordinal)
        {
            ["server"] = "{servers: [$]}",
            ["port"] = "{servers: [{hosts: [foo.bar.com], port: $}]}",
            ["tls"] = "{servers: [{hosts: [foo.bar.com], port: {number: 443, name: https, protocol: HTTPS}, tls: $}]}",
        }),
        ["virtualservice.yaml"] = ("VirtualService", new(StringComparer.Ordinal)
        {
            ["http"] = "{hosts: [foo.bar], http: [$]}",
            ["delegateHttp"] = "{http: [$]}",
            ["routes"] = "{hosts: [foo.bar], tcp: [{route: $}]}",
            ["destination"] = "{hosts: [foo.bar], http: [{route: [{destination: $}]}]}",
            ["headerName"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], headers: {request: {set: {$: value}}}}]}",
            ["headerValue"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], headers: {request: {set: {x-header: $}}}}]}",
            ["corsPolicy"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], corsPolicy: $}]}",
            ["abort"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], fault: {abort: $}}]}",
            ["delay"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], fault: {delay: $}}]}",
            ["retries"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], retries: $}]}",
            ["rewrite"] = "{hosts: [foo.bar], http: [{route: [{destination: {host: foo.bar}}], rewrite: $}]}",
            ["redirect"] = "{hosts: [foo.bar], http: [{redirect: $}]}",
            ["directResponse"] = "{hosts: [foo.bar], http: [{directResponse: $}]}",
        }),
        ["destinationrule.yaml"] = ("DestinationRule", new(StringComparer.Ordinal)
        {
            ["trafficPolicy"] = "{host: reviews, trafficPolicy: $}",
            ["connectionPool"] = "{host: reviews, trafficPolicy: {connectionPool: $}}",
            ["loadBalancer"] = "{host: reviews, trafficPolicy: {loadBalancer: $}}",
            ["outlierDetection"] = "{host: reviews, trafficPolicy: {outlierDetection: $}}",
            ["clientTls"] = "{host: reviews, trafficPolicy: {tls: $}}",
        }),
        ["serviceentry.yaml"] = ("ServiceEntry", new(StringComparer.Ordinal)),
        ["sidecar.yaml"] = ("Sidecar", new(StringComparer.Ordinal)),
        ["authorizationpolicy.yaml"] = ("AuthorizationPolicy", new(StringComparer.Ordinal)),
        ["requestauthentication.yaml"] = ("RequestAuthentication", new(StringComparer.Ordinal)),
        ["peerauthentication.yaml"] = ("PeerAuthentication", new(StringComparer.Ordinal)),
        ["envoyfilter.yaml"] = ("EnvoyFilter", new(StringComparer.Ordinal)),
        ["workloadentry.yaml"] = ("WorkloadEntry", new(StringComparer.Ordinal)),
        ["workloadgroup.yaml"] = ("WorkloadGroup", new(StringComparer.Ordinal)),
        ["proxyconfig.yaml"] = ("ProxyConfig", new(StringComparer.Ordinal)),
        ["telemetry.yaml"] = ("Telemetry", new(StringComparer.Ordinal)),
        ["wasmplugin.yaml"] = ("WasmPlugin", new(StringComparer.Ordinal)),
    };

    private static string ApiVersionOf(string kind) => kind switch
    {
        "Gateway" or "VirtualService" or "DestinationRule" or "ServiceEntry" or "Sidecar" or "EnvoyFilter" or "WorkloadEntry" or "WorkloadGroup" or "ProxyConfig" => "networking.istio.io/v1beta1",
        "Telemetry" => "telemetry.istio.io/v1alpha1",
        "WasmPlugin" => "extensions.istio.io/v1alpha1",
        _ => "security.istio.io/v1beta1",
    };

    // The case's input as a whole resource of the file's kind (metadata: name x, namespace default, or the case's own).
    private static string Document(string file, YamlMappingNode item)
    {
        var (kind, parts) = Kinds[file];
        YamlNode? spec = null;
        foreach (var (key, value) in item.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "spec")
            {
                spec = value;
            }
            else if (parts.TryGetValue(name, out var template))
            {
                spec = Fill(Parse(template), value);
            }
        }

        var metadata = item.Children.TryGetValue(new YamlScalarNode("metadata"), out var meta)
            ? (YamlMappingNode)meta
            : Map(("name", kind == "Gateway" ? "gw" : "x"), ("namespace", "default"));
        var resource = new YamlMappingNode(
            new YamlScalarNode("apiVersion"), new YamlScalarNode(ApiVersionOf(kind)),
            new YamlScalarNode("kind"), new YamlScalarNode(kind),
            new YamlScalarNode("metadata"), metadata,
            new YamlScalarNode("spec"), spec ?? throw new InvalidOperationException($"{Text(item, "case")}: no part of a {kind}"));
        var stream = new YamlStream(new YamlDocument(resource));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0].RootNode;
    }

    // The template with its "$" scalar replaced by the part (a "$" key by the part's scalar).
    private static YamlNode Fill(YamlNode template, YamlNode part) => template switch
    {
        YamlScalarNode { Value: "$", Style: not ScalarStyle.SingleQuoted } => part,
        YamlMappingNode map => new YamlMappingNode(map.Children.Select(e => new KeyValuePair<YamlNode, YamlNode>(Fill(e.Key, part), Fill(e.Value, part)))),
        YamlSequenceNode seq => new YamlSequenceNode(seq.Children.Select(c => Fill(c, part))),
        _ => template,
    };

    private static YamlMappingNode Map(params (string Key, string Value)[] entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }

        return map;
    }
}
