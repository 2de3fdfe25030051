using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GuestbookLab.Mesh.Live;
using Xunit.Abstractions;

namespace GuestbookLab.Tests;

/// <summary>
/// Get-LabWorkloadCertificate's parser on real openssl s_client -showcerts output: the test makes a CA and an
/// Istio-like workload certificate (empty subject, a critical spiffe:// URI SAN), serves the chain with openssl s_server
/// on loopback and runs /usr/bin/openssl s_client against it.
/// </summary>
public sealed class WorkloadCertificateTests(ITestOutputHelper output)
{
    private const string Spiffe = "spiffe://cluster.local/ns/default/sa/message-sa";
    private const string OpenSsl = "/usr/bin/openssl";

    [Fact]
    public void Parses_the_chain_openssl_s_client_prints_with_the_spiffe_id()
    {
        if (!File.Exists(OpenSsl))
        {
            output.WriteLine($"skipped: {OpenSsl} is missing (the committed capture is still parsed by Parses_the_committed_capture)");
            return;
        }

        using var chain = TestChain.Make();
        var run = SClient(chain, requireClientCertificate: false);
        Assert.Equal(0, run.ExitCode);
        var parsed = WorkloadCertificates.Parse(run.Output);
        Assert.Empty(parsed.Problems);
        Assert.Equal([chain.Leaf.Thumbprint, chain.Root.Thumbprint], parsed.Chain.Select(c => c.Thumbprint));
        Assert.Equal(Spiffe, WorkloadCertificates.SpiffeId(parsed.Chain[0]));
        Assert.Null(WorkloadCertificates.SpiffeId(parsed.Chain[1]));
        Assert.Equal("TLSv1.3", parsed.Protocol);
        Assert.StartsWith("TLS_", parsed.Cipher, StringComparison.Ordinal);
        Assert.StartsWith("19 ", parsed.Verification, StringComparison.Ordinal);

        var result = WorkloadCertificates.Result("ubuntu", "default", "message-service.default:80", "message-service.default", parsed, run.ExitCode);
        Assert.NotNull(result);
        Assert.Equal(Spiffe, result.SpiffeId);
        Assert.Equal([Spiffe, "spiffe://cluster.local/extra"], result.UriNames);
        Assert.Equal(string.Empty, result.Subject);
        Assert.Equal("O=cluster.local", result.Issuer);
        Assert.Equal(chain.Leaf.NotAfter.ToUniversalTime(), result.NotAfter);
        Assert.Equal(chain.Leaf.NotBefore.ToUniversalTime(), result.NotBefore);

        if (Environment.GetEnvironmentVariable("GUESTBOOKLAB_CAPTURE_SCLIENT") is { Length: > 0 } path)
        {
            // How tests/data/live/s_client-showcerts.txt was made (once): this test, with this variable set to its path.
            File.WriteAllText(path, run.Output);
        }
    }

    [Fact]
    public void Reads_the_chain_when_the_server_asks_for_a_client_certificate_as_under_strict_mtls_whatever_openssl_exits_with()
    {
        if (!File.Exists(OpenSsl))
        {
            output.WriteLine($"skipped: {OpenSsl} is missing");
            return;
        }

        using var chain = TestChain.Make();
        var run = SClient(chain, requireClientCertificate: true);
        output.WriteLine($"exit code {run.ExitCode}: {run.Error}");
        // s_client saw the server's certificate request; it exits 1 when it reads the server's 'certificate required'
        // alert before it ends, else 0: a race, so the chain must be read either way.
        Assert.Contains("No client certificate CA names sent", run.Output, StringComparison.Ordinal);
        var parsed = WorkloadCertificates.Parse(run.Output);
        Assert.Equal([chain.Leaf.Thumbprint, chain.Root.Thumbprint], parsed.Chain.Select(c => c.Thumbprint));
        Assert.Equal(Spiffe, WorkloadCertificates.Result("ubuntu", "default", "s:80", "s", parsed, run.ExitCode)!.SpiffeId);
    }

