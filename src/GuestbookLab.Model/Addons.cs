using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>An Istio telemetry addon as Install-LabMeshAddon installed it.</summary>
public sealed class MeshAddon
{
    /// <summary>prometheus, grafana, kiali, zipkin or jaeger.</summary>
    public required string Name { get; init; }

    /// <summary>The Istio release the manifest comes from.</summary>
    public required string IstioVersion { get; init; }

    /// <summary>The manifest applied: the copy shipped in the module, or the URL given.</summary>
    public required string Source { get; init; }

    /// <summary>What applying each object of the manifest did.</summary>
    public required IReadOnlyList<ApplyResult> Applied { get; init; }

    /// <summary>The addon's Deployment once rolled out.</summary>
    public LabResource? Deployment { get; init; }

    /// <summary>The Service that serves the addon's UI or API, and its port.</summary>
    public required string Service { get; init; }

    public required int Port { get; init; }

    public override string ToString() => $"{Name} ({IstioVersion})";
}

/// <summary>The load-balancer address of the ingress gateway Service (Get-LabIngressAddress): the codelab's INGRESS_IP.</summary>
public sealed class IngressAddress
{
    public IngressAddress(string ns, string service, string? hostname, string? ip)
    {
        Namespace = ns;
        Service = service;
        Hostname = hostname;
        IP = ip;
    }

    public string Namespace { get; }

    public string Service { get; }

    /// <summary>The load balancer's DNS name (AWS ELBs have one).</summary>
    public string? Hostname { get; }

    public string? IP { get; }

    /// <summary>The hostname, or the IP when there is no hostname.</summary>
    public string Address => Hostname ?? IP ?? string.Empty;

    /// <summary>http://ADDRESS, the URL of the gateway's port 80.</summary>
    public string Url => "http://" + Address;

    public override string ToString() => Address;
}

/// <summary>A dashboard opened by Open-LabDashboard.</summary>
public sealed class LabDashboard
{
    /// <summary>grafana, prometheus, kiali or zipkin.</summary>
    public required string Name { get; init; }

    /// <summary>How it is reached: PortForward (istioctl dashboard's way) or LoadBalancer (the codelab's exposed-monitoring-lb Service).</summary>
    public required string Expose { get; init; }

    /// <summary>http://localhost:PORT/ of the port-forward, or http://HOSTNAME of the load balancer (empty until the cloud has assigned one).</summary>
    public required string Url { get; init; }

    /// <summary>The Service that exposes it (LoadBalancer only).</summary>
    public LabResource? Service { get; init; }

    /// <summary>The pod forwarded to, namespace/name (PortForward only).</summary>
    public string? Pod { get; init; }

    /// <summary>The local port that forwards to the pod (PortForward only).</summary>
    public int? LocalPort { get; init; }

    public override string ToString() => $"{Name} {Url}";
}

/// <summary>What Install-LabIstio installed.</summary>
public sealed class LabIstioInstall
{
    /// <summary>The control-plane revision ('default' when the configuration names none).</summary>
    public required string Revision { get; init; }

    public required string Profile { get; init; }

    /// <summary>The Deployments in istio-system that rolled out: istiod, istio-ingressgateway (and istio-egressgateway).</summary>
    public required IReadOnlyList<string> Components { get; init; }

    /// <summary>The ingress gateway Service (istio-system/istio-ingressgateway), when it is there.</summary>
    public LabResource? IngressGateway { get; init; }

    /// <summary>The istioctl that ran, and its version.</summary>
    public required string Istioctl { get; init; }

    public string? IstioctlVersion { get; init; }

    public override string ToString() => $"{Profile} ({Revision}): {string.Join(", ", Components)}";
}
