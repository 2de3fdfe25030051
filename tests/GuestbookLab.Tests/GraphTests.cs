using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using GuestbookLab.Engine;
using GuestbookLab.Engine.Graphviz;
using GuestbookLab.Engine.Kops;
using GuestbookLab.Mesh.Graph;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>
/// The mesh graph of the codelab's steps, built from the codelab's own YAML (tests/data/codelab) and the lab's app
/// manifests, with the codelab's deletions and namespace labels, asserted node by node and edge by edge.
/// </summary>
public class GraphTests
{
    private static readonly string Codelab = Path.Combine(AppContext.BaseDirectory, "data", "codelab");

    private static readonly Lazy<string> AppFolder = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GuestbookLab.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("the repository root was not found"), "module", "Labs", "App");
    });

    // What the codelab does with kubectl rather than YAML, and what it deletes before a step.
    private static readonly Dictionary<int, string[]> Removals = new()
    {
        [15] = ["VirtualService/guestbook-service"],
        [22] = ["Deployment/ui-v2", "DestinationRule/ui"],
        [30] = ["Service/exposed-monitoring-lb"], // each dashboard's Service replaces the one before
        [31] = ["Service/exposed-monitoring-lb"],
        [32] = ["Service/exposed-monitoring-lb"],
        [33] = ["Service/exposed-monitoring-lb"], // Security's first step deletes it
        [36] = ["Deployment/ui-v2"],
    };

    private static List<LabResource> State(int through)
    {
        var state = new List<LabResource>();
        for (var step = 1; step <= through; step++)
        {
            foreach (var removal in Removals.GetValueOrDefault(step, []))
            {
                var (kind, name) = (removal.Split('/')[0], removal.Split('/')[1]);
                state.RemoveAll(r => r.Kind == kind && r.Name == name);
            }

            switch (step)
            {
                case 10:
                    state.AddRange(Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: default, labels: {istio-injection: enabled}}\n"));
                    break;
                case 11:
                    state.AddRange(Read(File.ReadAllText(Path.Combine(AppFolder.Value, "guestbook-app.yaml"))));
                    break;
                case 36:
                    state.AddRange(Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: noistio, labels: {istio-injection: disabled}}\n"));
                    break;
                default:
                    break;
            }

            var file = Directory.GetFiles(Codelab, $"{step:D2}-*.yaml").SingleOrDefault();
            if (file is not null)
            {
                state.AddRange(Read(File.ReadAllText(file)));
            }
        }

        return state;
    }

    private static IReadOnlyList<LabResource> Read(string yaml) => ManifestSerializer.Deserialize(yaml);

    private static MeshGraph Graph(int through) => MeshGraphBuilder.Build(MeshModel.Build(State(through)), $"{through:D2}");

    private static MeshGraphEdge Single(MeshGraph graph, string from, string to, MeshGraphEdgeKind kind) =>
        Assert.Single(graph.EdgesBetween(from, to), e => e.Kind == kind);

    [Fact]
    public void Split2080RoutesTheGatewayToBothSubsetsWithTheirWeights()
    {
        var graph = Graph(20);
        Assert.Equal(20, Single(graph, "istio-ingressgateway", "ui v1", MeshGraphEdgeKind.Route).Weight);
        Assert.Equal(80, Single(graph, "istio-ingressgateway", "ui v2", MeshGraphEdgeKind.Route).Weight);
        Single(graph, "ui v1", "ui", MeshGraphEdgeKind.Endpoint);
        Single(graph, "ui v2", "ui-v2", MeshGraphEdgeKind.Endpoint);
        Assert.Equal(2, graph.Nodes.Single(n => n.Label == "ui v2").Pods);
        Assert.Equal(MeshGraphNodeKind.IngressGateway, graph.Nodes.Single(n => n.Label == "istio-ingressgateway").Kind);
        Assert.Contains("guestbook-ui-gateway :80 HTTP *", graph.Nodes.Single(n => n.Label == "istio-ingressgateway").Detail, StringComparison.Ordinal);
        Assert.Equal(["istio-system", "default"], graph.Groups);

        var mermaid = MermaidRenderer.Render(graph);
        Assert.Contains("==>|\"20%\"|", mermaid, StringComparison.Ordinal);
        Assert.Contains("==>|\"80%\"|", mermaid, StringComparison.Ordinal);
        Assert.Contains("subgraph g1[\"default\"]", mermaid, StringComparison.Ordinal);
        Assert.Contains("label=\"80%\"", DotRenderer.Render(graph), StringComparison.Ordinal);
    }

    [Fact]
    public void AllToV1RoutesOnlyToV1AndAZeroWeightIsKept()
    {
        // The codelab's YAML: one destination, weight 100 (no weight drawn); v2 is defined but nothing routes to it.
        var graph = Graph(19);
        Assert.Null(Single(graph, "istio-ingressgateway", "ui v1", MeshGraphEdgeKind.Route).Weight);
        Assert.Empty(graph.EdgesBetween("istio-ingressgateway", "ui v2"));
        Assert.Equal(2, graph.Nodes.Single(n => n.Label == "ui v2").Pods);

        // The lab script writes v1 = 100, v2 = 0: both drawn, with their weights.
        var vs = Read("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: guestbook-ui}\nspec:\n  hosts: ['*']\n  gateways: [guestbook-ui-gateway]\n  http:\n  - route:\n    - {destination: {host: ui, subset: v1}, weight: 100}\n    - {destination: {host: ui, subset: v2}, weight: 0}\n");
        var lab = MeshGraphBuilder.Build(MeshModel.Build([.. State(19), .. vs]));
        Assert.Equal(100, Single(lab, "istio-ingressgateway", "ui v1", MeshGraphEdgeKind.Route).Weight);
        Assert.Equal(0, Single(lab, "istio-ingressgateway", "ui v2", MeshGraphEdgeKind.Route).Weight);
    }

    [Fact]
    public void ChromeGoesToV2AndEveryoneElseToV1()
    {
        var graph = Graph(21);
        var chrome = Single(graph, "istio-ingressgateway", "ui v2", MeshGraphEdgeKind.Route);
        Assert.Equal("user-agent ~ Chrome", chrome.Condition);
        Assert.Null(chrome.Weight);
        Assert.Equal("otherwise", Single(graph, "istio-ingressgateway", "ui v1", MeshGraphEdgeKind.Route).Condition);
    }

    [Fact]
    public void FaultsAndRetriesAreOnTheServicesRoutes()
    {
        var abort = Graph(14);
        Assert.Equal("abort 503", Single(abort, "guestbook-service", "wl:default/guestbook-service", MeshGraphEdgeKind.Route).Fault);
        Assert.DoesNotContain(abort.EdgesBetween("svc:default/guestbook-service", "wl:default/guestbook-service"), e => e.Kind == MeshGraphEdgeKind.Endpoint);

        var delay = Graph(15);
        Assert.Equal("delay 5s", Single(delay, "message-service", "wl:default/message-service", MeshGraphEdgeKind.Route).Fault);
        Single(delay, "svc:default/guestbook-service", "wl:default/guestbook-service", MeshGraphEdgeKind.Endpoint);

        Assert.Equal("retries 3 x 2s", Single(Graph(16), "message-service", "wl:default/message-service", MeshGraphEdgeKind.Route).Retries);
    }

    [Fact]
    public void TheMirrorIsADashedEdgeToV2()
    {
        var graph = Graph(25);
        Single(graph, "message-service", "message-service v1", MeshGraphEdgeKind.Route);
        var mirror = Single(graph, "message-service", "message-service v2", MeshGraphEdgeKind.Mirror);
        Assert.Equal(100, mirror.MirrorPercent);
        Assert.Contains("-.->|\"mirror 100%\"|", MermaidRenderer.Render(graph), StringComparison.Ordinal);
        Assert.Contains("label=\"mirror 100%\", color=\"#9334e6\", fontcolor=\"#9334e6\", style=dashed", DotRenderer.Render(graph), StringComparison.Ordinal);
    }

    [Fact]
    public void RegistryOnlyBlocksEveryOtherHostAndTheServiceEntriesLetTheirsOut()
    {
        var blocked = Graph(26);
        Assert.Equal("REGISTRY_ONLY", blocked.OutboundPolicy);
        Assert.DoesNotContain(blocked.Nodes, n => n.Kind == MeshGraphNodeKind.External);
        Assert.All(blocked.EdgesBetween("egress", "internet"), e => Assert.True(e.Denied));
        Assert.Equal(2, blocked.EdgesBetween("egress", "internet").Count());

        var open = Graph(28);
        var ubuntu = Single(open, "egress", "*.ubuntu.com", MeshGraphEdgeKind.Egress);
        Assert.True(ubuntu.Allowed);
        Assert.Equal("ServiceEntry default/ubuntu", ubuntu.Policy);
        Assert.Equal("http://www.ubuntu.com:80/", ubuntu.RequestUri);
        var google = Single(open, "egress", "google.com", MeshGraphEdgeKind.Egress);
        Assert.True(google.Allowed);
        Assert.Equal("https", google.Condition);
        Assert.All(open.EdgesBetween("egress", "internet"), e => Assert.Equal("outboundTrafficPolicy REGISTRY_ONLY", e.Policy));
        Assert.All(open.EdgesBetween("egress", "internet"), e => Assert.True(e.Denied));
        Assert.Null(open.Nodes.Single(n => n.Label == "google.com").Namespace);
    }

    [Fact]
    public void StrictMtlsLocksTheDefaultNamespaceAndResetsTheNoistioPod()
    {
        var graph = Graph(36);
        var workloads = graph.Nodes.Where(n => n.Kind == MeshGraphNodeKind.Workload && n.Namespace == "default").ToList();
        Assert.NotEmpty(workloads);
        Assert.All(workloads, w => Assert.True(w.Strict));
        var outsider = Assert.Single(graph.Nodes, n => n.Kind == MeshGraphNodeKind.Pod);
        Assert.Equal("noistio", outsider.Namespace);
        Assert.False(outsider.Sidecar);
        Assert.Contains("noistio", graph.Groups);
        var resets = graph.Edges.Where(e => e.From == outsider.Id).ToList();
        Assert.Equal(graph.Nodes.Count(n => n.Kind == MeshGraphNodeKind.Service), resets.Count);
        Assert.All(resets, e =>
        {
            Assert.True(e.Denied);
            Assert.Equal("PeerAuthentication default/default", e.Policy);
            Assert.Equal("ConnectionReset", e.Outcome);
        });
        Assert.Contains(MeshGraphText.Lock + " mTLS STRICT", MermaidRenderer.Render(graph), StringComparison.Ordinal);

        // Before STRICT the same pod gets through.
        var before = MeshGraphBuilder.Build(MeshModel.Build([.. State(33), .. Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: noistio, labels: {istio-injection: disabled}}\n")]));
        Assert.All(before.Edges.Where(e => e.From == "pod:noistio/graph-client"), e => Assert.True(e.Allowed));
    }

    [Fact]
    public void DenyAllThenEachAllowPolicyOpensItsCalls()
    {
        var denyAll = Graph(37);
        var calls = denyAll.Edges.Where(e => e.Kind == MeshGraphEdgeKind.Authorization && !e.From.StartsWith("pod:", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, calls.Count); // ui -> message-service, guestbook-service, redis; guestbook-service -> mysql; the ingress -> ui
        Assert.All(calls, e =>
        {
            Assert.True(e.Denied);
            Assert.Equal("AuthorizationPolicy default/deny-all", e.Policy);
        });

        var uiViewer = Graph(38);
        var ingress = Single(uiViewer, "istio-ingressgateway", "svc:default/ui", MeshGraphEdgeKind.Authorization);
        Assert.True(ingress.Allowed);
        Assert.Equal("AuthorizationPolicy default/ui-viewer", ingress.Policy);
        Assert.True(Single(uiViewer, "wl:default/ui", "svc:default/redis", MeshGraphEdgeKind.Authorization).Denied);

        var redis = Single(Graph(39), "wl:default/ui", "svc:default/redis", MeshGraphEdgeKind.Authorization);
        Assert.True(redis.Allowed);
        Assert.Equal("AuthorizationPolicy default/redis-tcp-policy", redis.Policy);
        Assert.True(Single(Graph(40), "wl:default/guestbook-service", "svc:default/mysql", MeshGraphEdgeKind.Authorization).Allowed);
        Assert.True(Single(Graph(41), "wl:default/ui", "svc:default/guestbook-service", MeshGraphEdgeKind.Authorization).Allowed);
        var message = Single(Graph(42), "wl:default/ui", "svc:default/message-service", MeshGraphEdgeKind.Authorization);
        Assert.True(message.Allowed);
        Assert.Equal("AuthorizationPolicy default/message-viewer", message.Policy);
    }

    [Fact]
    public void EveryDecisionEdgeIsWhatTheSimulatorSaysForItsRequest()
    {
        var checkedEdges = 0;
        foreach (var step in Enumerable.Range(11, 34))
        {
            var model = MeshModel.Build(State(step));
            var graph = MeshGraphBuilder.Build(model);
            var simulator = new RequestSimulator(model);
            foreach (var edge in graph.Edges.Where(e => e.Kind is MeshGraphEdgeKind.Authorization or MeshGraphEdgeKind.Egress))
            {
                var request = RequestBuilder.Build(new RequestOptions { Uri = edge.RequestUri! }, _ => null);
                var result = simulator.Simulate(simulator.ResolveSource(edge.RequestFrom!), request, new Random(MeshGraphBuilder.Seed));
                Assert.Equal(result.ToString(), edge.Outcome);
                var allowed = edge.Kind == MeshGraphEdgeKind.Egress ? result.Outcome == RequestOutcome.Delivered : MeshGraphBuilder.Admits(result);
                Assert.Equal(allowed, edge.Allowed);
                checkedEdges++;
            }
        }

        Assert.True(checkedEdges > 100, $"{checkedEdges} edges");
    }

    [Fact]
    public void LabelsAreEscapedForMermaidAndDot()
    {
        Assert.Equal("a#quot;b#35;c#lt;d#gt;#124;#amp;", MermaidRenderer.Escape("a\"b#c<d>|&"));
        Assert.Equal("\"a\\\"b\\\\n\\nc\"", DotRenderer.Quote("a\"b\\n\nc"));
        var graph = new MeshGraph
        {
            Nodes = [new MeshGraphNode { Id = "x", Kind = MeshGraphNodeKind.External, Label = "say \"hi\" <b>", Namespace = null }],
            Edges = [],
            Groups = [],
        };
        Assert.Contains("say #quot;hi#quot; #lt;b#gt;", MermaidRenderer.Render(graph), StringComparison.Ordinal);
        Assert.Contains("label=\"say \\\"hi\\\" <b>", DotRenderer.Render(graph), StringComparison.Ordinal);
    }

    [Fact]
    public void ThePageHoldsTheSvgOrTheMermaidAndALegend()
    {
        var graph = Graph(20);
        var withSvg = MeshGraphPage.Render("t", [(graph, "<?xml version=\"1.0\"?>\n<svg id=\"drawn\"></svg>", null)]);
        Assert.Contains("<svg id=\"drawn\"></svg>", withSvg, StringComparison.Ordinal);
        Assert.DoesNotContain("<?xml", withSvg, StringComparison.Ordinal);
        Assert.DoesNotContain("mermaid", withSvg, StringComparison.Ordinal);
        Assert.Contains("<h2>Legend</h2>", withSvg, StringComparison.Ordinal);
        var withMermaid = MeshGraphPage.Render("t", [(graph, null, "no dot")]);
        Assert.Contains("<pre class=\"mermaid\">", withMermaid, StringComparison.Ordinal);
        Assert.Contains("==&gt;|&quot;80%&quot;|", withMermaid, StringComparison.Ordinal);
        Assert.Contains("<p class=\"note\">no dot</p>", withMermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphvizRunsDotOnATemporaryFileAndReportsItsFailure()
    {
        var fake = new FakeRunner(0, ["<svg>", "</svg>"]);
        Assert.Equal("<svg>\n</svg>\n", new GraphvizClient("/usr/bin/dot", fake).RenderSvg("digraph { a -> b }", CancellationToken.None));
        Assert.Equal("/usr/bin/dot", fake.Call!.FileName);
        Assert.Equal("-Tsvg", fake.Call.Arguments[0]);
        Assert.Equal("digraph { a -> b }", fake.Input);
        Assert.False(File.Exists(fake.Call.Arguments[1]));

        var failing = new FakeRunner(1, [], ["Error: syntax error in line 1"]);
        var error = Assert.Throws<GraphvizException>(() => new GraphvizClient("dot", failing).RenderSvg("digraph {", CancellationToken.None));
        Assert.Equal(1, error.ExitCode);
        Assert.Equal(["Error: syntax error in line 1"], error.LastLines);
        Assert.Throws<GraphvizNotFoundException>(() => GraphvizClient.Find(Path.Combine(Path.GetTempPath(), "no-such-dot"), fake));
        Assert.Contains("apt-get install graphviz", GraphvizNotFoundException.HowToInstall, StringComparison.Ordinal);
        Assert.Contains("brew install graphviz", GraphvizNotFoundException.HowToInstall, StringComparison.Ordinal);
        Assert.Contains("winget install graphviz", GraphvizNotFoundException.HowToInstall, StringComparison.Ordinal);
    }

    private sealed class FakeRunner(int exit, string[] output, string[]? errors = null) : IProcessRunner
    {
        public ProcessCall? Call { get; private set; }

        public string? Input { get; private set; }

        public int Run(ProcessCall call, Action<string, bool> onLine, CancellationToken cancellation)
        {
            Call = call;
            Input = File.ReadAllText(call.Arguments[1]);
            foreach (var line in output)
            {
                onLine(line, false);
            }

            foreach (var line in errors ?? [])
            {
                onLine(line, true);
            }

            return exit;
        }
    }
}
