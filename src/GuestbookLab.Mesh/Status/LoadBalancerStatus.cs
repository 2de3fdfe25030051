using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Status;

/// <summary>A Service's load-balancer address (status.loadBalancer.ingress), as the codelab's INGRESS_IP reads it.</summary>
public static class LoadBalancerStatus
{
    /// <summary>The first ingress point's hostname (AWS ELBs) and IP (other clouds), when the cloud has assigned one.</summary>
    public static (string? Hostname, string? Ip) Address(LabResource? service)
    {
        if (service is null)
        {
            return (null, null);
        }

        var tree = ApiObjectMapper.ToTree(service);
        var ingress = Maps(Map(Map(tree, "status"), "loadBalancer"), "ingress");
        return ingress.Count == 0 ? (null, null) : (Text(ingress[0], "hostname"), Text(ingress[0], "ip"));
    }

    /// <summary>Whether the Service has its address yet, and what to say while it has not.</summary>
    public static WaitState Assigned(LabResource? service, string ns, string name)
    {
        if (service is null)
        {
            return new(false, $"Waiting for Service {ns}/{name} to exist...");
        }

        var (hostname, ip) = Address(service);
        if (hostname is { Length: > 0 } || ip is { Length: > 0 })
        {
            return new(true, $"Service {ns}/{name} has the address {hostname ?? ip}");
        }

        var type = Text(Map(ApiObjectMapper.ToTree(service), "spec"), "type") ?? "ClusterIP";
        return type == "LoadBalancer"
            ? new(false, $"Service {ns}/{name} is still pending: the cloud has not assigned its load balancer an address yet")
            : new(false, $"Service {ns}/{name} is of type {type}, which never gets a load-balancer address");
    }
}
