using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Turns automatic sidecar injection on (or off) for a namespace.</summary>
/// <remarks>
/// Emits the Namespace with the label istio-injection=enabled (istio-injection=disabled with -Disable), as
/// 'kubectl label namespace default istio-injection=enabled' leaves it. Pods created afterwards get the sidecar; running
/// pods need a restart. Piped Namespaces are changed instead (other objects pass through).
/// </remarks>
/// <example>
/// <code>Enable-MeshInjection -Namespace default | ConvertTo-LabYaml</code>
/// <para>The codelab's injection label on the default namespace.</para>
/// </example>
/// <example>
/// <code>Enable-MeshInjection -Namespace noistio -Disable</code>
/// <para>A namespace whose pods run without a sidecar, like the codelab's noistio.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Enable, "MeshInjection")]
[OutputType(typeof(KubernetesNamespace), typeof(LabResource))]
public sealed class EnableMeshInjectionCommand : LabCmdlet
{
    private bool sawInput;
    private bool sawNamespace;

    /// <summary>Namespaces to label; other objects pass through.</summary>
    [Parameter(ValueFromPipeline = true)]
    public LabResource? InputObject { get; set; }

    /// <summary>The namespace to emit when none is piped in.</summary>
    [Parameter(Position = 0)]
    public string Namespace { get; set; } = "default";

    /// <summary>Sets istio-injection=disabled instead.</summary>
    [Parameter]
    public SwitchParameter Disable { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is null)
        {
            return;
        }

        sawInput = true;
        if (InputObject is not KubernetesNamespace ns)
        {
            WriteObject(InputObject);
            return;
        }

        sawNamespace = true;
        WriteObject(Label(ApiObjectMapper.Clone(ns)));
    }

    protected override void EndProcessing()
    {
        if (sawNamespace || (sawInput && !MyInvocation.BoundParameters.ContainsKey(nameof(Namespace))))
        {
            return;
        }

        ThrowIfInvalid(InjectionBuilder.Validate(Namespace), Namespace);
        WriteObject(Label(new KubernetesNamespace { Name = Namespace }));
    }

    private KubernetesNamespace Label(KubernetesNamespace ns)
    {
        InjectionBuilder.Label(ns, Disable);
        ThrowIfInvalid(ns);
        return ns;
    }
}
