using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's shared validation primitives (pkg/config/validation). Each check adds an issue naming
/// <c>field</c>, which is an API path for whole resources and a parameter name for cmdlet input, so a rule is
/// written once and reported the same way from both.
/// </summary>
public static partial class Rules
{
    /// <summary>Protocols Istio parses (pkg/config/protocol), upper case.</summary>
    public static readonly IReadOnlyList<string> Protocols =
        ["TCP", "UDP", "GRPC", "GRPC-WEB", "HTTP", "HTTP_PROXY", "HTTP2", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL"];

    /// <summary>Whether Istio's protocol.Parse knows the (upper-case) protocol.</summary>
    public static bool IsKnownProtocol(string? protocol) => protocol is not null && Protocols.Contains(protocol, StringComparer.Ordinal);

    /// <summary>retryOn policies Envoy knows besides numeric status codes.</summary>
    public static readonly IReadOnlyList<string> RetryOnPolicies =
    [
        "5xx", "gateway-error", "reset", "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes",
        "retriable-headers", "envoy-ratelimited", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ];

    public static readonly IReadOnlyList<string> GrpcCodes =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>metadata.name of an Istio object: a DNS-1123 subdomain (lower case, at most 253 characters).</summary>
    public static bool ResourceName(ValidationResult result, string field, string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            result.Error(ErrorIds.InvalidName, field, name,
                $"{ValidationResult.Show(name)} is not a valid name: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (DNS-1123)",
                "metadata.name");
            return false;
        }

        return true;
    }

