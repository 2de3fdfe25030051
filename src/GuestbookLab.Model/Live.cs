using System;
using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>What a command run in a container (Invoke-LabCommand, kubectl exec) answered.</summary>
public sealed class LabCommandResult
{
    public required string Pod { get; init; }

    public required string Namespace { get; init; }

    public required string Container { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The command's exit code, as kubectl exec exits with it; null when it could not run.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why the command could not run (the API server's message), when it could not.</summary>
    public string? Failure { get; init; }

    /// <summary>Standard output, line by line.</summary>
    public IReadOnlyList<string> Output { get; init; } = [];

    /// <summary>Standard error, line by line.</summary>
    public IReadOnlyList<string> ErrorOutput { get; init; } = [];

    public TimeSpan Duration { get; init; }

    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"{Namespace}/{Pod}/{Container}: {string.Join(" ", Command)} -> {(ExitCode is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : Failure)}";
}

/// <summary>A command that ran and exited with a non-zero code; <see cref="ExitCode"/> is the code, as $LASTEXITCODE is.</summary>
public sealed class LabCommandException : Exception
{
    public LabCommandException()
    {
    }

    public LabCommandException(string message)
        : base(message)
    {
    }

    public LabCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LabCommandException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}

/// <summary>
/// The certificate chain a pod's sidecar was shown when it connected to a service (Get-LabWorkloadCertificate: the
/// codelab's openssl s_client -showcerts from the istio-proxy container), the leaf first.
/// </summary>
public sealed class LabWorkloadCertificate
{
    public required string Pod { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The host:port connected to.</summary>
    public required string Service { get; init; }

    /// <summary>The TLS server name (SNI) sent.</summary>
    public required string ServerName { get; init; }

    /// <summary>The chain as the server sent it, the leaf (the workload's own certificate) first.</summary>
    public required IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> Chain { get; init; }

    /// <summary>The leaf: the certificate of the workload that answered.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate => Chain[0];

    /// <summary>The leaf's subject (empty for Istio's workload certificates: the identity is the URI SAN).</summary>
    public string Subject => Certificate.Subject;

    public string Issuer => Certificate.Issuer;

    public DateTime NotBefore => Certificate.NotBefore.ToUniversalTime();

    public DateTime NotAfter => Certificate.NotAfter.ToUniversalTime();

    /// <summary>The leaf's SPIFFE identity (its spiffe:// URI SAN), e.g. spiffe://cluster.local/ns/default/sa/message-sa; null when it has none.</summary>
    public string? SpiffeId { get; init; }

    /// <summary>Every URI SAN of the leaf.</summary>
    public IReadOnlyList<string> UriNames { get; init; } = [];

    /// <summary>The TLS version s_client negotiated (TLSv1.3), when it says.</summary>
    public string? Protocol { get; init; }

    /// <summary>The cipher s_client negotiated, when it says.</summary>
    public string? Cipher { get; init; }

    /// <summary>s_client's 'Verify return code' line, e.g. '19 (self-signed certificate in certificate chain)': s_client does not trust the mesh's root.</summary>
    public string? Verification { get; init; }

    /// <summary>openssl's exit code: 1 is usual under STRICT mutual TLS, where the server ends the handshake for want of a client certificate after showing its chain.</summary>
    public int ExitCode { get; init; }

    public override string ToString() => $"{Namespace}/{Pod} -> {Service}: {SpiffeId ?? Subject}";
}

/// <summary>
/// What Set-LabPodBehavior did: the circuit-breaker demo's GET http://POD_IP:PORT/misbehave (or /behave), sent from a
/// client pod, and the pod's answer (the message service says "Next request to /hello/{name} will return a 503").
/// </summary>
public sealed class LabPodBehavior
{
    public required string Pod { get; init; }

    public required string Namespace { get; init; }

    public required string PodIP { get; init; }

    /// <summary>Misbehave or Behave.</summary>
    public required string Behavior { get; init; }

    /// <summary>The request sent: http://POD_IP:PORT/misbehave.</summary>
    public required string Uri { get; init; }

    /// <summary>The client pod that sent it (namespace/name).</summary>
    public required string SentFrom { get; init; }

    /// <summary>The HTTP status the pod answered with.</summary>
    public int? Status { get; init; }

    public string? Body { get; init; }

    public TimeSpan? Duration { get; init; }

    public override string ToString() => $"{Namespace}/{Pod} {Behavior}: {Status} {Body}";
}
