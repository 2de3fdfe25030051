using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

public class MapperTests
{
    private const string VirtualServiceYaml = """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: guestbook-ui
          uid: 1234
        spec:
          hosts:
          - "*"
          gateways:
          - guestbook-ui-gateway
          http:
          - match:
            - uri:
                prefix: /
              headers:
                user-agent:
                  regex: ".*Chrome.*"
            route:
            - destination:
                host: ui
                subset: v2
              weight: 100
            corsPolicy:
              allowOrigins:
              - exact: https://example.com
        status:
          observedGeneration: 2
        """;

    [Fact]
    public void Known_kinds_become_typed_objects()
    {
        var vs = Assert.IsType<VirtualService>(ManifestSerializer.Deserialize(VirtualServiceYaml).Single());
        Assert.Equal("guestbook-ui", vs.Name);
        Assert.Equal(["*"], vs.Spec.Hosts);
        var route = vs.Spec.Http!.Single();
        Assert.Equal("/", route.Match![0].Uri!.Prefix);
        Assert.Equal(".*Chrome.*", route.Match[0].Headers!["user-agent"].Regex);
        Assert.Equal("v2", route.Route![0].Destination!.Subset);
        Assert.Equal(100, route.Route[0].Weight);
    }

    [Fact]
    public void Fields_without_a_typed_property_are_kept()
    {
        var vs = (VirtualService)ManifestSerializer.Deserialize(VirtualServiceYaml).Single();
        Assert.True(vs.Spec.Http![0].AdditionalFields.ContainsKey("corsPolicy"));
        Assert.Equal(1234L, vs.Metadata.AdditionalFields["uid"]);
        Assert.True(vs.AdditionalFields.ContainsKey("status"));

        var yaml = ManifestSerializer.Serialize([vs]);
        Assert.Contains("corsPolicy:", yaml, System.StringComparison.Ordinal);
        Assert.Contains("observedGeneration: 2", yaml, System.StringComparison.Ordinal);
        Assert.Contains("uid: 1234", yaml, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_kinds_become_generic_resources_with_every_field()
    {
        var yaml = "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: kp-config\n";
        var sa = Assert.IsType<GenericResource>(ManifestSerializer.Deserialize(yaml).Single());
        Assert.Equal("ConfigMap", sa.Kind);
        Assert.Equal("kp-config", sa.Name);
        Assert.Equal(yaml, ManifestSerializer.Serialize([sa]));
    }

    [Fact]
    public void Unserved_versions_of_known_kinds_stay_generic()
    {
        var yaml = "apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata:\n  name: x\n";
        Assert.IsType<GenericResource>(ManifestSerializer.Deserialize(yaml).Single());
    }

    [Fact]
    public void V1alpha3_reads_into_the_typed_model_and_keeps_its_version()
    {
        var yaml = "apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata:\n  name: ui\nspec:\n  host: ui\n";
        var dr = Assert.IsType<DestinationRule>(ManifestSerializer.Deserialize(yaml).Single());
        Assert.Equal("networking.istio.io/v1alpha3", dr.ApiVersion);
        Assert.Equal(yaml, ManifestSerializer.Serialize([dr]));
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_document_and_the_field()
    {
        var yaml = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  http:\n  - route:\n    - weight: \"20\"\n";
        var ex = Assert.Throws<ManifestFormatException>(() => ManifestSerializer.Deserialize(yaml, "vs.yaml"));
        Assert.Equal("spec.http[0].route[0].weight", ex.Field);
        Assert.Contains("vs.yaml, document 1", ex.Message, System.StringComparison.Ordinal);
        Assert.Contains("expected an integer, found the string '20'", ex.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_written_as_a_number_is_an_error()
    {
        var yaml = "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: ui\nspec:\n  host: ui\n  subsets:\n  - name: v1\n    labels:\n      version: 1.0\n";
        var ex = Assert.Throws<ManifestFormatException>(() => ManifestSerializer.Deserialize(yaml));
        Assert.Equal("spec.subsets[0].labels.version", ex.Field);
    }

    [Fact]
    public void Missing_apiVersion_or_kind_is_an_error()
    {
        Assert.Throws<ManifestFormatException>(() => ManifestSerializer.Deserialize("metadata:\n  name: x\n"));
    }

    [Fact]
    public void Clone_is_deep()
    {
        var vs = (VirtualService)ManifestSerializer.Deserialize(VirtualServiceYaml).Single();
        var copy = ApiObjectMapper.Clone(vs);
        copy.Spec.Http![0].Route![0].Weight = 5;
        copy.Spec.Hosts!.Add("extra");
        ((Dictionary<string, object?>)copy.AdditionalFields["status"]!)["observedGeneration"] = 9L;
        Assert.Equal(100, vs.Spec.Http![0].Route![0].Weight);
        Assert.Single(vs.Spec.Hosts!);
        Assert.Equal(2L, ((IDictionary<string, object?>)vs.AdditionalFields["status"]!)["observedGeneration"]);
    }

    [Fact]
    public void Empty_spec_is_written_as_an_empty_mapping()
    {
        var dr = new DestinationRule { Name = "x" };
        Assert.Equal("apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: x\nspec: {}\n", ManifestSerializer.Serialize([dr]));
    }

    [Fact]
    public void Empty_lists_are_kept_apart_from_missing_ones()
    {
        var yaml = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  gateways: []\n  hosts:\n  - a\n";
        var vs = (VirtualService)ManifestSerializer.Deserialize(yaml).Single();
        Assert.NotNull(vs.Spec.Gateways);
        Assert.Null(vs.Spec.Http);
        Assert.Equal(yaml, ManifestSerializer.Serialize([vs]));
    }
}

public class CanonicalKeyTests
{
    [Fact]
    public void Key_order_does_not_matter_but_values_and_types_do()
    {
        var a = new Dictionary<string, object?> { ["x"] = 1L, ["y"] = new List<object?> { "a" } };
        var b = new Dictionary<string, object?> { ["y"] = new List<object?> { "a" }, ["x"] = 1L };
        var c = new Dictionary<string, object?> { ["x"] = "1", ["y"] = new List<object?> { "a" } };
        Assert.Equal(ApiObjectMapper.CanonicalKey(a), ApiObjectMapper.CanonicalKey(b));
        Assert.NotEqual(ApiObjectMapper.CanonicalKey(a), ApiObjectMapper.CanonicalKey(c));
    }

    [Fact]
    public void Typed_objects_key_like_their_trees()
    {
        var match = new HttpMatchRequest { Uri = new StringMatch { Prefix = "/" } };
        Assert.Equal("{uri:{prefix:\"/\"}}", ApiObjectMapper.CanonicalKey(match));
    }
}
