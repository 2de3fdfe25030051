using System;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Model;
using SchemaCheck;

namespace GuestbookLab.Tests;

/// <summary>
/// No data lost: a document that sets every field Istio 1.17.8's CRD schema defines (plus unknown fields at every
/// level) reads into the typed model and writes back equal, as judged by the independent SchemaCheck reader.
/// </summary>
public class RoundTripTests
{
    private static readonly Crds Crds = new(Path.Combine(AppContext.BaseDirectory, "data", "crds"));

    public static TheoryData<string, string, bool> Kinds()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var key in Crds.Kinds.Order(StringComparer.Ordinal))
        {
            var slash = key.LastIndexOf('/');
            data.Add(key[..slash], key[(slash + 1)..], true);
            data.Add(key[..slash], key[(slash + 1)..], false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_schema_field_survives_a_round_trip(string apiVersion, string kind, bool withUnknownFields)
    {
        var full = Crds.FullDocument(apiVersion, kind, withUnknownFields);

        var resources = ManifestSerializer.Deserialize(full.ToJsonString());
        var yaml = ManifestSerializer.Serialize(resources);
        var back = Manifests.ReadAll(yaml).Single();

        Assert.Empty(Manifests.Differences(full, back));
    }

    [Theory]
    [InlineData("networking.istio.io/v1beta1", "VirtualService", typeof(VirtualService))]
    [InlineData("networking.istio.io/v1alpha3", "VirtualService", typeof(VirtualService))]
    [InlineData("networking.istio.io/v1beta1", "DestinationRule", typeof(DestinationRule))]
    [InlineData("networking.istio.io/v1beta1", "Gateway", typeof(Gateway))]
    [InlineData("networking.istio.io/v1beta1", "ServiceEntry", typeof(ServiceEntry))]
    public void The_networking_kinds_read_typed(string apiVersion, string kind, Type type)
    {
        var full = Crds.FullDocument(apiVersion, kind, withUnknownFields: false);
        var resource = ManifestSerializer.Deserialize(full.ToJsonString()).Single();
        Assert.IsType(type, resource);
    }

    [Fact]
    public void Typed_properties_cover_the_fields_the_cmdlets_and_simulator_use()
    {
        // Everything under spec.http[0] is typed except header manipulation, corsPolicy and the deprecated mirror_percent.
        var full = Crds.FullDocument("networking.istio.io/v1beta1", "VirtualService", withUnknownFields: false);
        var vs = (VirtualService)ManifestSerializer.Deserialize(full.ToJsonString()).Single();
        var route = vs.Spec.Http!.Single();
        Assert.Equal(["corsPolicy", "headers", "mirror_percent"], route.AdditionalFields.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(vs.Spec.AdditionalFields);
        Assert.Empty(route.Match![0].AdditionalFields);
        Assert.Empty(route.Fault!.Abort!.AdditionalFields);
        Assert.Empty(route.Retries!.AdditionalFields);
    }
}
