using System.Collections;
using System.Management.Automation;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Commands;

/// <summary>Tells what the mesh would do with a request, offline: outcome, route, cluster, mTLS, authorization, every step.</summary>
/// <remarks>
/// Simulates Istio 1.17's decisions for one request over a configuration (pipeline objects, -Directory, or the
/// connected target when neither is given): the client
/// sidecar or ingress gateway (listener, virtual host by Host or SNI, first matching route, fault, weighted
/// destination, retries, mirror, cluster and subset, ready endpoints, client TLS), then the server's sidecar
/// (PeerAuthentication mode, JWT, AuthorizationPolicies) and the application.
///
/// -From is 'ingress' (a request from outside through the ingress gateway), 'kubelet' (a probe), a workload of the
/// configuration ('ui'), or 'namespace/name' for a pod of your own (its sidecar follows the namespace's injection
/// label unless -Sidecar says). The URI's scheme is the protocol: http://message-service/hello/test,
/// https://google.com, tcp://redis:6379. -Token carries a JWT (decoded, not verified: signatures are not checked
/// offline). -Count samples weighted routes and percentages with a seedable random source and returns the spread.
/// From a pod, the host must resolve first, as a real pod's DNS lookup must: a Service (name, name.namespace, the
/// FQDN), a ServiceEntry host, an IP address, or a public name outside the cluster's domain; otherwise (http://nosuch/)
/// the outcome is HostNotResolved, as curl's exit code 6, unless -AssumeResolved says the pod resolves it.
///
/// -ClientCertificate presents a client certificate to a Gateway server whose tls.mode is MUTUAL, which otherwise
/// resets the handshake: a certificate none of whose SANs the server's subjectAltNames lists is rejected too, as
/// Envoy does; otherwise the request is routed, and the gateway's AuthorizationPolicies see the certificate's
/// spiffe:// URI SAN as the source principal. It is simulated: no certificate is made, and nothing is checked
/// against the server's CA certificates.
///
/// Sidecar resources count at both ends: the server's ingress listeners replace its Services' ports (protocol,
/// defaultEndpoint; a port they leave out takes the passthrough chain), and a client's egress listener with
/// captureMode NONE or a bind takes only requests sent to its address (127.0.0.1 under NONE). The result's
/// InboundCluster names the server sidecar's inbound cluster.
///
/// Workloads come from Deployments, StatefulSets and DaemonSets (their replicas, labels, service account, probes);
/// without an ingress gateway workload, the demo profile's istio-ingressgateway (port 80 to 8080) is assumed.
/// </remarks>
/// <example>
/// <code>$lab = &amp; (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1') -OutputPath ./lab -WarningAction SilentlyContinue
/// $app = $lab | Where-Object Step -Like '*-app' | ForEach-Object Objects
/// $app | Test-MeshRequest -From ingress -Uri http://guestbook.example.com/</code>
/// <para>Before any Gateway: the connection is refused, as the codelab shows.</para>
/// </example>
/// <example>
/// <code>$app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
/// @($app; Enable-MeshInjection; Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateway guestbook-ui-gateway; New-MeshGateway guestbook-ui-gateway) |
///     Test-MeshRequest -From ingress -Uri http://localhost/ -Count 1000 -Seed 1 | Select-Object -ExpandProperty Groups</code>
/// <para>The 20/80 split over 1000 requests (ui v2 has no pods in this configuration, so its share answers 503).</para>
/// </example>
/// <example>
/// <code>$gateway = New-MeshGateway secure-gateway -Port 443 -Protocol HTTPS -CredentialName client-ca
/// $gateway.Spec.Servers[0].Tls.Mode = 'MUTUAL'; $gateway.Spec.Servers[0].Tls.SubjectAltNames = @('client.example.com')
/// @($app; Enable-MeshInjection; $gateway; New-MeshVirtualService guestbook-ui '*' -Gateways secure-gateway | Add-MeshRoute ui -UriPrefix /) |
///     Test-MeshRequest -From ingress -Uri https://guestbook.example.com/ -ClientCertificate @{ SubjectAltNames = 'client.example.com' }</code>
/// <para>A MUTUAL server routes a request that presents a client certificate (simulated, not checked against the CA); without -ClientCertificate it is ConnectionReset.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "MeshRequest")]
[OutputType(typeof(RequestResult), typeof(RequestSample))]
public sealed class TestMeshRequestCommand : MeshConfigurationCmdlet
{
    /// <summary>Who sends: ingress, kubelet, a workload name (ui), or namespace/name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(Cluster.SourceCompleter))]
    public string From { get; set; } = null!;

