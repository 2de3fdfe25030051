namespace GuestbookLab.Model;

/// <summary>
/// install.istio.io/v1alpha1 IstioOperator: the file the codelab writes to istio.yaml for istioctl install. The fields
/// the codelab and the mesh config use are typed; every other field is kept.
/// </summary>
public sealed class IstioOperator : LabResource<IstioOperatorSpec>
{
    public const string KindName = "IstioOperator";

    public IstioOperator()
        : base(ResourceKinds.InstallV1Alpha1, KindName)
    {
    }
}

public sealed class IstioOperatorSpec : ApiObject
{
    [ApiField("profile")] public string? Profile { get; set; }

    [ApiField("hub")] public string? Hub { get; set; }

    [ApiField("tag")] public object? Tag { get; set; }

    [ApiField("revision")] public string? Revision { get; set; }

    [ApiField("namespace")] public string? Namespace { get; set; }

    [ApiField("meshConfig")] public MeshConfig? MeshConfig { get; set; }

    [ApiField("components")] public object? Components { get; set; }

    [ApiField("values")] public object? Values { get; set; }
}

/// <summary>The mesh-wide settings (istio.mesh.v1alpha1.MeshConfig) the lab uses.</summary>
public sealed class MeshConfig : ApiObject
{
    [ApiField("outboundTrafficPolicy")] public OutboundTrafficPolicy? OutboundTrafficPolicy { get; set; }

    [ApiField("defaultConfig")] public ProxyConfig? DefaultConfig { get; set; }

    [ApiField("trustDomain")] public string? TrustDomain { get; set; }

    [ApiField("enableAutoMtls")] public bool? EnableAutoMtls { get; set; }

    [ApiField("accessLogFile")] public string? AccessLogFile { get; set; }

    [ApiField("rootNamespace")] public string? RootNamespace { get; set; }
}

public sealed class OutboundTrafficPolicy : ApiObject
{
    [ApiField("mode")] public string? Mode { get; set; }
}

public sealed class ProxyConfig : ApiObject
{
    [ApiField("tracing")] public Tracing? Tracing { get; set; }
}

public sealed class Tracing : ApiObject
{
    [ApiField("zipkin")] public ZipkinTracer? Zipkin { get; set; }

    [ApiField("sampling")] public double? Sampling { get; set; }
}

public sealed class ZipkinTracer : ApiObject
{
    [ApiField("address")] public string? Address { get; set; }
}
