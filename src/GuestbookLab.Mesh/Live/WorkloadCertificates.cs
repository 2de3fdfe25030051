using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GuestbookLab.Model;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Live;

/// <summary>What openssl s_client -showcerts printed, read without I/O: the PEM blocks of the chain and the session lines.</summary>
public sealed record SClientOutput(IReadOnlyList<X509Certificate2> Chain, string? Protocol, string? Cipher, string? Verification, IReadOnlyList<string> Problems);

/// <summary>Get-LabWorkloadCertificate's pure part: the codelab's openssl command and the reading of its output.</summary>
public static class WorkloadCertificates
{
    /// <summary>The container the command runs in: the sidecar, whose image has openssl and whose traffic is not redirected.</summary>
    public const string Sidecar = "istio-proxy";

    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>The names of the pod's containers (spec.containers), in order; the sidecar is among them when the pod is in the mesh.</summary>
    public static IReadOnlyList<string> Containers(LabResource pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Maps(Map(pod.AdditionalFields, "spec"), "containers").Select(c => Text(c, "name") ?? string.Empty).ToList();
    }

    /// <summary>Why <paramref name="service"/> is not host:port (null when it is).</summary>
    public static string? ServiceProblem(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var colon = service.LastIndexOf(':');
        if (colon <= 0 || colon == service.Length - 1)
        {
            return $"'{service}' is not host:port (e.g. message-service.default:80)";
        }

        var host = service[..colon];
        if (!int.TryParse(service[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return $"'{service}' has no port from 1 to 65535 after its last ':'";
        }

        return host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || host.StartsWith('-')
            ? $"'{service}' has a host that is not a host name or address"
            : null;
    }

    /// <summary>The TLS server name sent when none is given: the service's host (brackets of an IPv6 address taken off).</summary>
    public static string ServerName(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var colon = service.LastIndexOf(':');
        return (colon > 0 ? service[..colon] : service).Trim('[', ']');
    }

    /// <summary>
    /// The codelab's step, <c>openssl s_client -showcerts -connect SERVICE -servername NAME</c>, as one argument per
    /// element (no shell). Run without standard input, s_client reads end of file at once, as with &lt;/dev/null.
    /// </summary>
    public static IReadOnlyList<string> Command(string service, string serverName) =>
        ["openssl", "s_client", "-showcerts", "-connect", service, "-servername", serverName];

    /// <summary>
    /// Reads s_client's standard output: each CERTIFICATE PEM block in order (a block seen twice is kept once), and the
    /// 'New, TLSv1.3, Cipher is ...' and 'Verify return code: ...' lines. A block that does not decode is named in Problems.
    /// </summary>
    public static SClientOutput Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var chain = new List<X509Certificate2>();
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rest = output.AsMemory();
        var block = 0;
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var span = rest.Span;
            var label = span[fields.Label].ToString();
            var data = span[fields.Base64Data];
            var text = span[fields.Location].ToString();
            rest = rest[fields.Location.End..];
            if (label != "CERTIFICATE")
            {
                continue;
            }

            block++;
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(data, der, out var written))
            {
                problems.Add($"certificate block {block.ToString(CultureInfo.InvariantCulture)} is not base64");
                continue;
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPem(text);
            }
            catch (CryptographicException ex)
            {
                problems.Add($"certificate block {block.ToString(CultureInfo.InvariantCulture)} is not an X.509 certificate: {ex.Message}");
                continue;
            }

            if (seen.Add(Convert.ToHexString(der.AsSpan(0, written))))
            {
                chain.Add(certificate);
            }
            else
            {
                certificate.Dispose();
            }
        }

        string? protocol = null, cipher = null, verification = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith("New, ", StringComparison.Ordinal) && line.IndexOf(", Cipher is ", StringComparison.Ordinal) is var at and > 5)
            {
                protocol = line[5..at];
                cipher = line[(at + ", Cipher is ".Length)..];
            }
            else if (line.StartsWith("Verify return code: ", StringComparison.Ordinal))
            {
                verification = line["Verify return code: ".Length..];
            }
        }

        return new SClientOutput(chain, protocol, cipher, verification, problems);
    }

    /// <summary>Every URI of the certificate's subject alternative names (the SPIFFE ID among them), in order.</summary>
    public static IReadOnlyList<string> UriNames(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (sequence.HasData)
                {
                    if (sequence.PeekTag().HasSameClassAndValue(UriTag))
                    {
                        names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                    }
                    else
                    {
                        sequence.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed extension names no URI; the certificate is still shown.
            }
        }

        return names;
    }

    /// <summary>The certificate's SPIFFE ID: its first spiffe:// URI SAN, or null.</summary>
    public static string? SpiffeId(X509Certificate2 certificate) =>
        UriNames(certificate).FirstOrDefault(u => u.StartsWith("spiffe://", StringComparison.OrdinalIgnoreCase));

    /// <summary>The result for a pod, or null when the output held no certificate.</summary>
    public static LabWorkloadCertificate? Result(string pod, string ns, string service, string serverName, SClientOutput parsed, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        if (parsed.Chain.Count == 0)
        {
            return null;
        }

        var leaf = parsed.Chain[0];
        return new LabWorkloadCertificate
        {
            Pod = pod, Namespace = ns, Service = service, ServerName = serverName, Chain = parsed.Chain,
            SpiffeId = SpiffeId(leaf), UriNames = UriNames(leaf), Protocol = parsed.Protocol, Cipher = parsed.Cipher,
            Verification = parsed.Verification, ExitCode = exitCode,
        };
    }
}
