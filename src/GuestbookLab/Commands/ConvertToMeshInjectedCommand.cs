using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Shows offline what Istio's sidecar injection adds to a workload: the output of istioctl kube-inject.</summary>
/// <remarks>
/// Takes Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods from the pipeline and returns them
/// as istioctl 1.17's kube-inject writes them with the default injection template and values: the istio-init init
/// container (istio-iptables with the mesh's redirect ports, NET_ADMIN and NET_RAW) and the istio-proxy container
/// (proxyv2 with its arguments, environment, port 15090, readiness probe on 15021, security context and volume mounts),
/// the volumes, the labels security.istio.io/tlsMode and service.istio.io/canonical-name/-revision, and the annotations
/// (default container, Prometheus scraping through the agent on 15020, sidecar.istio.io/status). The app's HTTP, TCP
/// and gRPC probes are rewritten to the agent (/app-health/CONTAINER/readyz, livez, startupz on port 15020) with the
/// original probes in the sidecar's ISTIO_KUBE_APP_PROBERS, unless the pod has sidecar.istio.io/rewriteAppHTTPProbers:
/// "false". This is what the injection webhook adds when the pod is created in a namespace labelled
/// istio-injection=enabled. No cluster and no istioctl are needed. Pods with host networking or with
/// sidecar.istio.io/inject: "false" pass through unchanged with a warning, as istioctl leaves them. A pod that is
/// already injected, defines its own istio-proxy container or sets an annotation that changes the template in ways
/// the preview does not reproduce (interceptionMode, proxy.istio.io/config, userVolume, ...) is the non-terminating
/// error InjectionNotPreviewed. Other objects pass through unchanged.
/// </remarks>
/// <example>
/// <code>"apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui}`nspec:`n  template:`n    metadata: {labels: {app: ui}}`n    spec:`n      containers:`n      - name: ui`n        image: ui:1.0" |
///     ConvertFrom-LabYaml | ConvertTo-MeshInjected | ConvertTo-LabYaml</code>
/// <para>The ui Deployment as the webhook injects it.</para>
/// </example>
/// <example>
/// <code>$app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase Labs/App/guestbook-app.yaml)
/// ($app | ConvertTo-MeshInjected -Tag 1.17.8 | Where-Object Kind -eq Deployment).Spec.Template.Spec.Containers.Name</code>
/// <para>The containers of the guestbook app's pods once injected: each app container and istio-proxy.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "MeshInjected")]
[OutputType(typeof(LabResource))]
public sealed class ConvertToMeshInjectedCommand : LabCmdlet
{
    private SidecarInjectionOptions options = new();
    private bool sawWorkload;

    /// <summary>The workloads to inject; other objects pass through unchanged.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public LabResource InputObject { get; set; } = null!;

    /// <summary>The proxyv2 image tag (istioctl's --set tag=...; 1.17.8 by default).</summary>
    [Parameter]
    public string Tag { get; set; } = "1.17.8";

    /// <summary>The registry of the proxyv2 image (docker.io/istio by default).</summary>
    [Parameter]
    public string Hub { get; set; } = "docker.io/istio";

    /// <summary>The control-plane revision whose webhook injects the pods (empty: the default revision).</summary>
    [Parameter]
    public string Revision { get; set; } = string.Empty;

    protected override void BeginProcessing()
    {
        options = new SidecarInjectionOptions { Tag = Tag, Hub = Hub, Revision = Revision };
        ThrowIfInvalid(SidecarInjector.Validate(options), null);
    }

    protected override void ProcessRecord()
    {
        if (!SidecarInjector.Injectable(InputObject))
        {
            WriteVerbose($"ConvertTo-MeshInjected: {InputObject.DisplayName} passes through unchanged (it has no pods).");
            WriteObject(InputObject);
            return;
        }

        sawWorkload = true;
        var outcome = SidecarInjector.Inject(InputObject, options);
        switch (outcome.Result)
        {
            case InjectionResult.Injected:
                WriteObject(outcome.Resource);
                break;
            case InjectionResult.Skipped:
                WriteWarning(Messages.InjectionSkipped(InputObject.DisplayName, outcome.Reason!));
                WriteObject(outcome.Resource);
                break;
            default:
                WriteError(LabErrors.Create(ErrorIds.InjectionNotPreviewed, Messages.InjectionNotPreviewed(InputObject.DisplayName, outcome.Reason!), InputObject));
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (!sawWorkload)
        {
            WriteError(LabErrors.Create(ErrorIds.NoApplicableInput, $"ConvertTo-MeshInjected received no Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod: pipe one in, e.g. from ConvertFrom-LabYaml.", null));
        }
    }
}
