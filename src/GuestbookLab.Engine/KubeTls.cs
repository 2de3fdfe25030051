using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace GuestbookLab.Engine;

/// <summary>
/// TLS with a kubeconfig's server as kubectl does it: the server's certificate must chain to the kubeconfig's
/// certificate-authority(-data) (else the system's roots) and be for the server's host (or tls-server-name); only
/// insecure-skip-tls-verify: true skips both. KubernetesClient checks only the chain when the kubeconfig names an
/// authority, so a certificate for another host would pass: the target's own requests go through an HttpClient with
/// this validator (and the kubeconfig's client certificate), which remembers why it refused a certificate, for the
/// error. (Exec and port-forward WebSockets are KubernetesClient's, which checks the chain only.)
/// </summary>
internal sealed class KubeTls : IDisposable
{
    private readonly X509Certificate2Collection? authorities;
    private readonly string host;
    private volatile string? refusal;

    private KubeTls(X509Certificate2Collection? authorities, string host)
    {
        this.authorities = authorities;
        this.host = host;
    }

    /// <summary>Why the last certificate was refused (null when none was).</summary>
    public string? Refusal => refusal;

    /// <summary>The HttpClient for the target's requests: the validator, the kubeconfig's tls-server-name and client certificate.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The validator and its client for an https server whose certificate is checked; null when TLS is skipped or not used.</summary>
    public static KubeTls? For(KubernetesClientConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.SkipTlsVerify || !Uri.TryCreate(config.Host, UriKind.Absolute, out var server) || server.Scheme != Uri.UriSchemeHttps)
        {
            return null;
        }

        var tls = new KubeTls(config.SslCaCerts, config.TlsServerName is { Length: > 0 } name ? name : server.Host);
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) };
        handler.SslOptions.RemoteCertificateValidationCallback = tls.Validate;
        if (config.TlsServerName is { Length: > 0 } serverName)
        {
            handler.SslOptions.TargetHost = serverName;
        }

        if (config.ClientCertificateData is not null || config.ClientCertificateFilePath is not null)
        {
            handler.SslOptions.ClientCertificates = [ClientCertificate(config)];
        }

        // As KubernetesClient's own client: 100 s until the answer's headers (watches and logs then stream on).
        tls.Client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(100) };
        return tls;
    }

    public void Dispose() => Client.Dispose();

    // The kubeconfig's client certificate and key (PEM, as data or files), through PKCS#12 so TLS can use the key on every system.
    private static X509Certificate2 ClientCertificate(KubernetesClientConfiguration config)
    {
        static string Pem(string? data, string? file) =>
            data is not null ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data)) : System.IO.File.ReadAllText(file ?? throw new ArgumentException("the kubeconfig's user has a client certificate but no client key"));
        try
        {
            using var pem = X509Certificate2.CreateFromPem(Pem(config.ClientCertificateData, config.ClientCertificateFilePath), Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath));
            return new X509Certificate2(pem.Export(X509ContentType.Pkcs12));
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Never the data itself: it holds the key.
            throw new ArgumentException($"the kubeconfig's client certificate or key cannot be read ({ex.GetType().Name}): check client-certificate-data and client-key-data", ex is FormatException ? null : ex);
        }
    }

    /// <summary>Whether <paramref name="exception"/> is a TLS handshake that failed (a certificate refused, a handshake the server ended).</summary>
    public static bool IsTlsFailure(Exception exception) =>
        exception is HttpRequestException { InnerException: AuthenticationException } or AuthenticationException;

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            refusal = "the server sent no certificate";
            return false;
        }

        using var presented = new X509Certificate2(certificate);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            refusal = $"the server's certificate is for {NamesOf(presented)}, not {host}";
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (authorities is not { Count: > 0 })
        {
            refusal = $"the server's certificate ({presented.Subject}, issued by {presented.Issuer}) is not signed by an authority this system trusts, and the kubeconfig names no certificate-authority";
            return false;
        }

        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(authorities);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (own.Build(presented))
        {
            return true;
        }

        var why = string.Join("; ", own.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
        refusal = $"the server's certificate ({presented.Subject}, issued by {presented.Issuer}) is not signed by the kubeconfig's certificate-authority ({string.Join(", ", authorities.Select(a => a.Subject))}){(why.Length > 0 ? $": {why}" : string.Empty)}";
        return false;
    }

    private static string NamesOf(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(a => a.ToString()));
        }

        return names.Count > 0 ? string.Join(", ", names) : certificate.Subject;
    }
}

/// <summary>
/// The TLS handshake with the API server failed: its certificate was refused (another authority, another host, no
/// certificate) or the server ended the handshake. Names the context and the server; never a credential.
/// </summary>
public sealed class ApiTlsException : HttpRequestException
{
    public ApiTlsException()
    {
    }

    public ApiTlsException(string message)
        : base(message)
    {
    }

    public ApiTlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
