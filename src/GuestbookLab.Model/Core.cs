using System.Collections.Generic;

namespace GuestbookLab.Model;

// Typed models of the Kubernetes objects the mesh cmdlets read or change: v1 Namespace and Service, apps/v1
// workloads and their pod templates. Only the fields the module uses are typed; the rest is kept.

/// <summary>A v1 Namespace (its labels turn sidecar injection on).</summary>
public sealed class KubernetesNamespace : LabResource
{
    public const string KindName = "Namespace";

    public KubernetesNamespace()
        : base("v1", KindName)
    {
    }
}

public sealed class Service : LabResource<ServiceSpec>
{
    public const string KindName = "Service";

    public Service()
        : base("v1", KindName)
    {
    }
}

public sealed class ServiceSpec : ApiObject
{
    [ApiField("selector")] public Dictionary<string, string>? Selector { get; set; }

    [ApiField("ports")] public List<ServicePortSpec>? Ports { get; set; }

    [ApiField("type")] public string? Type { get; set; }

    [ApiField("clusterIP")] public string? ClusterIP { get; set; }
}

public sealed class ServicePortSpec : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("port")] public int? Port { get; set; }

    /// <summary>A port number or a container port name.</summary>
    [ApiField("targetPort")] public object? TargetPort { get; set; }

    [ApiField("protocol")] public string? Protocol { get; set; }

    [ApiField("appProtocol")] public string? AppProtocol { get; set; }
}

/// <summary>An apps/v1 object that owns a pod template.</summary>
public abstract class Workload : LabResource<WorkloadSpec>
{
    protected Workload(string kind)
        : base("apps/v1", kind)
    {
    }
}

public sealed class Deployment : Workload
{
    public const string KindName = "Deployment";

    public Deployment()
        : base(KindName)
    {
    }
}

public sealed class StatefulSet : Workload
{
    public const string KindName = "StatefulSet";

    public StatefulSet()
        : base(KindName)
    {
    }
}

public sealed class DaemonSet : Workload
{
    public const string KindName = "DaemonSet";

    public DaemonSet()
        : base(KindName)
    {
    }
}

public sealed class WorkloadSpec : ApiObject
{
    [ApiField("replicas")] public int? Replicas { get; set; }

    [ApiField("selector")] public LabelSelector? Selector { get; set; }

    [ApiField("template")] public PodTemplateSpec? Template { get; set; }
}

public sealed class LabelSelector : ApiObject
{
    [ApiField("matchLabels")] public Dictionary<string, string>? MatchLabels { get; set; }
}

public sealed class PodTemplateSpec : ApiObject
{
    [ApiField("metadata")] public ObjectMeta? Metadata { get; set; }

    [ApiField("spec")] public PodSpec? Spec { get; set; }
}

public sealed class PodSpec : ApiObject
{
    [ApiField("serviceAccountName")] public string? ServiceAccountName { get; set; }

    [ApiField("containers")] public List<Container>? Containers { get; set; }
}

public sealed class Container : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("image")] public string? Image { get; set; }

    [ApiField("ports")] public List<ContainerPortSpec>? Ports { get; set; }

    [ApiField("readinessProbe")] public Probe? ReadinessProbe { get; set; }

    [ApiField("livenessProbe")] public Probe? LivenessProbe { get; set; }

    [ApiField("startupProbe")] public Probe? StartupProbe { get; set; }
}

public sealed class ContainerPortSpec : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("containerPort")] public int? ContainerPort { get; set; }

    [ApiField("protocol")] public string? Protocol { get; set; }
}

public sealed class Probe : ApiObject
{
    [ApiField("httpGet")] public HttpGetAction? HttpGet { get; set; }

    [ApiField("initialDelaySeconds")] public int? InitialDelaySeconds { get; set; }
}

public sealed class HttpGetAction : ApiObject
{
    [ApiField("path")] public string? Path { get; set; }

    /// <summary>A port number or a container port name.</summary>
    [ApiField("port")] public object? Port { get; set; }

    [ApiField("scheme")] public string? Scheme { get; set; }
}
