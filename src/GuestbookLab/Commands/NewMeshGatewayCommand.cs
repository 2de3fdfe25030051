using System.Collections;

using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
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

    /// <summary>The labels of the gateway workload that serves this Gateway.</summary>
    [Parameter]
    public Hashtable Selector { get; set; } = new() { ["istio"] = "ingressgateway" };

    /// <summary>For HTTPS and TLS servers: the Kubernetes secret holding the certificate (TLS mode SIMPLE).</summary>
    [Parameter]
    public string? CredentialName { get; set; }

    /// <summary>For HTTP servers: answer every request with a redirect to HTTPS.</summary>
    [Parameter]
    public SwitchParameter HttpsRedirect { get; set; }

    protected override void ProcessRecord()
    {
        var check = new ValidationResult();
        Rules.Dns1123Label(check, "-Name", Name, ErrorIds.InvalidName, "Gateway name", "ValidateGateway");
        Rules.Port(check, "-Port", Port);
        Rules.Protocol(check, "-Protocol", Protocol);
        var portName = PortName ?? Protocol.ToLowerInvariant();
        Rules.PortName(check, "-PortName", portName);
        Rules.Selector(check, "-Selector", ToStringMap(Selector));
        ThrowIfInvalid(check, Name);

        var protocol = Protocol.ToUpperInvariant();
        var server = new Server
        {
            Port = new ServerPort { Number = Port, Name = portName, Protocol = protocol },
            Hosts = [.. Hosts],
        };
        if (CredentialName is not null)
        {
            server.Tls = new ServerTlsSettings { Mode = "SIMPLE", CredentialName = CredentialName };
        }
        else if (HttpsRedirect)
        {
            server.Tls = new ServerTlsSettings { HttpsRedirect = true };
        }

        var gateway = new Gateway { Name = Name, Namespace = Namespace };
        gateway.Spec.Selector = ToStringMap(Selector);
        gateway.Spec.Servers = [server];
        ThrowIfInvalid(gateway);
        WriteObject(gateway);
    }
}
