using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;
using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's ValidateSidecar over a Sidecar read as a generic resource (the module has no Sidecar model): the
/// workload selector, ingress listeners (port, bind, defaultEndpoint, TLS), egress listeners (port or unix socket,
/// one catch-all last, namespace/host entries) and the outbound traffic policy's egress proxy.
/// </summary>
internal static class SidecarRules
{
    private const string Unix = "unix://";

    public static void Validate(ValidationResult result, GenericResource sidecar)
    {
        var spec = sidecar.Spec as IDictionary<string, object?> ?? new Dictionary<string, object?>();
        if (Tree.Map(spec, "workloadSelector") is { } selector)
        {
            var labels = Tree.Map(selector, "labels");
            if (labels is not { Count: > 0 })
            {
                result.Warning(ErrorIds.InvalidSelector, "spec.workloadSelector.labels", null, "a workloadSelector with no labels applies to every workload in the namespace", "ValidateSidecar");
            }

            Rules.Selector(result, "spec.workloadSelector.labels", labels?.ToDictionary(e => e.Key, e => Tree.Str(e.Value) ?? string.Empty, StringComparer.Ordinal));
        }

        var ingress = Items(spec, "ingress");
        var egress = Items(spec, "egress");
        if (ingress.Count == 0 && egress.Count == 0 && Get(spec, "outboundTrafficPolicy") is null)
        {
            result.Error(ErrorIds.InvalidResource, "spec", null, "a Sidecar needs ingress, egress or an outboundTrafficPolicy", "ValidateSidecar");
            return;
        }

        var ports = new HashSet<long>();
        for (var i = 0; i < ingress.Count; i++)
        {
            Ingress(result, $"spec.ingress[{i}]", ingress[i] as IDictionary<string, object?>, ports);
        }

        ports.Clear();
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        var catchAll = false;
        for (var i = 0; i < egress.Count; i++)
        {
            var field = $"spec.egress[{i}]";
            var listener = egress[i] as IDictionary<string, object?>;
            if (listener is null)
            {
                result.Error(ErrorIds.InvalidResource, field, null, "an egress listener cannot be null", "ValidateSidecar");
                continue;
            }

            if (Tree.Map(listener, "port") is not { } port)
            {
                if (catchAll)
                {
                    result.Error(ErrorIds.InvalidPort, $"{field}.port", null, "only one egress listener can have no port", "ValidateSidecar");
                    continue;
                }

                if (i == egress.Count - 1)
                {
                    catchAll = true;
                }
                else
                {
                    result.Error(ErrorIds.InvalidPort, $"{field}.port", null, "the egress listener without a port must be the last one", "ValidateSidecar");
                }
            }
            else
            {
                var bind = Tree.Str(Get(listener, "bind")) ?? string.Empty;
                var number = Number(Get(port, "number")) ?? 0;
                EgressPort(result, field, port, number, bind, Tree.Str(Get(listener, "captureMode")) ?? string.Empty);
                if (number == 0 ? !sockets.Add(bind) : !ports.Add(number))
                {
                    result.Error(ErrorIds.DuplicatePort, $"{field}.port.number", number, number == 0 ? "unix domain socket binds of egress listeners must be unique" : "ports of IP-bound listeners must be unique", "ValidateSidecar");
                }
            }

            EgressHosts(result, field, HttpRules.Strings(listener, "hosts").ToList(), sidecar.Namespace);
        }

        OutboundTrafficPolicy(result, "spec.outboundTrafficPolicy", Tree.Map(spec, "outboundTrafficPolicy"));
    }

    private static void Ingress(ValidationResult result, string field, IDictionary<string, object?>? listener, HashSet<long> ports)
    {
        if (listener is null)
        {
            result.Error(ErrorIds.InvalidResource, field, null, "an ingress listener cannot be null", "ValidateSidecar");
            return;
        }

        if (Tree.Map(listener, "port") is not { } port)
        {
            result.Error(ErrorIds.InvalidPort, $"{field}.port", null, "an ingress listener needs a port", "ValidateSidecar");
            return;
        }

        var number = Number(Get(port, "number")) ?? 0;
        PortNameAndProtocol(result, $"{field}.port", port);
        Rules.Port(result, $"{field}.port.number", (int)Math.Clamp(number, int.MinValue, int.MaxValue), "validateSidecarIngressPortAndBind");
        Bind(result, field, Tree.Str(Get(listener, "bind")));
        if (!ports.Add(number))
        {
            result.Error(ErrorIds.DuplicatePort, $"{field}.port.number", number, "ports of IP-bound listeners must be unique", "ValidateSidecar");
        }

        if (Tree.Str(Get(listener, "defaultEndpoint")) is { Length: > 0 } endpoint)
        {
            DefaultEndpoint(result, $"{field}.defaultEndpoint", endpoint);
        }

        if (Tree.Map(listener, "tls") is { } tree && Typed<ServerTlsSettings>(result, $"{field}.tls", tree) is { } tls)
        {
            var at = $"{field}.tls";
            if (tls.SubjectAltNames is { Count: > 0 })
            {
                result.Error(ErrorIds.InvalidTls, $"{at}.subjectAltNames", null, "subjectAltNames are not supported in a Sidecar's ingress TLS", "ValidateSidecar");
            }

            if (tls.HttpsRedirect == true)
            {
                result.Error(ErrorIds.InvalidTls, $"{at}.httpsRedirect", true, "httpsRedirect is not supported in a Sidecar's ingress TLS", "ValidateSidecar");
            }

            if (!string.IsNullOrEmpty(tls.CredentialName))
            {
                result.Error(ErrorIds.InvalidTls, $"{at}.credentialName", tls.CredentialName, "credentialName is not supported in a Sidecar's ingress TLS", "ValidateSidecar");
            }

            if (tls.Mode is "ISTIO_MUTUAL" or "AUTO_PASSTHROUGH")
            {
                result.Error(ErrorIds.InvalidTls, $"{at}.mode", tls.Mode, $"a Sidecar's ingress TLS cannot use mode {tls.Mode}", "ValidateSidecar");
            }

            if ((Tree.Str(Get(port, "protocol")) ?? string.Empty).ToUpperInvariant() is not ("HTTPS" or "TLS"))
            {
                result.Error(ErrorIds.InvalidTls, at, null, "only HTTPS and TLS ports can have TLS settings", "ValidateSidecar");
            }

            GatewayRules.TlsOptions(result, at, tls);
        }
    }