    /// <summary>The request: http://host[:port]/path, https://host[:port] or tcp://host:port.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Uri { get; set; } = null!;

    /// <summary>The HTTP method.</summary>
    [Parameter]
    public string Method { get; set; } = "GET";

    /// <summary>Request headers, e.g. @{ 'user-agent' = 'Mozilla/5.0 Chrome/120' }; Host overrides the URI's host.</summary>
    [Parameter]
    public IDictionary? Header { get; set; }

    /// <summary>A JWT sent as 'Authorization: Bearer TOKEN'.</summary>
    [Parameter]
    public string? Token { get; set; }

    /// <summary>How many requests to simulate; more than one returns the spread of outcomes.</summary>
    [Parameter]
    public int Count { get; set; } = 1;

    /// <summary>The seed of the random source, for repeatable samples.</summary>
    [Parameter]
    public int? Seed { get; set; }

    /// <summary>Whether the source pod has a sidecar (by default its namespace's injection label decides).</summary>
    [Parameter]
    public SwitchParameter Sidecar { get; set; }

    /// <summary>The source pod's service account (its identity under mTLS).</summary>
    [Parameter]
    public string? ServiceAccount { get; set; }

    /// <summary>The client's DNS resolves the URI's host although no Service, ServiceEntry or public name in the configuration says so (e.g. a name in the pod's /etc/hosts).</summary>
    [Parameter]
    public SwitchParameter AssumeResolved { get; set; }

    /// <summary>
    /// A client certificate the request presents to a MUTUAL Gateway server, e.g. @{ SubjectAltNames = 'client.example.com'; Subject = 'CN=client' }
    /// (@{} for one without SANs). Simulated: no real certificate is made or checked against the server's CA; it is
    /// taken as trusted, and only its SANs are checked against the server's tls.subjectAltNames, as Envoy does.
    /// </summary>
    [Parameter]
    public IDictionary? ClientCertificate { get; set; }

    protected override void EndProcessing()
    {
        var options = new RequestOptions
        {
            Uri = Uri, Method = Method, Headers = Binding.Pairs(Header), Token = Token, Count = Count, AssumeResolved = AssumeResolved,
            ClientCertificate = ClientCertificate is null ? null : ToCertificate(ClientCertificate),
        };
        WriteObject(Predict(options, From, MyInvocation.BoundParameters.ContainsKey(nameof(Sidecar)) ? Sidecar.IsPresent : null, ServiceAccount, Seed).Prediction);
    }

    // @{ SubjectAltNames (or San) = one or more names; Subject = text }: any other key ends the command.
    private ClientCertificate ToCertificate(IDictionary table)
    {
        var sans = new System.Collections.Generic.List<string>();
        string? subject = null;
        foreach (var (key, value) in Binding.RawPairs(table))
        {
            if (key.Equals("SubjectAltNames", System.StringComparison.OrdinalIgnoreCase) || key.Equals("SubjectAltName", System.StringComparison.OrdinalIgnoreCase) || key.Equals("San", System.StringComparison.OrdinalIgnoreCase))
            {
                sans.AddRange(value is null ? [] : Binding.Values(value));
            }
            else if (key.Equals("Subject", System.StringComparison.OrdinalIgnoreCase))
            {
                subject = value is null ? null : LabCmdlet.ToText(value);
            }
            else
            {
                ThrowTerminatingError(Errors.LabErrors.Create(Model.ErrorIds.InvalidTls, Errors.Messages.ForParameter("-ClientCertificate", $"'{key}' is not a key of a client certificate: give SubjectAltNames and Subject"), table));
            }
        }

        return new ClientCertificate(sans, subject);
    }
}
