using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Where a resource was read from, and the file and line a finding names (issue 14: findings name file and line).</summary>
public sealed class ManifestSourceTests : System.IDisposable
{
    private const string TwoDocuments = """
        # the namespace first
        apiVersion: v1
        kind: Namespace
        metadata:
          name: default
        ---
        ---
        # an empty document above, skipped
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
          annotations:
            sidecar.istio.io/inject: "false"
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
                subset: v2
            mirror:
              host: mirror
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("gbl-source-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_document_read_from_a_source_names_it_and_the_line_its_mapping_starts_on()
    {
        var resources = ManifestReader.ReadText(TwoDocuments, "lab/vs.yaml");
        Assert.Equal([new ManifestSource("lab/vs.yaml", 2), new ManifestSource("lab/vs.yaml", 9)], resources.Select(r => r.Source));
        Assert.Equal("lab/vs.yaml:9", resources[1].Source!.ToString());
    }

    [Fact]
    public void Text_without_a_source_has_none_and_the_source_is_not_an_api_field()
    {
        var resources = ManifestReader.ReadText(TwoDocuments);
        Assert.All(resources, r => Assert.Null(r.Source));
        var read = ManifestReader.ReadText(TwoDocuments, "vs.yaml");
        Assert.DoesNotContain("vs.yaml", ManifestSerializer.Serialize(read), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_copy_keeps_the_source()
    {
        var vs = ManifestReader.ReadText(TwoDocuments, "vs.yaml")[1];
        Assert.Equal(vs.Source, ApiObjectMapper.Clone(vs).Source);
    }

    [Theory]
    [InlineData("spec.http[0].route[1].destination.host", new[] { "spec", "http", "0", "route", "1", "destination", "host" })]
    [InlineData("metadata.annotations[sidecar.istio.io/inject]", new[] { "metadata", "annotations", "sidecar.istio.io/inject" })]
    [InlineData("spec.portLevelMtls.8080.mode", new[] { "spec", "portLevelMtls", "8080", "mode" })]
    [InlineData("spec", new[] { "spec" })]
    public void A_field_path_splits_into_names_indexes_and_keys(string field, string[] segments) =>
        Assert.Equal(segments, ManifestLocator.Segments(field));

    [Theory]
    [InlineData("spec.http[0].route[0].destination.host", 22)]
    [InlineData("spec.http[0].route[0].destination.subset", 23)]
    [InlineData("spec.http[0].route[0].destination", 21)]
    [InlineData("spec.http[0].route[0]", 21)]
    [InlineData("spec.http[0].mirror.host", 25)]
    [InlineData("spec.hosts[0]", 18)]
    [InlineData("metadata.annotations[sidecar.istio.io/inject]", 15)]
    [InlineData("spec.http[0].timeout", 20)] // not there: the deepest part found, the route
    [InlineData("spec.tcp[0].route", 16)] // not there: spec
    [InlineData("-Weight", 9)] // a parameter, not a field: the document
    public async Task A_field_is_placed_on_its_line_or_the_deepest_part_found(string field, int line)
    {
        var file = Path.Combine(folder, "vs.yaml");
        await File.WriteAllTextAsync(file, TwoDocuments);
        var vs = (await ManifestReader.ReadPathAsync(file, CancellationToken.None))[1];
        Assert.Equal(new ManifestSource(file, line), await new ManifestLocator().LocateAsync(vs.Source, field, CancellationToken.None));
    }

    [Fact]
    public async Task A_file_that_changed_or_cannot_be_read_again_gives_the_document_line()
    {
        var file = Path.Combine(folder, "vs.yaml");
        await File.WriteAllTextAsync(file, TwoDocuments);
        var vs = (await ManifestReader.ReadPathAsync(file, CancellationToken.None))[1];
        await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n");
        Assert.Equal(vs.Source, await new ManifestLocator().LocateAsync(vs.Source, "spec.hosts[0]", CancellationToken.None));
        var url = new ManifestSource("https://example.com/vs.yaml", 9);
        Assert.Equal(url, await new ManifestLocator().LocateAsync(url, "spec.hosts[0]", CancellationToken.None));
    }

    [Fact]
    public async Task A_file_changed_since_it_was_read_is_not_used_even_with_its_document_on_the_same_line()
    {
        var file = Path.Combine(folder, "vs.yaml");
        await File.WriteAllTextAsync(file, TwoDocuments);
        var vs = (await ManifestReader.ReadPathAsync(file, CancellationToken.None))[1];
        await File.WriteAllTextAsync(file, TwoDocuments.Replace("  hosts:\n  - reviews\n", "  hosts: [reviews]\n", System.StringComparison.Ordinal));
        Assert.Equal(vs.Source, await new ManifestLocator().LocateAsync(vs.Source, "spec.http[0].route[0].destination.host", CancellationToken.None));
    }

    [Fact]
    public async Task An_annotation_finding_is_placed_on_the_annotation()
    {
        var file = Path.Combine(folder, "pod.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\n  annotations:\n    app: x\n    sidecar.istio.io/unknownThing: \"1\"\nspec:\n  containers: [{name: c, image: nginx}]\n");
        var placed = await new ManifestLocator().PlaceAsync(MeshAnalyzer.Analyze(MeshModel.Build(await ManifestReader.ReadPathAsync(file, CancellationToken.None))), CancellationToken.None);
        Assert.Equal(8, placed.Single(m => m.Code == "IST0108").Source!.Line);
    }

    [Fact]
    public void A_name_two_api_groups_share_gives_no_source()
    {
        var resources = ManifestReader.ReadText("apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec:\n  selector: {app: nothing}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]\n---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec: {gatewayClassName: istio, listeners: []}\n", "gw.yaml");
        var analyzed = MeshAnalyzer.Analyze(MeshModel.Build(resources));
        Assert.Contains(analyzed, m => m.Resource == "Gateway default/gw");
        Assert.All(analyzed.Where(m => m.Resource == "Gateway default/gw"), m => Assert.Null(m.Source));
    }

    [Fact]
    public void A_url_is_named_without_its_user_information_or_query() =>
        Assert.Equal("https://example.com/lab/vs.yaml", ManifestReader.ReadText(TwoDocuments, new System.Uri("https://user:secret@example.com/lab/vs.yaml?sig=abc").GetComponents(System.UriComponents.SchemeAndServer | System.UriComponents.Path, System.UriFormat.UriEscaped))[0].Source!.Path);

    [Fact]
    public async Task Findings_name_the_line_of_their_field_else_of_their_document()
    {
        var file = Path.Combine(folder, "vs.yaml");
        await File.WriteAllTextAsync(file, TwoDocuments);
        var resources = await ManifestReader.ReadPathAsync(file, CancellationToken.None);
        var analyzed = MeshAnalyzer.Analyze(MeshModel.Build(resources));
        Assert.All(analyzed, m => Assert.Equal(file, m.Source?.Path));
        var placed = await new ManifestLocator().PlaceAsync(analyzed, CancellationToken.None);
        var host = placed.Single(m => m.Code == "IST0101" && m.Message.Contains("Referenced host not found", System.StringComparison.Ordinal));
        Assert.Equal(new ManifestSource(file, 22), host.Source);
        Assert.Equal($"Error [IST0101] (VirtualService default/reviews {file}:22) Referenced host not found: \"reviews\"", host.ToString());
        Assert.Equal(23, placed.Single(m => m.Message.Contains("reviews+v2", System.StringComparison.Ordinal)).Source!.Line);
        Assert.Equal(25, placed.Single(m => m.Message.Contains("mirror host", System.StringComparison.Ordinal)).Source!.Line);
        Assert.Equal(2, placed.Single(m => m.Code == "IST0102").Source!.Line);
    }

    [Fact]
    public async Task Gateway_policy_and_gateway_reference_findings_name_their_fields_lines()
    {
        var file = Path.Combine(folder, "mesh.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: networking.istio.io/v1beta1
            kind: Gateway
            metadata: {name: gw, namespace: default}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: ['*']
                tls:
                  mode: SIMPLE
                  credentialName: missing-cert
            ---
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: ap, namespace: default}
            spec:
              rules:
              - from:
                - source:
                    namespaces:
                    - nowhere
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: ['*']
              gateways:
              - mesh
              - no-such-gateway
              http:
              - route:
                - destination: {host: reviews}
            """);
        var placed = await new ManifestLocator().PlaceAsync(MeshAnalyzer.Analyze(MeshModel.Build(await ManifestReader.ReadPathAsync(file, CancellationToken.None))), CancellationToken.None);
        Assert.Equal(11, placed.Single(m => m.Message.Contains("missing-cert", System.StringComparison.Ordinal)).Source!.Line);
        Assert.Equal(21, placed.Single(m => m.Message.Contains("\"nowhere\"", System.StringComparison.Ordinal)).Source!.Line);
        Assert.Equal(30, placed.Single(m => m.Code == "IST0101" && m.Message.Contains("no-such-gateway", System.StringComparison.Ordinal)).Source!.Line);
        Assert.Equal(33, placed.Single(m => m.Message.Contains("host not found: \"reviews\"", System.StringComparison.Ordinal)).Source!.Line);
    }

    [Fact]
    public async Task Validation_issues_name_the_line_of_their_field()
    {
        var file = Path.Combine(folder, "bad.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts:\n  - r\n  http:\n  - fault:\n      abort:\n        httpStatus: 999\n        percentage:\n          value: 10\n    route:\n    - destination:\n        host: r\n");
        var vs = (await ManifestReader.ReadPathAsync(file, CancellationToken.None))[0];
        var issues = await new ManifestLocator().PlaceAsync(vs, ResourceValidator.Validate(vs).Issues, CancellationToken.None);
        var status = Assert.Single(issues, i => i.Field == "spec.http[0].fault.abort.httpStatus");
        Assert.Equal(new ManifestSource(file, 11), status.Source);
        Assert.StartsWith($"VirtualService r ({file}:11) spec.http[0].fault.abort.httpStatus: ", status.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_object_without_a_source_replaces_the_earlier_ones_place()
    {
        var read = ManifestReader.ReadText(TwoDocuments, "vs.yaml")[1];
        var built = ApiObjectMapper.Clone(read);
        built.Source = null;
        var analyzed = MeshAnalyzer.Analyze(MeshModel.Build([read, built]));
        Assert.All(analyzed.Where(m => m.Resource == "VirtualService default/reviews"), m => Assert.Null(m.Source));
    }
}