    private static void EgressPort(ValidationResult result, string field, IDictionary<string, object?> port, long number, string bind, string captureMode)
    {
        PortNameAndProtocol(result, $"{field}.port", port);
        if (number == 0)
        {
            if (!bind.StartsWith(Unix, StringComparison.Ordinal))
            {
                result.Error(ErrorIds.InvalidPort, $"{field}.bind", bind, "a listener with port 0 needs a unix domain socket bind (unix://...)", "validateSidecarEgressPortBindAndCaptureMode");
            }
            else
            {
                Rules.UnixAddress(result, $"{field}.bind", bind, ErrorIds.InvalidEndpoint);
            }

            if (captureMode is not ("" or "DEFAULT" or "NONE"))
            {
                result.Error(ErrorIds.InvalidPort, $"{field}.captureMode", captureMode, "a unix domain socket listener's captureMode must be DEFAULT or NONE", "validateSidecarEgressPortBindAndCaptureMode");
            }
        }
        else
        {
            Rules.Port(result, $"{field}.port.number", (int)Math.Clamp(number, int.MinValue, int.MaxValue), "validateSidecarEgressPortBindAndCaptureMode");
            Bind(result, field, bind);
        }
    }

    private static void PortNameAndProtocol(ValidationResult result, string field, IDictionary<string, object?> port)
    {
        if (Tree.Str(Get(port, "name")) is { Length: > 0 } name)
        {
            Rules.PortName(result, $"{field}.name", name);
        }

        Rules.Protocol(result, $"{field}.protocol", Tree.Str(Get(port, "protocol")));
    }

    private static void Bind(ValidationResult result, string field, string? bind)
    {
        if (!string.IsNullOrEmpty(bind) && !Rules.IsIpAddress(bind))
        {
            result.Error(ErrorIds.InvalidPort, $"{field}.bind", bind, $"{ValidationResult.Show(bind)} is not an IP address to bind", "ValidateIPAddress");
        }
    }

    /// <summary>defaultEndpoint: unix://path, or host:port with a loopback or unspecified host (or none).</summary>
    private static void DefaultEndpoint(ValidationResult result, string field, string endpoint)
    {
        if (endpoint.StartsWith(Unix, StringComparison.Ordinal))
        {
            Rules.UnixAddress(result, field, endpoint, ErrorIds.InvalidEndpoint);
            return;
        }

        // net.SplitHostPort: host:port, [v6]:port.
        string? host = null;
        string? port = null;
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf("]:", StringComparison.Ordinal);
            if (close > 0 && endpoint.IndexOf(']', StringComparison.Ordinal) == close)
            {
                host = endpoint[1..close];
                port = endpoint[(close + 2)..];
            }
        }
        else if (endpoint.Count(c => c == ':') == 1)
        {
            var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
            host = endpoint[..colon];
            port = endpoint[(colon + 1)..];
        }

        if (host is null || port is null)
        {
            result.Error(ErrorIds.InvalidEndpoint, field, endpoint, $"{ValidationResult.Show(endpoint)} is not host:port", "ValidateSidecar");
            return;
        }

        if (host is not ("" or "127.0.0.1" or "0.0.0.0" or "::1" or "::"))
        {
            result.Error(ErrorIds.InvalidEndpoint, field, endpoint, "a defaultEndpoint is 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port>, unix://path or unset", "ValidateSidecar");
        }

