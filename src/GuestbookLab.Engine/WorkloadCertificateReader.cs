using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>Why Get-LabWorkloadCertificate has no certificate to return.</summary>
public enum CertificateFailure
{
    None,

    /// <summary>There is no such pod.</summary>
    PodNotFound,

    /// <summary>The pod has no istio-proxy container.</summary>
    NoSidecar,

    /// <summary>The pod's phase is one exec cannot enter (Detail says which).</summary>
    ExecRefused,

    /// <summary>openssl could not run (Detail is the API server's message).</summary>
    NotRun,

    /// <summary>openssl failed without showing a certificate.</summary>
    RequestFailed,

    /// <summary>openssl answered without a certificate.</summary>
    NoCertificate,
}

/// <summary>
/// What the codelab's openssl step found: the certificate (with openssl's exit code and last lines), or why there is
/// none; the parser's problems are warnings either way.
/// </summary>
public sealed record WorkloadCertificateRead(LabWorkloadCertificate? Certificate, CertificateFailure Failure)
{
    public int? ExitCode { get; init; }

    public string? Detail { get; init; }

    public IReadOnlyList<string> Containers { get; init; } = [];

    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>openssl's last lines: standard error where it wrote any, else the last lines of both streams.</summary>
    public IReadOnlyList<string> LastLines { get; init; } = [];
}

/// <summary>
/// Get-LabWorkloadCertificate's work: openssl s_client -showcerts exec'd in a pod's istio-proxy container, its output
/// parsed (Mesh/Live/WorkloadCertificates.cs) into the chain the server's sidecar presented.
/// </summary>
public static class WorkloadCertificateReader
{
    public static async Task<WorkloadCertificateRead> ReadAsync(ILabTarget target, IExecTarget exec, string ns, string pod, string service, string serverName, Action<string>? verbose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(exec);
        var found = await target.ListAsync("Pod", ns, pod, null, cancellationToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            return new(null, CertificateFailure.PodNotFound);
        }

        var containers = WorkloadCertificates.Containers(found[0]);
        if (!containers.Contains(WorkloadCertificates.Sidecar, StringComparer.Ordinal))
        {
            return new(null, CertificateFailure.NoSidecar) { Containers = containers };
        }

        if (ExecPlan.Refusal(found[0]) is { } refusal)
        {
            return new(null, CertificateFailure.ExecRefused) { Detail = refusal };
        }

        var command = WorkloadCertificates.Command(service, serverName);
        verbose?.Invoke($"kubectl exec {pod} -n {ns} -c {WorkloadCertificates.Sidecar} -- {string.Join(" ", command)} </dev/null");
        var ran = await exec.ExecAsync(ns, pod, WorkloadCertificates.Sidecar, command, null, null, cancellationToken).ConfigureAwait(false);
        if (ran.ExitCode is not { } exit)
        {
            return new(null, CertificateFailure.NotRun) { Detail = ran.Failure ?? string.Empty };
        }

        var lastLines = ran.ErrorLines.Concat(ran.OutputLines).Where(l => l.Length > 0).TakeLast(5).ToList();
        var parsed = WorkloadCertificates.Parse(ran.StandardOutput);
        if (WorkloadCertificates.Result(pod, ns, service, serverName, parsed, exit) is { } result)
        {
            return new(result, CertificateFailure.None) { ExitCode = exit, Problems = parsed.Problems, LastLines = ran.ErrorLines.TakeLast(5).ToList() };
        }

        return exit != 0
            ? new(null, CertificateFailure.RequestFailed) { ExitCode = exit, Problems = parsed.Problems, LastLines = ran.ErrorLines.Count > 0 ? ran.ErrorLines.TakeLast(5).ToList() : lastLines }
            : new(null, CertificateFailure.NoCertificate) { ExitCode = exit, Problems = parsed.Problems, LastLines = lastLines };
    }
}
