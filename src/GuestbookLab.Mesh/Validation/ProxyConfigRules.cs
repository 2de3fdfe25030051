using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// A pod's <c>proxy.istio.io/config</c> as Istio 1.17's injector validates it (pkg/kube/inject validateProxyConfig):
/// the YAML applied over the default ProxyConfig (each field given replaces the default's, as jsonpb does; unknown
/// fields are let through, as ApplyYAML retries with them allowed; a value of the wrong type fails), then
/// ValidateMeshConfigProxyConfig: paths and service cluster set, the drain duration, the discovery, tracing, statsd,
/// metrics and access-log service addresses, the admin and status ports, the control-plane auth policy and the
/// private key provider.
/// </summary>
public static class ProxyConfigRules
{
    private enum Type
    {
        Text,
        Duration,
        Int32,
        Int32Value,
        BoolValue,
        Message,
        TextMap,
        TextList,
    }

    // ProxyConfig's fields (istio/api mesh/v1alpha1/proxy.proto at 1.17), by JSON name; their proto names are read too.
    private static readonly Dictionary<string, Type> Fields = new(StringComparer.Ordinal)
    {
        ["configPath"] = Type.Text, ["binaryPath"] = Type.Text, ["serviceCluster"] = Type.Text, ["tracingServiceName"] = Type.Text,
        ["drainDuration"] = Type.Duration, ["discoveryAddress"] = Type.Text, ["discoveryRefreshDelay"] = Type.Duration,
        ["zipkinAddress"] = Type.Text, ["statsdUdpAddress"] = Type.Text, ["envoyMetricsServiceAddress"] = Type.Text,
        ["proxyAdminPort"] = Type.Int32, ["availabilityZone"] = Type.Text, ["controlPlaneAuthPolicy"] = Type.Text,
        ["customConfigFile"] = Type.Text, ["statNameLength"] = Type.Int32, ["concurrency"] = Type.Int32Value,
        ["proxyBootstrapTemplatePath"] = Type.Text, ["interceptionMode"] = Type.Text, ["tracing"] = Type.Message,
        ["sds"] = Type.Message, ["envoyAccessLogService"] = Type.Message, ["envoyMetricsService"] = Type.Message,
        ["proxyMetadata"] = Type.TextMap, ["runtimeValues"] = Type.TextMap, ["statusPort"] = Type.Int32,
        ["extraStatTags"] = Type.TextList, ["gatewayTopology"] = Type.Message, ["terminationDrainDuration"] = Type.Duration,
        ["meshId"] = Type.Text, ["readinessProbe"] = Type.Message, ["proxyStatsMatcher"] = Type.Message,
        ["holdApplicationUntilProxyStarts"] = Type.BoolValue, ["caCertificatesPem"] = Type.TextList, ["image"] = Type.Message,
        ["privateKeyProvider"] = Type.Message,
    };

    private static readonly string[] KeyProviders = ["cryptomb", "qat"];

    private static readonly string[] Collectors = ["zipkin", "datadog"];

    private static readonly Dictionary<string, string[]> Enums = new(StringComparer.Ordinal)
    {
        ["controlPlaneAuthPolicy"] = ["NONE", "MUTUAL_TLS", "INHERIT"],
        ["interceptionMode"] = ["REDIRECT", "TPROXY", "NONE"],
        ["tracingServiceName"] = ["APP_LABEL_AND_NAMESPACE", "CANONICAL_NAME_ONLY", "CANONICAL_NAME_AND_NAMESPACE"],
    };

    /// <summary>The problems of <paramref name="config"/> (the annotation's YAML as a tree), in Istio's order; none when it is valid.</summary>
    public static IReadOnlyList<string> Problems(IDictionary<string, object?> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var given = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in config)
        {
            var name = Fields.ContainsKey(key) ? key : Camel(key);
            if (!Fields.TryGetValue(name, out var type))
            {
                continue;
            }

            if (value is not null && TypeProblem(name, type, value) is { } problem)
            {
                // jsonpb stops at the first value it cannot read.
                return [$"failed to convert to apply proxy config: {problem}"];
            }

            given[name] = Enums.TryGetValue(name, out var names) && value is not (null or string) ? EnumName(name, names, Number(value)!.Value) : value;
        }

