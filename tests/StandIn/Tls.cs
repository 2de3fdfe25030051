using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace StandIn;

/// <summary>
/// HTTPS for the stand-in, as a kube-apiserver serves it (issue 16): with --tls a certificate authority and a server
/// certificate for 127.0.0.1 and localhost (or, with --tls-san NAME, for NAME only: a certificate that does not match
/// the server's address) are made at start with CertificateRequest, and the kubeconfig carries the authority as
/// certificate-authority-data. With --client-ca a second authority signs a client certificate that the kubeconfig
/// carries as client-certificate-data and client-key-data; a request without a certificate that authority signed is
/// answered 401, as an API server without anonymous access answers it (the TLS handshake asks for a certificate but
/// does not require one, as kube-apiserver's does).
/// </summary>
internal sealed class Tls
{
    private Tls(X509Certificate2 authority, X509Certificate2 server, X509Certificate2? clientAuthority, X509Certificate2? client)
    {
        Authority = authority;
        Server = server;
        ClientAuthority = clientAuthority;
        Client = client;
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2? ClientAuthority { get; }

    public X509Certificate2? Client { get; }

    /// <summary>The TLS set-up the arguments ask for, or null for plain HTTP.</summary>
    public static Tls? FromArguments(string[] args)
    {
        var on = Array.IndexOf(args, "--tls") >= 0;
        var clientCa = Array.IndexOf(args, "--client-ca") >= 0;
        var san = Array.IndexOf(args, "--tls-san") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        if (!on && !clientCa)
        {
            return null;
        }

        var authority = NewAuthority("standin-ca");
        var server = Issue(authority, "standin-apiserver", san, serverAuth: true);
        if (!clientCa)
        {
            return new Tls(authority, server, null, null);
        }

        var clientAuthority = NewAuthority("standin-client-ca");
        return new Tls(authority, server, clientAuthority, Issue(clientAuthority, "standin-user", null, serverAuth: false));
    }

    /// <summary>Serves HTTPS on 127.0.0.1:port with the server certificate, asking for (not requiring) a client certificate.</summary>
    public void Listen(IWebHostBuilder host, int port) =>
        host.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = Server;
            https.ClientCertificateMode = ClientAuthority is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.AllowCertificate;

            // Checked per request (Authenticated), so a wrong certificate is a 401 the client can name.
            https.ClientCertificateValidation = (_, _, _) => true;
        })));

    /// <summary>Whether the request carries a client certificate the client authority signed (always, without --client-ca).</summary>
    public bool Authenticated(HttpContext context)
    {
        if (ClientAuthority is null)
        {
            return true;
        }

        if (context.Connection.ClientCertificate is not { } presented)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ClientAuthority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    /// <summary>The kubeconfig's cluster and user lines for this set-up (PEM, base64 as kubeconfig data fields are).</summary>
    public (string Cluster, string? User) KubeConfigLines()
    {
        var cluster = $"    certificate-authority-data: {Data(Authority.ExportCertificatePem())}\n";
        if (Client is null)
        {
            return (cluster, null);
        }

        using var key = Client.GetRSAPrivateKey()!;
        return (cluster, $"    client-certificate-data: {Data(Client.ExportCertificatePem())}\n    client-key-data: {Data(key.ExportRSAPrivateKeyPem())}\n");
    }

    private static string Data(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem + "\n"));

    // A self-signed authority with its private key.
    private static X509Certificate2 NewAuthority(string name)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, string? san, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            if (san is null)
            {
                names.AddIpAddress(IPAddress.Loopback);
                names.AddDnsName("localhost");
            }
            else
            {
                names.AddDnsName(san);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);

        // Through PKCS#12, so the key is one TLS can use on every system.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }
}
