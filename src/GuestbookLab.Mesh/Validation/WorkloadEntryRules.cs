using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;
using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's ValidateWorkloadEntry and ValidateWorkloadGroup (pkg/config/validation/validation.go) over the resources
/// read as generic ones (the module has no model for VM workloads): the entry's address (an IP, an FQDN or a unix socket
/// without ports), labels and named ports; the group's template, metadata labels and readiness probe.
/// </summary>
internal static class WorkloadEntryRules
{
    private const string Unix = "unix://";

    private static readonly string[] ProbeCounts = ["periodSeconds", "initialDelaySeconds", "timeoutSeconds", "successThreshold", "failureThreshold"];

    private static readonly string[] ProbeMethods = ["httpGet", "tcpSocket", "exec"];

    public static void WorkloadEntry(ValidationResult result, GenericResource entry)
    {
        var spec = entry.Spec as IDictionary<string, object?> ?? new Dictionary<string, object?>();
        var address = Tree.Str(Get(spec, "address")) ?? string.Empty;
        if (address.Length == 0)
        {
            result.Error(ErrorIds.InvalidEndpoint, "spec.address", null, "a WorkloadEntry needs an address (an IP address, a DNS name or a unix socket)", "ValidateWorkloadEntry");
            return;
        }

        var ports = Map(spec, "ports");
        if (address.StartsWith(Unix, StringComparison.Ordinal))
        {
            Rules.UnixAddress(result, "spec.address", address, ErrorIds.InvalidEndpoint);
            if (ports is { Count: > 0 })
            {
                result.Error(ErrorIds.InvalidEndpoint, "spec.ports", null, $"the unix socket endpoint {address} cannot have ports", "ValidateWorkloadEntry");
            }
        }
        else if (!Rules.IsIpAddress(address) && !Rules.IsFqdn(address))
        {
            result.Error(ErrorIds.InvalidEndpoint, "spec.address", address, $"{ValidationResult.Show(address)} is neither a valid FQDN nor an IP address", "ValidateWorkloadEntry");
        }

        Rules.Labels(result, "spec.labels", StringMap(Map(spec, "labels")));
        foreach (var (name, port) in ports ?? new Dictionary<string, object?>())
        {
            Rules.PortName(result, $"spec.ports[{name}]", name);
            Rules.Port(result, $"spec.ports[{name}]", PortNumber(port));
        }
    }

    public static void WorkloadGroup(ValidationResult result, GenericResource group)
    {
        var spec = group.Spec as IDictionary<string, object?> ?? new Dictionary<string, object?>();

        // The template's address and other required fields are filled in for each VM, so Istio does not validate it as an entry.
        if (Get(spec, "template") is null)
        {
            result.Error(ErrorIds.InvalidResource, "spec.template", null, "a WorkloadGroup needs a template", "ValidateWorkloadGroup");
            return;
        }

        if (!Rules.Labels(result, "spec.metadata.labels", StringMap(Map(Map(spec, "metadata"), "labels"))))
        {
            return;
        }

        if (Map(spec, "probe") is { } probe)
        {
            Probe(result, "spec.probe", probe);
        }
    }

    /// <summary>validateReadinessProbe: non-negative counts and times, and exactly one of httpGet, tcpSocket and exec, each well formed.</summary>
    private static void Probe(ValidationResult result, string field, IDictionary<string, object?> probe)
    {
        foreach (var setting in ProbeCounts)
        {
            if (Whole(Get(probe, setting)) is < 0 and var value)
            {
                result.Error(ErrorIds.InvalidResource, $"{field}.{setting}", value, $"{setting} cannot be negative", "validateReadinessProbe");
            }
        }

        var methods = ProbeMethods.Where(m => Get(probe, m) is not null).ToList();
        if (methods.Count != 1)
        {
            result.Error(ErrorIds.InvalidResource, field, null, methods.Count == 0
                ? "a readiness probe needs one health check: httpGet, tcpSocket or exec"
                : $"a readiness probe has one health check, not {string.Join(" and ", methods)}", "validateReadinessProbe");
            return;
        }

        var at = $"{field}.{methods[0]}";
        var check = Get(probe, methods[0]) as IDictionary<string, object?> ?? new Dictionary<string, object?>();
        switch (methods[0])
        {
            case "httpGet":
                Rules.Port(result, $"{at}.port", PortNumber(Get(check, "port")), "validateReadinessProbe");
                // Istio compares with Kubernetes' URIScheme constants, which are upper case.
                if (Tree.Str(Get(check, "scheme")) is { Length: > 0 } scheme && scheme is not ("HTTP" or "HTTPS"))
                {
                    result.Error(ErrorIds.InvalidResource, $"{at}.scheme", scheme, $"{ValidationResult.Show(scheme)} is not a probe scheme: use HTTP or HTTPS", "validateReadinessProbe");
                }

                var headers = Items(check, "httpHeaders");
                for (var i = 0; i < headers.Count; i++)
                {
                    if (headers[i] is not IDictionary<string, object?> header)
                    {
                        result.Error(ErrorIds.InvalidResource, $"{at}.httpHeaders[{i}]", null, "a probe header cannot be null", "validateReadinessProbe");
                    }
                    else if (string.IsNullOrEmpty(Tree.Str(Get(header, "name"))))
                    {
                        result.Error(ErrorIds.InvalidResource, $"{at}.httpHeaders[{i}].name", null, "a probe header needs a name", "ValidateHTTPHeaderName");
                    }
                }

                break;
            case "tcpSocket":
                Rules.Port(result, $"{at}.port", PortNumber(Get(check, "port")), "validateReadinessProbe");
                break;
            default:
                if (Items(check, "command").Count == 0)
                {
                    result.Error(ErrorIds.InvalidResource, $"{at}.command", null, "an exec probe needs a command", "validateReadinessProbe");
                }

                break;
        }
    }

    // A port as the protobuf reads it: unset is 0 (refused by ValidatePort); a number outside int's range is kept out of range.
    private static int PortNumber(object? value) => Whole(value) is { } n ? (int)Math.Clamp(n, -1, 65536) : 0;

    internal static Dictionary<string, string>? StringMap(IDictionary<string, object?>? map) =>
        map?.ToDictionary(e => e.Key, e => Tree.Str(e.Value) ?? string.Empty, StringComparer.Ordinal);
}
