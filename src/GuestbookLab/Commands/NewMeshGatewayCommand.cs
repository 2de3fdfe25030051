using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Creates an Istio Gateway that binds the ingress gateway to a port and hosts.</summary>
/// <remarks>
/// Emits a networking.istio.io/v1beta1 Gateway with one server. With no parameters but -Name it is the codelab's
/// guestbook-ui-gateway: the default ingress gateway (selector istio=ingressgateway), port 80, HTTP, every host.
/// The cmdlet does no I/O; pipe the result to Export-LabManifest or ConvertTo-LabYaml.
/// </remarks>
/// <example>
/// <code>New-MeshGateway -Name guestbook-ui-gateway | ConvertTo-LabYaml</code>
/// <para>The codelab's Gateway: HTTP on port 80 for every host, served by the istio=ingressgateway workload.</para>
/// </example>
/// <example>
/// <code>New-MeshGateway -Name secure-gateway -Hosts 'guestbook.example.com' -Port 443 -Protocol HTTPS -CredentialName guestbook-cert</code>
/// <para>An HTTPS server terminating TLS with the certificate in the Kubernetes secret guestbook-cert.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MeshGateway")]
[OutputType(typeof(Gateway))]
public sealed class NewMeshGatewayCommand : LabCmdlet
{
    /// <summary>The Gateway's name (a DNS-1123 label, no dots).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The namespace; omitted from the manifest when not given, so it applies to the current namespace.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    /// <summary>The hosts the server accepts: '*', a domain such as 'ui.example.com', or 'namespace/host'.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    // Plural on purpose: the singular, Host, is reserved in PowerShell ($Host, the session's host object).
    public string[] Hosts { get; set; } = ["*"];

    /// <summary>The port the gateway listens on.</summary>
    [Parameter]
    public int Port { get; set; } = 80;

    /// <summary>The port's protocol: HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP or TLS.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ProtocolCompleter))]
    public string Protocol { get; set; } = "HTTP";

    /// <summary>The port's name; by default the protocol in lower case (http, https...).</summary>
    [Parameter]
    public string? PortName { get; set; }

    /// <summary>The labels of the gateway workload that serves this Gateway (matchLabels): a hashtable (@{ app = 'ui' }) or the same -Selector text the cluster cmdlets take, with labels only ('app=ui,version=v1').</summary>
    [Parameter]
    [SelectorTransformation(LabelsOnly = true)]
    public LabelQuery Selector { get; set; } = LabelQuery.Parse("istio=ingressgateway");

    /// <summary>For HTTPS and TLS servers: the Kubernetes secret holding the certificate (TLS mode SIMPLE).</summary>
    [Parameter]
    public string? CredentialName { get; set; }

    /// <summary>For HTTP servers: answer every request with a redirect to HTTPS.</summary>
    [Parameter]
    public SwitchParameter HttpsRedirect { get; set; }

    protected override void ProcessRecord()
    {
        var options = new GatewayOptions
        {
            Name = Name, Namespace = Namespace, Hosts = Hosts, Port = Port, Protocol = Protocol, PortName = PortName,
            Selector = Binding.Labels(Selector), CredentialName = CredentialName, HttpsRedirect = HttpsRedirect,
        };
        ThrowIfInvalid(GatewayBuilder.Validate(options), Name);
        var gateway = GatewayBuilder.Build(options);
        ThrowIfInvalid(gateway);
        WriteObject(gateway);
    }
}