    [Fact]
    public void Parses_the_committed_capture()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "live", "s_client-showcerts.txt"));
        var parsed = WorkloadCertificates.Parse(text);
        Assert.Empty(parsed.Problems);
        Assert.Equal(2, parsed.Chain.Count);
        Assert.Equal(Spiffe, WorkloadCertificates.SpiffeId(parsed.Chain[0]));
        Assert.Equal(parsed.Chain[1].Subject, parsed.Chain[0].Issuer);
        Assert.Equal("TLSv1.3", parsed.Protocol);
    }

    [Fact]
    public void Finds_no_certificate_where_there_is_none_and_names_a_block_that_does_not_decode()
    {
        Assert.Empty(WorkloadCertificates.Parse("CONNECTED(00000003)\n---\nno peer certificate available\n---\n").Chain);
        Assert.Null(WorkloadCertificates.Result("p", "n", "s:1", "s", WorkloadCertificates.Parse(string.Empty), 0));
        var broken = WorkloadCertificates.Parse("-----BEGIN CERTIFICATE-----\nTUlJ\n-----END CERTIFICATE-----\n");
        Assert.Empty(broken.Chain);
        Assert.Single(broken.Problems);
        Assert.Contains("block 1", broken.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_a_certificate_printed_twice_once_and_in_order_and_reads_crlf()
    {
        using var chain = TestChain.Make();
        var leaf = chain.Leaf.ExportCertificatePem();
        var root = chain.Root.ExportCertificatePem();
        var text = $"Certificate chain\r\n 0 s:\r\n{leaf}\r\n 1 s:O = cluster.local\r\n{root}\r\n---\r\nServer certificate\r\n{leaf}\r\nNew, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256\r\nVerify return code: 0 (ok)\r\n".Replace("\n", "\r\n", StringComparison.Ordinal).Replace("\r\r", "\r", StringComparison.Ordinal);
        var parsed = WorkloadCertificates.Parse(text);
        Assert.Equal([chain.Leaf.Thumbprint, chain.Root.Thumbprint], parsed.Chain.Select(c => c.Thumbprint));
        Assert.Equal("TLSv1.2", parsed.Protocol);
        Assert.Equal("ECDHE-ECDSA-AES128-GCM-SHA256", parsed.Cipher);
        Assert.Equal("0 (ok)", parsed.Verification);
    }

    [Theory]
    [InlineData("message-service.default:80", null)]
    [InlineData("10.0.0.1:8080", null)]
    [InlineData("[fd00::1]:80", null)]
    [InlineData("message-service", "host:port")]
    [InlineData("message-service:", "host:port")]
    [InlineData(":80", "host:port")]
    [InlineData("message-service:99999", "port")]
    [InlineData("message-service:http", "port")]
    [InlineData("-quiet:80", "host")]
    [InlineData("a b:80", "host")]
    public void Checks_the_service_is_host_and_port(string service, string? problem)
    {
        var found = WorkloadCertificates.ServiceProblem(service);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Builds_the_codelab_command_with_the_service_host_as_server_name()
    {
        Assert.Equal("message-service.default", WorkloadCertificates.ServerName("message-service.default:80"));
        Assert.Equal("fd00::1", WorkloadCertificates.ServerName("[fd00::1]:80"));
        Assert.Equal(["openssl", "s_client", "-showcerts", "-connect", "message-service.default:80", "-servername", "message-service.default"],
            WorkloadCertificates.Command("message-service.default:80", "message-service.default"));
    }

    [Fact]
    public void Reads_no_uri_from_a_certificate_with_only_dns_names()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=web", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("web.example.com");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Empty(WorkloadCertificates.UriNames(certificate));
        Assert.Null(WorkloadCertificates.SpiffeId(certificate));
    }

    // Serves the chain with openssl s_server on loopback (a port the system picks; -Verify 1 asks for a client
    // certificate, as a sidecar under STRICT mutual TLS does) and runs openssl s_client -showcerts against it, stdin closed.
    private static (int ExitCode, string Output, string Error) SClient(TestChain chain, bool requireClientCertificate)
    {
        var folder = Directory.CreateTempSubdirectory("sclient-");
        try
        {
            var leaf = Path.Combine(folder.FullName, "leaf.pem");
            var key = Path.Combine(folder.FullName, "leaf.key");
            var root = Path.Combine(folder.FullName, "root.pem");
            File.WriteAllText(leaf, chain.Leaf.ExportCertificatePem());
            File.WriteAllText(key, chain.LeafKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(root, chain.Root.ExportCertificatePem());
            // A port the system hands out, given back for s_server (whose stdout, a pipe, is buffered: it cannot say its port).
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            string[] serverArguments = ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", leaf, "-key", key, "-cert_chain", root, .. requireClientCertificate ? new[] { "-Verify", "1" } : []];
            using var server = Start(serverArguments);
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                var listening = false;
                while (!listening && !server.HasExited && DateTime.UtcNow < deadline)
                {
                    try
                    {
                        using var tcp = new System.Net.Sockets.TcpClient();
                        tcp.Connect(System.Net.IPAddress.Loopback, port);
                        listening = true;
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        System.Threading.Thread.Sleep(50);
                    }
                }

                Assert.True(listening, "openssl s_server did not listen on " + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _ = server.StandardOutput.ReadToEndAsync();
                _ = server.StandardError.ReadToEndAsync();
                using var client = Start(["s_client", .. WorkloadCertificates.Command($"127.0.0.1:{port}", "message-service.default").Skip(2)]);
                client.StandardInput.Close();
                var stdout = client.StandardOutput.ReadToEndAsync();
                var stderr = client.StandardError.ReadToEndAsync();
                Assert.True(client.WaitForExit(60_000), "openssl s_client did not finish");
                return (client.ExitCode, stdout.Result, stderr.Result);
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill();
                }
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(OpenSsl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private sealed class TestChain : IDisposable
    {
        private TestChain(X509Certificate2 root, X509Certificate2 leaf, ECDsa leafKey)
        {
            Root = root;
            Leaf = leaf;
            LeafKey = leafKey;
        }

        public X509Certificate2 Root { get; }

        public ECDsa LeafKey { get; }

        public X509Certificate2 Leaf { get; }

        // Istio's shape: a self-signed root (O=cluster.local) and a workload certificate with an empty subject whose
        // identity is a critical URI SAN.
        public static TestChain Make()
        {
            using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var rootRequest = new CertificateRequest("O=cluster.local", rootKey, HashAlgorithmName.SHA256);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var now = DateTimeOffset.UtcNow;
            var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(10));

            var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var leafRequest = new CertificateRequest(new X500DistinguishedName(string.Empty), leafKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddUri(new Uri(Spiffe));
            names.AddUri(new Uri("spiffe://cluster.local/extra"));
            leafRequest.CertificateExtensions.Add(names.Build(critical: true));
            leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            var leaf = leafRequest.Create(root, now.AddMinutes(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
            return new TestChain(root, leaf, leafKey);
        }

        public void Dispose()
        {
            Root.Dispose();
            LeafKey.Dispose();
            Leaf.Dispose();
        }
    }
}
