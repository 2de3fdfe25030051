using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;
using YamlDotNet.RepresentationModel;

namespace GuestbookLab.Tests;

/// <summary>
/// Istio 1.17.8's analyzer test grid (analyzers_test.go's testGrid), ported as data in tests/data/istio/analysis/grid.yaml:
/// for every case not marked skip, Test-MeshConfiguration's analyzer, running only the analyzer Istio's case runs, on
/// the case's input files, reports exactly Istio's multiset of (code, origin).
/// </summary>
public class IstioAnalyzerGridTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "istio", "analysis");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var item in Load().Where(c => !c.Children.ContainsKey(new YamlScalarNode("skip"))))
        {
            data.Add(Text(item, "name")!);
        }

        return data;
    }

    [Fact]
    public void The_grid_has_every_case_of_Istio()
    {
        var names = Load().Select(c => Text(c, "name")).ToList();
        Assert.Equal(65, names.Count);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_skipped_cases_are_these()
    {
        var skipped = Load().Where(c => c.Children.ContainsKey(new YamlScalarNode("skip")))
            .Select(c => $"{Text(c, "name")}: {Text(c, "skip")}").ToList();
        Assert.True(skipped.Count == 0, $"{skipped.Count} skipped:\n{string.Join("\n", skipped)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Agrees_with_Istio(string name)
    {
        var item = Load().Single(c => Text(c, "name") == name);
        var resources = ((YamlSequenceNode)item.Children[new YamlScalarNode("inputs")]).Children
            .SelectMany(f => ManifestSerializer.Deserialize(File.ReadAllText(Path.Combine(Data, ((YamlScalarNode)f).Value!)), ((YamlScalarNode)f).Value))
            .ToList();
        var options = new AnalysisOptions
        {
            Analyzers = [Text(item, "analyzer")!],
            MeshConfig = Text(item, "meshConfig") is { } mesh ? MeshConfigFile(Path.Combine(Data, mesh)) : null,
            MeshNetworks = Text(item, "meshNetworks") is { } networks ? MeshConfigFile(Path.Combine(Data, networks)) : null,
        };
        var actual = MeshAnalyzer.Analyze(MeshModel.Build(AnalysisInputs.ExpandLists(resources)), options)
            .Select(m => $"{m.Code} {m.Resource}").Order(StringComparer.Ordinal).ToList();
        var expected = ((YamlSequenceNode)item.Children[new YamlScalarNode("expected")]).Children.Cast<YamlSequenceNode>()
            .Select(p => $"{((YamlScalarNode)p.Children[0]).Value} {((YamlScalarNode)p.Children[1]).Value}").Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual), $"{name}\nIstio:\n  {string.Join("\n  ", expected)}\nGuestbookLab:\n  {string.Join("\n  ", actual)}");
    }

    // A mesh config file as istioctl analyze --meshConfigFile reads it: a MeshConfig document, as a tree.
    private static IDictionary<string, object?> MeshConfigFile(string path)
    {
        var tree = ManifestSerializer.Deserialize("apiVersion: v1\nkind: MeshConfigFile\nmetadata: {name: mesh}\nspec:\n" +
            string.Join("\n", File.ReadAllLines(path).Select(l => "  " + l))).Single();
        return (IDictionary<string, object?>)((GenericResource)tree).Spec!;
    }

    private static List<YamlMappingNode> Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Data, "grid.yaml"));
        stream.Load(reader);
        return ((YamlSequenceNode)stream.Documents[0].RootNode).Children.Cast<YamlMappingNode>().ToList();
    }

    private static string? Text(YamlMappingNode item, string key) =>
        item.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}
