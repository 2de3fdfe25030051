using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
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

    [Theory]
    [MemberData(nameof(Cases))]
    public void Agrees_with_Istio(string file, string name)
    {
        var item = Load(Path.Combine(Data, file)).Single(c => Text(c, "case") == name);
        var result = ResourceValidator.Validate(ManifestSerializer.Deserialize(Document(item)).Single());
        var wantError = Flag(item, "error");
        var wantWarning = Flag(item, "warning");
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

    // The case's input as a whole Gateway: the spec itself, or the server, port or TLS settings inside a minimal one.
    private static string Document(YamlMappingNode item)
    {
        YamlNode? Part(string key) => item.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;
        var spec = Part("spec")
            ?? Servers(Part("server")
            ?? Server(Part("port") is { } port ? port : Map(("number", "80"), ("name", "http"), ("protocol", "HTTP")), Part("tls")));
        var gateway = new YamlMappingNode(
            new YamlScalarNode("apiVersion"), new YamlScalarNode("networking.istio.io/v1beta1"),
            new YamlScalarNode("kind"), new YamlScalarNode("Gateway"),
            new YamlScalarNode("metadata"), Map(("name", "gw"), ("namespace", "default")),
            new YamlScalarNode("spec"), spec);
        var stream = new YamlStream(new YamlDocument(gateway));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlMappingNode Servers(YamlNode server) =>
        new(new YamlScalarNode("servers"), new YamlSequenceNode(server));

    private static YamlMappingNode Server(YamlNode port, YamlNode? tls)
    {
        var server = new YamlMappingNode(
            new YamlScalarNode("hosts"), new YamlSequenceNode(new YamlScalarNode("foo.bar.com")),
            new YamlScalarNode("port"), tls is null ? port : Map(("number", "443"), ("name", "https"), ("protocol", "HTTPS")));
        if (tls is not null)
        {
            server.Add("tls", tls);
        }

        return server;
    }

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