        return Validate(given);
    }

    private static List<string> Validate(Dictionary<string, object?> given)
    {
        var problems = new List<string>();
        string Text(string field, string fallback) => given.TryGetValue(field, out var v) ? (v is null ? fallback : Tree.Str(v) ?? string.Empty) : fallback;
        if (Text("configPath", "./etc/istio/proxy").Length == 0)
        {
            problems.Add("config path must be set");
        }

        if (Text("binaryPath", "/usr/local/bin/envoy").Length == 0)
        {
            problems.Add("binary path must be set");
        }

        if (!given.ContainsKey("tracingServiceName") && Text("serviceCluster", "istio-proxy").Length == 0)
        {
            problems.Add("service cluster must be specified");
        }

        if (DurationProblem(Text("drainDuration", "45s")) is { } drain)
        {
            problems.Add(drain);
        }

        var discovery = Text("discoveryAddress", "istiod.istio-system.svc:15012");
        if (discovery.Length == 0)
        {
            problems.Add("discovery address must be set to the proxy discovery service");
        }
        else if (AddressProblem(discovery) is { } bad)
        {
            problems.Add($"invalid discovery address: {bad}");
        }

        var tracing = given.TryGetValue("tracing", out var t) ? t as IDictionary<string, object?> : Zipkin;
        Tracing(tracing, problems);
        foreach (var (field, what) in new[] { ("statsdUdpAddress", "statsd udp"), ("envoyMetricsServiceAddress", "envoy metrics service") })
        {
            if (Text(field, string.Empty) is { Length: > 0 } address && AddressProblem(address) is { } problem)
            {
                problems.Add($"invalid {what} address \"{address}\": {problem}");
            }
        }

        foreach (var (field, what) in new[] { ("envoyMetricsService", "envoy metrics service"), ("envoyAccessLogService", "envoy access log service") })
        {
            if (Get(given.GetValueOrDefault(field), "address") is { Length: > 0 } address && AddressProblem(address) is { } problem)
            {
                problems.Add($"invalid {what} address \"{address}\": {problem}");
            }
        }

        foreach (var (field, fallback, what) in new[] { ("proxyAdminPort", 15000L, "proxy admin port"), ("statusPort", 15020L, "status port") })
        {
            var port = given.TryGetValue(field, out var p) && p is not null ? Number(p) ?? 0 : fallback;
            if (port is < 1 or > 65535)
            {
                problems.Add($"invalid {what}: port number {port} must be in the range 1..65535");
            }
        }

        if (Text("controlPlaneAuthPolicy", "MUTUAL_TLS") is not ("NONE" or "MUTUAL_TLS") and var policy)
        {
            problems.Add($"invalid authentication policy: unrecognized control plane auth policy \"{policy}\"");
        }

        if (given.TryGetValue("privateKeyProvider", out var provider) && provider is IDictionary<string, object?> keys)
        {
            PrivateKeyProvider(keys, problems);
        }

        return problems;
    }

    private static readonly Dictionary<string, object?> Zipkin = new(StringComparer.Ordinal)
    {
        ["zipkin"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["address"] = "zipkin.istio-system:9411" },
    };

    private static void Tracing(IDictionary<string, object?>? tracing, List<string> problems)
    {
        if (tracing is null)
        {
            return;
        }

        if (Member(tracing, "lightstep") is IDictionary<string, object?> lightstep)
        {
            var address = Get(lightstep, "address") ?? string.Empty;
            if (address.Length == 0)
            {
                problems.Add("invalid lightstep config: address is required");
            }

            if (AddressProblem(address) is { } problem)
            {
                problems.Add($"invalid lightstep config: invalid lightstep address: {problem}");
            }

            if (string.IsNullOrEmpty(Get(lightstep, "accessToken") ?? Get(lightstep, "access_token")))
            {
                problems.Add("invalid lightstep config: access token is required");
            }
        }

        foreach (var tracer in Collectors)
        {
            if (Member(tracing, tracer) is IDictionary<string, object?> collector
                && AddressProblem(ReplaceFirst(Get(collector, "address") ?? string.Empty, "$(HOST_IP)", "127.0.0.1")) is { } problem)
            {
                problems.Add($"invalid {tracer} config: {problem}");
            }
        }

        if (Member(tracing, "customTags") is IDictionary<string, object?> tags && tags.FirstOrDefault(tag => tag.Value is null) is { Key: { } name })
        {
            problems.Add($"invalid tracing custom tags: encountered nil value for custom tag: {name}");
        }
    }

    private static void PrivateKeyProvider(IDictionary<string, object?> provider, List<string> problems)
    {
        var kind = KeyProviders.FirstOrDefault(provider.ContainsKey);
        if (kind is null)
        {
            problems.Add("invalid private key provider confguration: private key provider confguration is required");
            return;
        }

        if (provider[kind] is not IDictionary<string, object?> settings)
        {
            problems.Add($"invalid private key provider confguration: {kind} confguration is required");
        }
        else if (Member(settings, "pollDelay") is not { } delay)
        {
            problems.Add("invalid private key provider confguration: pollDelay is required");
        }
        else if (Seconds(Tree.Str(delay)) == 0)
        {
            problems.Add("invalid private key provider confguration: pollDelay must be non zero");
        }
    }

    // ValidateDrainDuration: at least 1ms, in whole milliseconds, then in whole seconds and at most an hour.
    private static string? DurationProblem(string text)
    {
        if (Seconds(text) is not { } seconds)
        {
            return $"invalid drain duration: {text} is not a duration";
        }

        if (seconds < 0.001m)
        {
            return "invalid drain duration: duration must be greater than 1ms";
        }

        if (seconds * 1000 % 1 != 0)
        {
            return "invalid drain duration: only durations to ms precision are supported";
        }

        if (seconds % 1 != 0)
        {
            return "drain time only supports durations to seconds precision";
        }

        return seconds > 3600 ? $"drain time {text} must be <1h0m0s" : null;
    }

    // A protobuf Duration in JSON: decimal seconds and 's' ("45s", "0.5s").
    private static decimal? Seconds(string? text) =>
        text is { Length: > 1 } && text.EndsWith('s') && decimal.TryParse(text[..^1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : null;

    // ValidateProxyAddress: host:port (net.SplitHostPort), the port 1..65535, the host an FQDN or an IP address.
    private static string? AddressProblem(string address)
    {
        string host, port;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return $"unable to split \"{address}\": missing port in address";
            }

            (host, port) = (address[1..close], address[(close + 2)..]);
        }
        else
        {
            var colon = address.LastIndexOf(':');
            if (colon < 0)
            {
                return $"unable to split \"{address}\": missing port in address";
            }

            if (address.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return $"unable to split \"{address}\": too many colons in address";
            }

            (host, port) = (address[..colon], address[(colon + 1)..]);
        }

        if (!int.TryParse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return $"port ({port}) is not a number";
        }

        if (number is < 1 or > 65535)
        {
            return $"port number {number} must be in the range 1..65535";
        }

        return Rules.IsFqdn(host) || Rules.IsIpAddress(host) ? null : $"\"{host}\" is not a valid hostname or an IP address";
    }

    // Whether a value can be read as the field's type, as jsonpb reads YAML turned into JSON.
    private static string? TypeProblem(string name, Type type, object value)
    {
        var ok = type switch
        {
            // An enum is read by name or by number (proto3 enums are open: an unknown number is kept).
            Type.Text when Enums.TryGetValue(name, out var values) => (value is string text && values.Contains(text, StringComparer.Ordinal)) || (value is not string && Number(value) is not null),
            Type.Text => value is string,
            Type.Duration => Seconds(value as string) is not null,
            Type.Int32 or Type.Int32Value => Number(value) is >= int.MinValue and <= int.MaxValue,
            Type.BoolValue => value is bool,
            Type.Message => value is IDictionary<string, object?>,
            Type.TextMap => value is IDictionary<string, object?> map && map.Values.All(v => v is string or null),
            Type.TextList => value is IList list && list.Cast<object?>().All(v => v is string),
            _ => true,
        };
        return ok ? null : $"the value of {name} ({Tree.Str(value) ?? value.GetType().Name}) is not a {type switch
        {
            Type.Duration => "duration such as \"45s\"",
            Type.Int32 or Type.Int32Value => "32-bit number",
            Type.BoolValue => "boolean",
            Type.Message => "mapping",
            Type.TextMap => "map of strings",
            Type.TextList => "list of strings",
            _ when Enums.TryGetValue(name, out var values) => $"value of {string.Join(", ", values)}",
            _ => "string",
        }}";
    }

    // An enum's number as its name (AuthenticationPolicy's INHERIT is 1000), or the number itself when it has none.
    private static string EnumName(string field, string[] names, long number) =>
        field == "controlPlaneAuthPolicy" && number == 1000 ? "INHERIT"
        : number >= 0 && number < names.Length && !(field == "controlPlaneAuthPolicy" && number == 2) ? names[number]
        : number.ToString(CultureInfo.InvariantCulture);

    // A number as jsonpb takes one: a JSON number without a fraction, or a string of digits.
    private static long? Number(object? value) => value switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) && Math.Abs(d) < long.MaxValue => (long)d,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    private static object? Member(IDictionary<string, object?> map, string camel) =>
        map.TryGetValue(camel, out var value) ? value : map.FirstOrDefault(e => Camel(e.Key) == camel).Value;

    private static string? Get(object? map, string key) => map is IDictionary<string, object?> m ? Tree.Str(Member(m, key)) : null;

    private static string Camel(string name)
    {
        var parts = name.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private static string ReplaceFirst(string text, string find, string with)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return at < 0 ? text : text[..at] + with + text[(at + find.Length)..];
    }
}
