using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>Istio 1.17's ValidateServiceEntry, in its order: selector, hosts, addresses, ports, then what the resolution needs.</summary>
internal static class ServiceEntryRules
{
    private const string UnixPrefix = "unix://";

    public static void Validate(ValidationResult result, ServiceEntry entry)
    {
        var spec = entry.Spec;
        var hosts = spec.Hosts ?? [];

        // validateAlphaWorkloadSelector: a networking WorkloadSelector has 'labels' (not matchLabels).
        if (spec.WorkloadSelector is { } selector)
        {
            if (selector.Labels is not { Count: > 0 })
            {
                result.Warning(ErrorIds.InvalidSelector, "spec.workloadSelector.labels", null, "a workloadSelector with no labels applies to every workload in the namespace", "ValidateServiceEntry");
            }

            Rules.Selector(result, "spec.workloadSelector.labels", selector.Labels);
            if (spec.Endpoints is not null)
            {
                result.Error(ErrorIds.InvalidServiceEntry, "spec.workloadSelector", null, "workloadSelector and endpoints cannot both be set", "ValidateServiceEntry");
            }
        }

        if (hosts.Count == 0)
        {
            result.Error(ErrorIds.InvalidServiceEntry, "spec.hosts", null, "a ServiceEntry needs at least one host", "ValidateServiceEntry");
        }

        for (var i = 0; i < hosts.Count; i++)
        {
            if (hosts[i] == "*")
            {
                result.Error(ErrorIds.InvalidHost, $"spec.hosts[{i}]", "*", "a ServiceEntry host cannot be '*'", "ValidateServiceEntry");
            }
            else
            {
                Rules.WildcardDomain(result, $"spec.hosts[{i}]", hosts[i], "ValidateServiceEntry");
            }
        }

        var addresses = spec.Addresses ?? [];
        var hasCidr = false;
        for (var i = 0; i < addresses.Count; i++)
        {
            var address = addresses[i];
            hasCidr |= address.Contains('/', StringComparison.Ordinal);
            var valid = address.Count(c => c == '/') == 1 ? Rules.IsCidr(address) : Rules.IsIpAddress(address);
            if (!valid)
            {
                result.Error(ErrorIds.InvalidServiceEntry, $"spec.addresses[{i}]", address, $"{ValidationResult.Show(address)} is not an IP address or CIDR", "ValidateServiceEntry");
            }
        }

        // An unset resolution is NONE, the enum's zero.
        var resolution = string.IsNullOrEmpty(spec.Resolution) ? "NONE" : spec.Resolution;
        if (hasCidr && resolution is not ("NONE" or "STATIC"))
        {
            result.Error(ErrorIds.InvalidServiceEntry, "spec.resolution", resolution, "with a CIDR address, resolution must be NONE or STATIC", "ValidateServiceEntry");
        }

        var ports = spec.Ports ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<int>();
        var addressWarned = false;
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var field = $"spec.ports[{i}]";
            if (!names.Add(port.Name ?? string.Empty))
            {
                result.Error(ErrorIds.DuplicatePort, $"{field}.name", port.Name, $"the port name {ValidationResult.Show(port.Name)} is used twice", "ValidateServiceEntry");
            }

            if (!numbers.Add(port.Number ?? 0))
            {
                result.Error(ErrorIds.DuplicatePort, $"{field}.number", port.Number, $"the port number {port.Number ?? 0} is used twice", "ValidateServiceEntry");
            }

            if (port.TargetPort is { } target and not 0)
            {
                Rules.Port(result, $"{field}.targetPort", target);
            }

            // Istio compares the protocol as written: only an unset protocol or "TCP" warns.
            if (addresses.Count == 0 && !addressWarned && (string.IsNullOrEmpty(port.Protocol) || port.Protocol == "TCP"))
            {
                addressWarned = true;
                result.Warning(ErrorIds.InvalidServiceEntry, "spec.addresses", null, "addresses are required for ports serving TCP (or unset) protocol", "ValidateServiceEntry");
            }

            Rules.PortName(result, $"{field}.name", port.Name);
            Rules.Protocol(result, $"{field}.protocol", port.Protocol);
            Rules.Port(result, $"{field}.number", port.Number ?? 0);
        }

