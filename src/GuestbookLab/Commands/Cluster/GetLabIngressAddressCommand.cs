using System;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>The ingress gateway's load-balancer address: the codelab's INGRESS_IP.</summary>
/// <remarks>
/// Watches the istio-ingressgateway Service in istio-system (or -Name, -Namespace) on the connected cluster until the
/// cloud has assigned its load balancer an address (status.loadBalancer.ingress: a hostname on AWS, an IP elsewhere),
/// and returns it: the hostname or IP, and http://ADDRESS for the browser or Invoke-WebRequest. Until then the
/// progress bar says the Service is pending; after -Timeout (5 minutes) the error WaitTimedOut says that the Service is
/// still pending. The codelab's equivalent is kubectl get svc istio-ingressgateway -n istio-system -o
/// jsonpath='{.status.loadBalancer.ingress[0].hostname}'.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml "apiVersion: v1`nkind: Service`nmetadata: {name: istio-ingressgateway, namespace: istio-system}`nspec: {type: LoadBalancer}`nstatus: {loadBalancer: {ingress: [{hostname: a1b2.us-east-1.elb.amazonaws.com}]}}" |
///     Publish-LabResource | Out-Null
/// (Get-LabIngressAddress).Url</code>
/// <para>A folder holds what was stored, so the address is there at once; on a cluster the command waits until AWS
/// has created the ELB.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabIngressAddress")]
[OutputType(typeof(IngressAddress))]
public sealed class GetLabIngressAddressCommand : TargetCmdlet
{
    /// <summary>The ingress gateway Service.</summary>
    [Parameter(Position = 0)]
    public string Name { get; set; } = "istio-ingressgateway";

    /// <summary>Its namespace.</summary>
    [Parameter]
    public string Namespace { get; set; } = "istio-system";

    /// <summary>How long to wait for the address: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override void EndProcessing()
    {
        var (connection, target) = OpenTarget();
        var last = new WaitState(false, "nothing read yet");
        var progress = new ProgressRecord(1, $"Waiting for the load-balancer address of Service {Namespace}/{Name} on {connection}", last.Message);
        try
        {
            var service = Watch(target, progress, "Service", Namespace, Name, resource => LoadBalancerStatus.Assigned(resource, Namespace, Name), Timeout, state => last = state);
            var (hostname, ip) = LoadBalancerStatus.Address(service);
            WriteObject(new IngressAddress(Namespace, Name, hostname, ip));
        }
        catch (TimeoutException)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.WaitTimedOut($"the load-balancer address of Service {Namespace}/{Name}", Timeout, last.Message), Name));
        }
        catch (NotSupportedException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitNotPossible, Messages.WaitNotPossible(last.Message, ex.Message), Name, ex));
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, $"Service {Name}"));
        }
    }
}
