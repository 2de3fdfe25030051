using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's gateway.SecretAnalyzer, gateway.CertificateAnalyzer and gateway.ConflictingGatewayAnalyzer.
public static partial class MeshAnalyzer
{
    private static string FullName(LabResource r) => $"{MeshModel.NamespaceOf(r)}/{r.Name}";

    /// <summary>IST0101 selector (no gateway pod) and credentialName (no such Secret in the gateway pod's namespace).</summary>
    private static void GatewaySecrets(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var secrets = inputs.Secrets.Select(FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var gateway in inputs.Model.Gateways)
        {
            var selector = gateway.Spec.Selector ?? new Dictionary<string, string>();
            var pod = inputs.Pods.FirstOrDefault(p => p.Selects(selector));
            if (pod is null)
            {
                messages.Add(NotFound(gateway, "selector", Labels(selector)) with { Field = "spec.selector" });
                continue;
            }

            var servers = gateway.Spec.Servers ?? [];
            for (var i = 0; i < servers.Count; i++)
            {
                if (servers[i].Tls?.CredentialName is { Length: > 0 } name && !secrets.Contains(name.Contains('/', StringComparison.Ordinal) ? name : $"{pod.Namespace}/{name}"))
                {
                    messages.Add(NotFound(gateway, "credentialName", name) with { Field = $"spec.servers[{i}].tls.credentialName" });
                }
            }
        }
    }

    /// <summary>IST0138: two gateways for the same workloads whose TLS servers use the same certificate (credentialName, or certificate and key files).</summary>
    private static void GatewayCertificates(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var gateways = inputs.Model.Gateways;
        foreach (var current in gateways)
        {
            var selector = current.Spec.Selector ?? new Dictionary<string, string>();
            foreach (var other in gateways.Where(g => g != current && FullName(g) != FullName(current) && (selector.Count == 0 || SelectorSubset(selector, g.Spec.Selector))))
            {
                foreach (var server in current.Spec.Servers ?? [])
                {
                    foreach (var otherServer in other.Spec.Servers ?? [])
                    {
                        if (server.Tls is not null && otherServer.Tls is not null && SameCertificate(server.Tls, otherServer.Tls))
                        {
                            messages.Add(new("IST0138", "GatewayDuplicateCertificate", AnalysisLevel.Warning, Ref(current),
                                $"Duplicate certificate in multiple gateways [{FullName(current)} {FullName(other)}] may cause 404s if clients re-use HTTP2 connections."));
                        }
                    }
                }
            }
        }
    }

    private static bool SelectorSubset(Dictionary<string, string> x, Dictionary<string, string>? y)
    {
        var count = 0;
        foreach (var (key, value) in x)
        {
            if (y is not null && y.TryGetValue(key, out var other))
            {
                if (other != value)
                {
                    return false;
                }

                count++;
            }
        }

        return count == x.Count;
    }

    private static bool SameCertificate(ServerTlsSettings a, ServerTlsSettings b)
    {
        if (!string.IsNullOrEmpty(a.CredentialName) && !string.IsNullOrEmpty(b.CredentialName))
        {
            return a.CredentialName == b.CredentialName;
        }

        return string.IsNullOrEmpty(a.CredentialName) && string.IsNullOrEmpty(b.CredentialName)
            && !string.IsNullOrEmpty(a.ServerCertificate) && a.ServerCertificate == b.ServerCertificate
            && !string.IsNullOrEmpty(a.PrivateKey) && a.PrivateKey == b.PrivateKey;
    }

    /// <summary>IST0145: gateways with the same selector whose servers on the same port share a host.</summary>
    private static void ConflictingGateways(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        // selector~port -> gateway -> the hosts of its (last) server on that port
        var byKey = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var gateway in inputs.Model.Gateways)
        {
            foreach (var server in gateway.Spec.Servers ?? [])
            {
                var key = $"{Labels(gateway.Spec.Selector)}~{(server.Port?.Number ?? 0).ToString(CultureInfo.InvariantCulture)}";
                if (!byKey.TryGetValue(key, out var map))
                {
                    byKey[key] = map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                }

                map[FullName(gateway)] = server.Hosts ?? [];
            }
        }

        foreach (var gateway in inputs.Model.Gateways)
        {
            var name = FullName(gateway);
            var selector = Labels(gateway.Spec.Selector);
            if (selector.Length > 0 && !byKey.Keys.Any(k => k.Contains(selector, StringComparison.Ordinal)))
            {
                messages.Add(NotFound(gateway, "selector", selector));
                continue;
            }

            foreach (var server in gateway.Spec.Servers ?? [])
            {
                var port = (server.Port?.Number ?? 0).ToString(CultureInfo.InvariantCulture);
                var conflicts = new List<string>();
                foreach (var (other, hosts) in byKey.GetValueOrDefault($"{selector}~{port}") ?? [])
                {
                    conflicts.AddRange((server.Hosts ?? []).Where(h => other != name && hosts.Any(o => HostsMatch(h, o))).Select(_ => other));
                }

                if (conflicts.Count > 0)
                {
                    messages.Add(new("IST0145", "ConflictingGateways", AnalysisLevel.Error, Ref(gateway),
                        $"Conflict with gateways {string.Join(",", conflicts)} (workload selector {selector}, port {port}, hosts {string.Join(",", server.Hosts ?? [])})."));
                }
            }
        }
    }
}
