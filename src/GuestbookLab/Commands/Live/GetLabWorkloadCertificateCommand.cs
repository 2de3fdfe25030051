using System;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Live;

/// <summary>Gets the certificate chain a pod's sidecar is shown by a service: the codelab's openssl s_client step.</summary>
/// <remarks>
/// Runs openssl s_client -showcerts -connect SERVICE -servername HOST in the pod's istio-proxy container through the API
/// server's exec (as kubectl exec POD -c istio-proxy -- openssl s_client ... &lt;/dev/null: no standard input is attached),
/// and returns one LabWorkloadCertificate: the chain the server's sidecar presented as X509Certificate2 objects (leaf
/// first), the leaf's Subject, Issuer, NotBefore and NotAfter, its SpiffeId (the spiffe:// URI SAN, e.g.
/// spiffe://cluster.local/ns/default/sa/message-sa), the TLS version, cipher and s_client's verify result. Under STRICT
/// mutual TLS the server ends the handshake after showing its chain, for want of a client certificate, and openssl exits
/// with 1: the chain is still returned (ExitCode says so and the verbose stream has openssl's last lines). A pod without
/// an istio-proxy container is SidecarNotFound; openssl failing without showing a certificate (a refused connection, a
/// name that does not resolve) is CertificateRequestFailed with its last lines; an answer without a certificate is
/// NoCertificate. Pods from Get-LabPod can be piped in. A manifest folder runs nothing: there the error is ExecNotAvailable.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { (Get-LabWorkloadCertificate ubuntu -Service message-service.default:80 -ErrorAction Stop).SpiffeId }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster, spiffe://cluster.local/ns/default/sa/message-sa: the identity message-service's sidecar presents; a folder says ExecNotAvailable.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Get-LabPod -Selector run=ubuntu -ErrorAction SilentlyContinue |
///     Get-LabWorkloadCertificate -Service message-service.default:80 |
///     Select-Object -ExpandProperty Chain | Format-List Subject, Issuer, NotAfter</code>
/// <para>Every certificate of the chain (the workload's own, then Istio's root), for each pod piped in.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabWorkloadCertificate")]
[OutputType(typeof(LabWorkloadCertificate))]
public sealed class GetLabWorkloadCertificateCommand : TargetCmdlet
{
    /// <summary>The pod whose sidecar connects (it needs an istio-proxy container).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Pod { get; set; } = null!;

    /// <summary>The service to connect to, as host:port (message-service.default:80).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = null!;

    /// <summary>The pod's namespace (the connection's when left out).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>The TLS server name (SNI) to send; the service's host when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    protected override void BeginProcessing()
    {
        if (WorkloadCertificates.ServiceProblem(Service) is { } problem)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidService, Messages.ForParameter("-Service", problem), Service));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        var source = $"{ns}/{Pod}";
        if (target is not IExecTarget exec)
        {
            WriteError(LabErrors.Create(ErrorIds.ExecNotAvailable, Messages.ExecNotAvailable(connection.ToString()), source));
            return;
        }

        var serverName = ServerName ?? WorkloadCertificates.ServerName(Service);
        WorkloadCertificateRead read;
        try
        {
            read = Pump(post => WorkloadCertificateReader.ReadAsync(target, exec, ns, Pod, Service, serverName, message => post(() => WriteVerbose(message)), CancellationToken));
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
        {
            WriteError(LabErrors.FromTarget(ex, $"Pod {source}"));
            return;
        }

        foreach (var problem in read.Problems)
        {
            WriteWarning($"{source} -> {Service}: {problem}");
        }

        if (read.Certificate is { } certificate)
        {
            if (read.ExitCode is not 0)
            {
                WriteVerbose($"openssl exited with {read.ExitCode} after the chain (as under STRICT mutual TLS): {string.Join(" | ", read.LastLines)}");
            }

            WriteObject(certificate);
            return;
        }

        WriteError(read.Failure switch
        {
            CertificateFailure.PodNotFound => LabErrors.Create(ErrorIds.ResourceNotFound, Messages.ResourceNotFound("Pod", Pod, ns), source),
            CertificateFailure.NoSidecar => LabErrors.Create(ErrorIds.SidecarNotFound, Messages.SidecarNotFound(ns, Pod, read.Containers), source),
            CertificateFailure.ExecRefused => LabErrors.Create(ErrorIds.ExecFailed, read.Detail ?? string.Empty, source),
            CertificateFailure.NotRun => LabErrors.Create(ErrorIds.ExecFailed, Messages.OpenSslNotRun(source, read.Detail ?? string.Empty), source),
            CertificateFailure.RequestFailed => LabErrors.Create(ErrorIds.CertificateRequestFailed, Messages.CertificateRequestFailed(source, Service, read.ExitCode ?? 0, read.LastLines), source),
            _ => LabErrors.Create(ErrorIds.NoCertificate, Messages.NoCertificate(source, Service, read.Problems, read.LastLines), source),
        });
    }
}