        if (!int.TryParse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            result.Error(ErrorIds.InvalidEndpoint, field, endpoint, $"the defaultEndpoint port {ValidationResult.Show(port)} is not a number", "ValidateSidecar");
        }
        else
        {
            Rules.Port(result, field, number);
        }
    }

    private static void EgressHosts(ValidationResult result, string field, List<string> hosts, string? ownNamespace)
    {
        if (hosts.Count == 0)
        {
            result.Error(ErrorIds.InvalidHost, $"{field}.hosts", null, "an egress listener needs at least one host", "ValidateSidecar");
            return;
        }

        var seen = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (var h = 0; h < hosts.Count; h++)
        {
            var host = hosts[h];
            var at = $"{field}.hosts[{h}]";
            var parts = host.Split('/', 2);
            if (parts.Length == 2)
            {
                var ns = parts[0] == "." ? ownNamespace ?? "." : parts[0];
                var service = parts[1];
                if (!seen.TryGetValue(ns, out var services))
                {
                    seen[ns] = services = new(StringComparer.Ordinal);
                }

                if (service == "*" ? services.Count > 0 : services.Contains(service) || services.Contains("*"))
                {
                    result.Warning(ErrorIds.DuplicateHost, at, host, $"the egress host {ValidationResult.Show(host)} is already covered by an earlier host", "ValidateSidecar");
                }

                services.Add(service);
            }

            if (SidecarHostProblem(parts) is { } problem)
            {
                result.Error(ErrorIds.InvalidHost, at, host, $"{ValidationResult.Show(host)} is not a Sidecar egress host: {problem}", "validateNamespaceSlashWildcardHostname");
            }
        }

        if (seen.TryGetValue("*", out var all) && all.Contains("*") && seen.Count != 1)
        {
            result.Warning(ErrorIds.DuplicateHost, $"{field}.hosts", null, "the host '*/*' selects everything: no other hosts can be added", "ValidateSidecar");
        }
    }

    /// <summary>validateNamespaceSlashWildcardHostname for a Sidecar: namespace/dnsName, the namespace '*', '.', '~' or a label.</summary>
    private static string? SidecarHostProblem(string[] parts)
    {
        if (parts.Length != 2)
        {
            return "use namespace/dnsName";
        }

        if (parts[0].Length == 0 || parts[1].Length == 0)
        {
            return "its namespace and DNS name cannot be empty";
        }

        if (parts[0] is not ("*" or "." or "~") && new ValidationResult() is var scratch && !Rules.Dns1123Label(scratch, "ns", parts[0], ErrorIds.InvalidHost, "namespace", "ns"))
        {
            return $"'{parts[0]}' is not a namespace ('*', '.', '~' or a namespace name)";
        }

        var dns = parts[1];
        if (dns != "*" && !dns.Contains('.', StringComparison.Ordinal))
        {
            return "short names (no dot) are not allowed";
        }

        if (Rules.WildcardDomainProblem(dns) is { } problem && dns != "*")
        {
            return problem;
        }

        return dns.Contains('*', StringComparison.Ordinal) && dns.Length != 1 && !dns.StartsWith("*.", StringComparison.Ordinal)
            ? "a partial wildcard: use '*' or '*.example.com'"
            : null;
    }

    private static void OutboundTrafficPolicy(ValidationResult result, string field, IDictionary<string, object?>? policy)
    {
        if (Tree.Map(policy, "egressProxy") is not { } proxy)
        {
            return;
        }

        // An unset mode is REGISTRY_ONLY, the enum's zero.
        if (Tree.Str(Get(policy, "mode")) != "ALLOW_ANY")
        {
            result.Error(ErrorIds.InvalidOutboundPolicy, $"{field}.egressProxy", null, "an egressProxy needs outboundTrafficPolicy mode ALLOW_ANY", "validateSidecarOutboundTrafficPolicy");
            return;
        }

        var host = Tree.Str(Get(proxy, "host")) ?? string.Empty;
        if (host.Contains('*', StringComparison.Ordinal) || Rules.WildcardDomainProblem(host) is not null)
        {
            result.Error(ErrorIds.InvalidOutboundPolicy, $"{field}.egressProxy.host", host, $"{ValidationResult.Show(host)} is not an FQDN", "validateSidecarOutboundTrafficPolicy");
        }

        if (Tree.Map(proxy, "port") is not { } port)
        {
            result.Error(ErrorIds.InvalidOutboundPolicy, $"{field}.egressProxy.port", null, "an egressProxy needs a port", "validateSidecarOutboundTrafficPolicy");
            return;
        }

        if (Typed<Destination>(result, $"{field}.egressProxy", proxy) is not { } destination)
        {
            return;
        }

        Rules.Destination(result, $"{field}.egressProxy.host", destination.Host, $"{field}.egressProxy.subset", destination.Subset, $"{field}.egressProxy.port.number", (int)(Number(Get(port, "number")) ?? 0));
    }

    // The part read as its typed model; a field of the wrong type (a number for a string) is an error, not a crash.
    private static T? Typed<T>(ValidationResult result, string field, IDictionary<string, object?> tree)
        where T : ApiObject
    {
        try
        {
            return (T)ApiObjectMapper.ToObject(typeof(T), tree, field);
        }
        catch (ManifestFormatException ex)
        {
            result.Error(ErrorIds.InvalidResource, ex.Field ?? field, null, ex.Message, "ValidateSidecar");
            return null;
        }
    }

    private static long? Number(object? value) => Tree.Whole(value);
}