    /// <summary>A DNS-1123 label: lower-case alphanumerics and '-', at most 63 (Gateway names, subset names, port names, namespaces).</summary>
    public static bool Dns1123Label(ValidationResult result, string field, string? value, string errorId, string what, string rule)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 63 || !Dns1123LabelPattern().IsMatch(value))
        {
            result.Error(errorId, field, value,
                $"{ValidationResult.Show(value)} is not a valid {what}: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)",
                rule);
            return false;
        }

        return true;
    }

    /// <summary>ValidateWildcardDomain: an FQDN whose first label may be '*', '*foo' or '*-foo'.</summary>
    public static bool WildcardDomain(ValidationResult result, string field, string? host, string rule = "ValidateWildcardDomain")
    {
        var problem = WildcardDomainProblem(host);
        if (problem is not null)
        {
            result.Error(ErrorIds.InvalidHost, field, host, $"{ValidationResult.Show(host)} is not a valid host: {problem}", rule);
            return false;
        }

        return true;
    }

    /// <summary>Why a host is not a valid (wildcard) domain, or null.</summary>
    public static string? WildcardDomainProblem(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return "a host cannot be empty";
        }

        if (host.Length > 255)
        {
            return "a host can be at most 255 characters";
        }

        var name = host.EndsWith('.') ? host[..^1] : host;
        var labels = name.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (i == 0 && label.StartsWith('*'))
            {
                var rest = label[1..];
                if (rest.Length == 0 || (rest.StartsWith('-') ? IsLabel(rest[1..]) : IsLabel(rest)))
                {
                    continue;
                }

                return $"the wildcard label '{label}' must be '*', '*foo' or '*-foo'";
            }

            if (label.Contains('*', StringComparison.Ordinal))
            {
                return "a wildcard can only stand first ('*.example.com')";
            }

            if (!IsLabel(label))
            {
                return $"'{label}' is not a DNS-1123 label";
            }

            if (i == labels.Length - 1 && labels.Length > 1 && label.All(char.IsAsciiDigit))
            {
                return "the last label cannot be all digits";
            }
        }

        return null;
    }

    /// <summary>validateDestination: a host (not '*', a valid wildcard domain), an optional subset label and port.</summary>
    public static bool Destination(ValidationResult result, string hostField, string? host, string subsetField, string? subset, string portField, int? port)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ok = true;
        if (string.IsNullOrEmpty(host))
        {
            result.Error(ErrorIds.InvalidDestination, hostField, null, "a destination needs a host", "validateDestination");
            ok = false;
        }
        else if (host == "*")
        {
            result.Error(ErrorIds.InvalidDestination, hostField, "*", "a destination host cannot be '*'", "validateDestination");
            ok = false;
        }
        else
        {
            ok &= WildcardDomain(result, hostField, host, "validateDestination");
        }

        if (subset is not null)
        {
            ok &= Dns1123Label(result, subsetField, subset, ErrorIds.InvalidSubset, "subset name", "validateDestination");
        }

        if (port is not null)
        {
            ok &= Port(result, portField, port, "validateDestination");
        }

        return ok;
    }

    /// <summary>ValidateFQDN: a DNS name of DNS-1123 labels, no wildcard.</summary>
    public static bool IsFqdn(string host) => !host.Contains('*', StringComparison.Ordinal) && WildcardDomainProblem(host) is null;

    /// <summary>ValidateUnixAddress over <c>unix://</c> and the rest: <c>@abstract</c>, or an absolute path to a file.</summary>
    public static bool UnixAddress(ValidationResult result, string field, string address, string errorId)
    {
        const string Prefix = "unix://";
        var path = address.StartsWith(Prefix, StringComparison.Ordinal) ? address[Prefix.Length..] : address;
        if (!path.StartsWith('@') && (path.Length == 0 || !path.StartsWith('/') || path.EndsWith('/')))
        {
            result.Error(errorId, field, address, $"{ValidationResult.Show(address)} is not a unix socket address: use unix:///absolute/path/to/file or unix://@abstract", "ValidateUnixAddress");
            return false;
        }

        return true;
    }

    /// <summary>
    /// An IP address as Go's netip.ParseAddr reads it: IPv4 only as four decimal octets without leading zeros (not the
    /// short or octal forms .NET's parser also takes), IPv6 without brackets.
    /// </summary>
    public static bool IsIpAddress(string? value)
    {
        if (string.IsNullOrEmpty(value) || value[0] == '[')
        {
            return false;
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(value, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        var octets = value.Split('.');
        return octets.Length == 4 && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit) && (o.Length == 1 || o[0] != '0')
            && int.Parse(o, CultureInfo.InvariantCulture) <= 255);
    }

    public static bool IsCidr(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        return IPAddress.TryParse(value[..slash], out var ip)
            && int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
            && bits <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
    }

    /// <summary>ValidateDuration: at least 1ms and a whole number of milliseconds.</summary>
    public static bool Duration(ValidationResult result, string field, string? text)
    {
        var duration = MeshDuration.Parse(text);
        return Duration(result, field, duration);
    }

    public static bool Duration(ValidationResult result, string field, MeshDuration duration)
    {
        if (!duration.IsValid)
        {
            result.Error(ErrorIds.InvalidDuration, field, duration.Text, $"{ValidationResult.Show(duration.Text)} is not a duration: {duration.Error}", "ValidateDuration");
            return false;
        }

        var ns = duration.Nanoseconds!.Value;
        if (ns < 1_000_000)
        {
            result.Error(ErrorIds.InvalidDuration, field, duration.Text, $"{ValidationResult.Show(duration.Text)} is too short: a duration must be at least 1ms", "ValidateDuration");
            return false;
        }

        if (ns % 1_000_000 != 0)
        {
            result.Error(ErrorIds.InvalidDuration, field, duration.Text, $"{ValidationResult.Show(duration.Text)} is not a whole number of milliseconds", "ValidateDuration");
            return false;
        }

        return true;
    }

    /// <summary>validatePercentage: 0, or between 0.0001 and 100.</summary>
    public static bool Percentage(ValidationResult result, string field, double? value)
    {
        if (value is null)
        {
            return true;
        }

        var v = value.Value;
        if (double.IsNaN(v) || v < 0 || v > 100 || (v > 0 && v < 0.0001))
        {
            result.Error(ErrorIds.InvalidPercentage, field, v, $"{ValidationResult.Show(v)} is not a valid percentage: use 0, or a value from 0.0001 to 100", "validatePercentage");
            return false;
        }

        return true;
    }

    /// <summary>ValidatePercent: a whole percentage 0..100.</summary>
    public static bool Percent(ValidationResult result, string field, int? value, string rule = "ValidatePercent")
    {
        if (value is < 0 or > 100)
        {
            result.Error(ErrorIds.InvalidPercentage, field, value, $"{value} is not a valid percentage: use a whole number from 0 to 100", rule);
            return false;
        }

        return true;
    }

    public static bool Weight(ValidationResult result, string field, int? weight)
    {
        if (weight < 0)
        {
            result.Error(ErrorIds.InvalidWeight, field, weight, $"{weight} is not a valid weight: weights cannot be negative", "validateWeight");
            return false;
        }

        return true;
    }

    public static bool Port(ValidationResult result, string field, int? port, string rule = "ValidatePort")
    {
        if (port is < 1 or > 65535)
        {
            result.Error(ErrorIds.InvalidPort, field, port, $"{port} is not a valid port: use 1 to 65535", rule);
            return false;
        }

        return true;
    }

    public static bool PortName(ValidationResult result, string field, string? name) =>
        Dns1123Label(result, field, name, ErrorIds.InvalidPortName, "port name", "ValidatePortName");

    public static bool Protocol(ValidationResult result, string field, string? protocol)
    {
        if (string.IsNullOrEmpty(protocol))
        {
            return true;
        }

        if (!Protocols.Contains(protocol.ToUpperInvariant(), StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidProtocol, field, protocol,
                $"{ValidationResult.Show(protocol)} is not a protocol Istio knows: use one of {string.Join(", ", Protocols)}", "ValidateProtocol");
            return false;
        }

        return true;
    }

    /// <summary>validateStringMatchRegexp: non-empty, at most 1024 characters, valid RE2.</summary>
    public static bool Regex(ValidationResult result, string field, string? pattern)
    {
        var problem = pattern is null ? "a regex cannot be empty" : Re2Syntax.Check(pattern);
        if (problem is not null)
        {
            result.Error(ErrorIds.InvalidRegex, field, pattern, $"{ValidationResult.Show(pattern)} is not a valid regex: {problem}", "validateStringMatchRegexp");
            return false;
        }

        return true;
    }

    /// <summary>validateHTTPFaultInjectionAbort: httpStatus in 200..600.</summary>
    public static bool AbortStatus(ValidationResult result, string field, int? status)
    {
        if (status is < 200 or > 600)
        {
            result.Error(ErrorIds.InvalidAbortStatus, field, status, $"{status} is not a valid abort status: use an HTTP status from 200 to 600", "validateHTTPFaultInjectionAbort");
            return false;
        }

        return true;
    }

    /// <summary>validateHTTPFaultInjection: a fault needs an abort, a delay or both (<paramref name="field"/>: the fault, or the fields that set them).</summary>
    public static bool FaultAction(ValidationResult result, string field, bool hasAbort, bool hasDelay)
    {
        if (!hasAbort && !hasDelay)
        {
            result.Error(ErrorIds.InvalidFault, field, null, "a fault needs an abort, a delay or both", "validateHTTPFaultInjection");
            return false;
        }

        return true;
    }

    /// <summary>validateHTTPRetry: with 0 attempts (retries off) none of <paramref name="settings"/> (named as the caller's user knows them) may be set.</summary>
    public static bool RetriesOff(ValidationResult result, string field, int attempts, bool anySet, IReadOnlyList<string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (attempts == 0 && anySet)
        {
            var names = settings.Count < 2 ? string.Concat(settings) : string.Join(", ", settings.Take(settings.Count - 1)) + " and " + settings[^1];
            result.Error(ErrorIds.InvalidRetryPolicy, field, attempts, $"with 0 attempts (retries off), {names} cannot be set", "validateHTTPRetry");
            return false;
        }

        return true;
    }

    /// <summary>validateConnectionPool and validateOutlierDetection: counts and limits cannot be negative.</summary>
    public static bool NonNegative(ValidationResult result, string field, int? value)
    {
        if (value < 0)
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, field, value, $"{value} is not allowed: the value cannot be negative", "validateConnectionPool");
            return false;
        }

        return true;
    }

    /// <summary>validateHTTPRetry's retryOn: a comma-separated list of Envoy policies and HTTP status codes.</summary>
    public static bool RetryOn(ValidationResult result, string field, string? retryOn)
    {
        if (retryOn is null)
        {
            return true;
        }

        foreach (var item in retryOn.Split(','))
        {
            var policy = item.Trim();
            var isCode = int.TryParse(policy, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && IsKnownHttpStatus(code);
            if (!isCode && !RetryOnPolicies.Contains(policy, StringComparer.Ordinal))
            {
                result.Error(ErrorIds.InvalidRetryOn, field, retryOn,
                    $"{ValidationResult.Show(policy)} is not a retry condition: use HTTP status codes or {string.Join(", ", RetryOnPolicies)}", "validateHTTPRetry");
                return false;
            }
        }

        return true;
    }

    /// <summary>Label keys (qualified names) and values (labels.Instance.Validate).</summary>
    public static bool Labels(ValidationResult result, string field, IDictionary<string, string>? labels, string rule = "labels.Instance.Validate")
    {
        if (labels is null)
        {
            return true;
        }

        var ok = true;
        foreach (var (key, value) in labels)
        {
            if (!IsQualifiedName(key))
            {
                result.Error(ErrorIds.InvalidLabel, $"{field}[{key}]", key, $"{ValidationResult.Show(key)} is not a valid label key: use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.'", rule);
                ok = false;
            }

            if (value is null || value.Length > 63 || (value.Length > 0 && !LabelValue().IsMatch(value)))
            {
                result.Error(ErrorIds.InvalidLabel, $"{field}[{key}]", value, $"{ValidationResult.Show(value)} is not a valid label value: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", rule);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>validateWorkloadSelector: keys non-empty, no '*' in keys or values.</summary>
    public static bool Selector(ValidationResult result, string field, IDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return true;
        }

        var ok = true;
        foreach (var (key, value) in labels)
        {
            if (string.IsNullOrEmpty(key) || key.Contains('*', StringComparison.Ordinal) || (value ?? string.Empty).Contains('*', StringComparison.Ordinal))
            {
                result.Error(ErrorIds.InvalidSelector, $"{field}[{key}]", $"{key}={value}", "a selector label needs a key, and neither key nor value may contain '*'", "validateWorkloadSelector");
                ok = false;
            }
        }

        return Labels(result, field, labels, "validateWorkloadSelector") && ok;
    }

    /// <summary>validateGatewayNames: <c>ns/name</c> with DNS-1123 labels, or a bare name that is a valid FQDN.</summary>
    public static bool GatewayReference(ValidationResult result, string field, string? gateway)
    {
        if (string.IsNullOrEmpty(gateway))
        {
            result.Error(ErrorIds.InvalidGatewayReference, field, gateway, "a gateway reference cannot be empty", "validateGatewayNames");
            return false;
        }

        if (gateway == "mesh")
        {
            return true;
        }

        var parts = gateway.Split('/');
        if (parts.Length > 2 || (parts.Length == 2 && (!Dns1123LabelPattern().IsMatch(parts[0]) || !Dns1123LabelPattern().IsMatch(parts[1]))))
        {
            result.Error(ErrorIds.InvalidGatewayReference, field, gateway, $"{ValidationResult.Show(gateway)} is not a gateway reference: use 'name' or 'namespace/name'", "validateGatewayNames");
            return false;
        }

        if (parts.Length == 1 && WildcardDomainProblem(gateway) is not null)
        {
            result.Error(ErrorIds.InvalidGatewayReference, field, gateway, $"{ValidationResult.Show(gateway)} is not a gateway reference: use 'name' or 'namespace/name'", "validateGatewayNames");
            return false;
        }

        if (parts.Length == 1 && gateway.Contains('.', StringComparison.Ordinal))
        {
            result.Warning(ErrorIds.InvalidGatewayReference, field, gateway, $"{ValidationResult.Show(gateway)} uses the legacy 'name.namespace' form; write 'namespace/name'", "validateGatewayNames");
        }

        return true;
    }

    /// <summary>validateExportTo: no duplicates, '*' alone, '~' only for ServiceEntry and alone, else namespace names.</summary>
    public static void ExportTo(ValidationResult result, string field, string? ownNamespace, IReadOnlyList<string>? exportTo, bool allowNone)
    {
        if (exportTo is null)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in exportTo)
        {
            var entry = raw == "." ? ownNamespace ?? "." : raw;
            if (!seen.Add(entry))
            {
                result.Error(ErrorIds.InvalidExportTo, field, raw, $"{ValidationResult.Show(raw)} is exported to twice", "validateExportTo");
            }
            else if (raw == "~" && !allowNone)
            {
                result.Error(ErrorIds.InvalidExportTo, field, raw, "'~' is only allowed for a ServiceEntry", "validateExportTo");
            }
            else if (raw is not ("*" or "." or "~") && !Dns1123LabelPattern().IsMatch(raw))
            {
                result.Error(ErrorIds.InvalidExportTo, field, raw, $"{ValidationResult.Show(raw)} is not a namespace name", "validateExportTo");
            }
        }

        if (exportTo.Count > 1 && (exportTo.Contains("*") || exportTo.Contains("~")))
        {
            result.Error(ErrorIds.InvalidExportTo, field, string.Join(",", exportTo), "'*' and '~' cannot be combined with other exportTo entries", "validateExportTo");
        }
    }

    private static bool IsLabel(string label) => label.Length is > 0 and <= 63 && HostLabel().IsMatch(label);

    private static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length is 0 or > 253 || !Dns1123Subdomain().IsMatch(prefix))
            {
                return false;
            }
        }

        return name.Length is > 0 and <= 63 && LabelValue().IsMatch(name);
    }

    private static bool IsKnownHttpStatus(int code) =>
        Enum.IsDefined(typeof(HttpStatusCode), code) || code is 103 or 208 or 226 or 418 or 421 or 425 or 451 or 506 or 508 or 510 or 511;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123LabelPattern();

    [GeneratedRegex("^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    private static partial Regex HostLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
