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
}