        var endpoints = spec.Endpoints ?? [];
        switch (resolution)
        {
            case "NONE":
                if (endpoints.Count > 0)
                {
                    result.Error(ErrorIds.InvalidServiceEntry, "spec.endpoints", null, "no endpoints are allowed with resolution NONE", "ValidateServiceEntry");
                }

                break;
            case "STATIC":
                var unix = false;
                for (var i = 0; i < endpoints.Count; i++)
                {
                    var address = endpoints[i].Address ?? string.Empty;
                    var field = $"spec.endpoints[{i}]";
                    if (address.StartsWith(UnixPrefix, StringComparison.Ordinal))
                    {
                        unix = true;
                        Rules.UnixAddress(result, $"{field}.address", address, ErrorIds.InvalidServiceEntry);
                        if (endpoints[i].Ports is { Count: > 0 })
                        {
                            result.Error(ErrorIds.InvalidServiceEntry, $"{field}.ports", null, $"the unix endpoint {ValidationResult.Show(address)} cannot have ports", "ValidateServiceEntry");
                        }
                    }
                    else
                    {
                        if (!Rules.IsIpAddress(address))
                        {
                            result.Error(ErrorIds.InvalidServiceEntry, $"{field}.address", address, $"{ValidationResult.Show(address)} is not an IP address or unix:// path (resolution STATIC)", "ValidateServiceEntry");
                        }

                        EndpointPorts(result, field, endpoints[i], names);
                    }

                    Rules.Labels(result, $"{field}.labels", endpoints[i].Labels);
                }

                if (unix && ports.Count != 1)
                {
                    result.Error(ErrorIds.InvalidServiceEntry, "spec.ports", ports.Count, "a ServiceEntry with unix endpoints needs exactly one port", "ValidateServiceEntry");
                }

                break;
            case "DNS" or "DNS_ROUND_ROBIN":
                if (endpoints.Count == 0)
                {
                    for (var i = 0; i < hosts.Count; i++)
                    {
                        if (!Rules.IsFqdn(hosts[i]))
                        {
                            result.Error(ErrorIds.InvalidServiceEntry, $"spec.hosts[{i}]", hosts[i], $"with resolution {resolution} and no endpoints, hosts must be FQDNs (no wildcards); use resolution NONE for wildcard hosts", "ValidateServiceEntry");
                        }
                    }
                }

                if (resolution == "DNS_ROUND_ROBIN" && endpoints.Count > 1)
                {
                    result.Error(ErrorIds.InvalidServiceEntry, "spec.endpoints", endpoints.Count, "DNS_ROUND_ROBIN allows at most one endpoint", "ValidateServiceEntry");
                }

                for (var i = 0; i < endpoints.Count; i++)
                {
                    var address = endpoints[i].Address ?? string.Empty;
                    if (!Rules.IsIpAddress(address) && !Rules.IsFqdn(address))
                    {
                        result.Error(ErrorIds.InvalidServiceEntry, $"spec.endpoints[{i}].address", address, $"{ValidationResult.Show(address)} is not an FQDN or an IP address (resolution {resolution})", "ValidateServiceEntry");
                    }

                    Rules.Labels(result, $"spec.endpoints[{i}].labels", endpoints[i].Labels);
                    EndpointPorts(result, $"spec.endpoints[{i}]", endpoints[i], names);
                }

                // Several hosts sharing the addresses on a TCP port (TLS and HTTPS count): Istio cannot tell them apart.
                if (addresses.Count > 0 && hosts.Count > 1 && ports.FindIndex(p => IsTcp(p.Protocol)) is var tcp and >= 0)
                {
                    result.Warning(ErrorIds.InvalidServiceEntry, $"spec.ports[{tcp}]", ports[tcp].Protocol,
                        "a ServiceEntry should not have more than one host together with addresses and a TCP port: the hosts share the address", "ValidateServiceEntry");
                }

                break;
            default:
                result.Error(ErrorIds.InvalidServiceEntry, "spec.resolution", resolution, $"{ValidationResult.Show(resolution)} is not a resolution: use NONE, STATIC, DNS or DNS_ROUND_ROBIN", "ValidateServiceEntry");
                break;
        }

        if (resolution != "NONE" && hosts.Count > 1 && ports.FindIndex(p => !IsHttp(p.Protocol) && !IsTls(p.Protocol)) is var plain and >= 0)
        {
            result.Error(ErrorIds.InvalidServiceEntry, $"spec.ports[{plain}].protocol", ports[plain].Protocol, "several hosts need HTTP or TLS ports (multiple hosts provided with non-HTTP, non-TLS ports)", "ValidateServiceEntry");
        }

        Rules.ExportTo(result, "spec.exportTo", entry.Namespace, spec.ExportTo, allowNone: true);
    }

    private static void EndpointPorts(ValidationResult result, string field, WorkloadEntrySpec endpoint, HashSet<string> names)
    {
        foreach (var (name, number) in endpoint.Ports ?? [])
        {
            if (!names.Contains(name))
            {
                result.Error(ErrorIds.InvalidServiceEntry, $"{field}.ports.{name}", name, $"the endpoint port {ValidationResult.Show(name)} is not a declared service port", "ValidateServiceEntry");
            }

            Rules.PortName(result, $"{field}.ports.{name}", name);
            Rules.Port(result, $"{field}.ports.{name}", number);
        }
    }


    // pkg/config/protocol: Parse is case-insensitive; "" is not a protocol (sniffed).
    private static string Upper(string? protocol) => (protocol ?? string.Empty).ToUpperInvariant();

    private static bool IsHttp(string? protocol) => Upper(protocol) is "HTTP" or "HTTP2" or "HTTP_PROXY" or "GRPC" or "GRPC-WEB";

    private static bool IsTls(string? protocol) => Upper(protocol) is "HTTPS" or "TLS";

    private static bool IsTcp(string? protocol) => Upper(protocol) is "TCP" or "HTTPS" or "TLS" or "MONGO" or "REDIS" or "MYSQL";
}
