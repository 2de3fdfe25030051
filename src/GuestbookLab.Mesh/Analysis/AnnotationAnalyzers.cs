using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>One entry of Istio 1.17's annotation table (istio/api annotation/annotations.yaml).</summary>
internal sealed record IstioAnnotation(string Name, string FeatureStatus, bool Deprecated, IReadOnlyList<string> Resources);

/// <summary>
/// Istio 1.17's annotation table, read from the embedded copy of istio/api's annotation/annotations.yaml
/// (Analysis/Data/NOTICE.md): each annotation's name, feature status (Alpha when the entry has none, as Istio's
/// generated Go gives it), deprecation and the resource kinds it applies to.
/// </summary>
internal static class IstioAnnotations
{
    private static readonly Lazy<Dictionary<string, IstioAnnotation>> Table = new(Load);

    public static IstioAnnotation? Find(string name) => Table.Value.GetValueOrDefault(name);

    public static int Count => Table.Value.Count;

    // The file's shape is fixed: "  - name: X" starts an entry, "    key: value" are its fields, "      - Kind" the
    // items of its resources list (other indented lines continue a description).
    private static Dictionary<string, IstioAnnotation> Load()
    {
        using var stream = typeof(IstioAnnotations).Assembly.GetManifestResourceStream("GuestbookLab.Mesh.Analysis.annotations.yaml")
            ?? throw new InvalidOperationException("The embedded annotation table is missing.");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<string, IstioAnnotation>(StringComparer.Ordinal);
        string? name = null, status = null, key = null;
        var deprecated = false;
        var resources = new List<string>();
        void Flush()
        {
            if (name is not null)
            {
                table[name] = new IstioAnnotation(name, status ?? "Alpha", deprecated, resources);
            }
        }

        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.StartsWith("  - name:", StringComparison.Ordinal))
            {
                Flush();
                (name, status, key, deprecated, resources) = (Unquote(line[9..]), null, "name", false, []);
            }
            else if (name is not null && line.Length > 4 && line.StartsWith("    ", StringComparison.Ordinal) && line[4] != ' ' && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 4)
            {
                key = line[4..colon];
                var value = Unquote(line[(colon + 1)..]);
                if (key == "featureStatus")
                {
                    status = value;
                }
                else if (key == "deprecated")
                {
                    deprecated = value == "true";
                }
            }
            else if (key == "resources" && line.StartsWith("      - ", StringComparison.Ordinal))
            {
                resources.Add(Unquote(line[8..]));
            }
        }

        Flush();
        return table;
    }

    private static string Unquote(string value) => value.Trim().Trim('"', '\'');
}

// Istio 1.17's annotations.K8sAnalyzer and maturity.AlphaAnalyzer: the Istio annotations (an *istio.io name, or
// kubernetes.io/ingress.class) on Namespaces, Services, Pods and Deployments (the Deployment's own metadata, as Istio's).
public static partial class MeshAnalyzer
{
    /// <summary>Istio's annotation validations (pkg/kube/inject AnnotationValidation): the error text, or null when valid.</summary>
    private static readonly Dictionary<string, Func<string, string?>> AnnotationValidations = new(StringComparer.Ordinal)
    {
        ["sidecar.istio.io/interceptionMode"] = v => v is "REDIRECT" or "TPROXY" or "NONE" ? null : $"interceptionMode invalid, use REDIRECT,TPROXY,NONE: {v}",
        ["sidecar.istio.io/enableCoreDump"] = GoParseBool,
        ["status.sidecar.istio.io/port"] = v => GoParsePort(v) is { } e ? $"excludeInboundPorts invalid: {e}" : null,
        ["readiness.status.sidecar.istio.io/initialDelaySeconds"] = v => GoParseUint(v, uint.MaxValue),
        ["readiness.status.sidecar.istio.io/periodSeconds"] = v => GoParseUint(v, uint.MaxValue),
        ["readiness.status.sidecar.istio.io/failureThreshold"] = v => GoParseUint(v, uint.MaxValue),
        ["traffic.sidecar.istio.io/includeOutboundIPRanges"] = v => v != "*" && CidrList(v) is { } e ? $"includeIPRanges invalid: {e}" : null,
        ["traffic.sidecar.istio.io/excludeOutboundIPRanges"] = v => CidrList(v) is { } e ? $"excludeIPRanges invalid: {e}" : null,
        ["traffic.sidecar.istio.io/includeInboundPorts"] = v => v != "*" ? PortList("includeInboundPorts", v) : null,
        ["traffic.sidecar.istio.io/excludeInboundPorts"] = v => PortList("excludeInboundPorts", v),
        ["traffic.sidecar.istio.io/excludeOutboundPorts"] = v => PortList("excludeOutboundPorts", v),
        ["prometheus.istio.io/merge-metrics"] = GoParseBool,

        // proxy.istio.io/config (a ProxyConfig in YAML, checked by Istio's mesh validation) is not validated here.
    };

    private static bool IsIstioAnnotation(string name) =>
        name == "kubernetes.io/ingress.class" || name.Split('/')[0].EndsWith("istio.io", StringComparison.Ordinal);

    /// <summary>The resources the annotations analyzers read, with the kind Istio's table names them by.</summary>
    private static IEnumerable<(LabResource Resource, string Kind)> Annotated(AnalysisInputs inputs) =>
        inputs.Model.Resources.Select(r => (Resource: r, Kind: r switch
        {
            KubernetesNamespace => "Namespace",
            Service => "Service",
            Deployment => "Deployment",
            GenericResource { Kind: "Pod", ApiVersion: "v1" } => "Pod",
            _ => null,
        })).Where(r => r.Kind is not null && r.Resource.Metadata.Annotations is { Count: > 0 })!;

    /// <summary>IST0108 unknown, IST0135 deprecated, IST0107 misplaced, IST0125 invalid Istio annotations.</summary>
    private static void Annotations(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var (resource, kind) in Annotated(inputs))
        {
            foreach (var (name, value) in resource.Metadata.Annotations!.Where(a => IsIstioAnnotation(a.Key)))
            {
                var field = $"metadata.annotations[{name}]";
                if (IstioAnnotations.Find(name) is not { } definition)
                {
                    messages.Add(new("IST0108", "UnknownAnnotation", AnalysisLevel.Warning, Ref(resource), $"Unknown annotation: {name}") { Field = field });
                    continue;
                }

                if (definition.Deprecated && !(name == "sidecar.istio.io/inject" && resource.Metadata.Labels?.ContainsKey("sidecar.istio.io/inject") == true))
                {
                    var extra = name == "sidecar.istio.io/inject" ? " in favor of the \"sidecar.istio.io/inject\" label" : string.Empty;
                    messages.Add(new("IST0135", "DeprecatedAnnotation", AnalysisLevel.Info, Ref(resource),
                        $"Annotation \"{name}\" has been deprecated{extra} and may not work in future Istio versions.") { Field = field });
                }

                if (definition.Resources.Contains("Any"))
                {
                    continue;
                }

                if (!definition.Resources.Contains(kind))
                {
                    messages.Add(new("IST0107", "MisplacedAnnotation", AnalysisLevel.Warning, Ref(resource),
                        $"Misplaced annotation: {name} can only be applied to {string.Join(", ", definition.Resources)}") { Field = field });
                    continue;
                }

                if (AnnotationValidations.TryGetValue(name, out var validate) && validate(value) is { } error)
                {
                    messages.Add(new("IST0125", "InvalidAnnotation", AnalysisLevel.Warning, Ref(resource), $"Invalid annotation {name}: {error}") { Field = field });
                }
            }
        }
    }

    /// <summary>IST0136: an alpha-phase annotation (not sidecar.istio.io/status, which istiod sets). Istio leaves this analyzer out of its default set; so does GuestbookLab.</summary>
    private static void AlphaAnnotations(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var (resource, _) in Annotated(inputs))
        {
            foreach (var name in resource.Metadata.Annotations!.Keys.Where(IsIstioAnnotation))
            {
                if (IstioAnnotations.Find(name) is { FeatureStatus: "Alpha" } && name != "sidecar.istio.io/status")
                {
                    messages.Add(new("IST0136", "AlphaAnnotation", AnalysisLevel.Info, Ref(resource),
                        $"Annotation \"{name}\" is part of an alpha-phase feature and may be incompletely supported.") { Field = $"metadata.annotations[{name}]" });
                }
            }
        }
    }

    // Go's strconv.ParseBool.
    private static string? GoParseBool(string value) =>
        value is "1" or "t" or "T" or "TRUE" or "true" or "True" or "0" or "f" or "F" or "FALSE" or "false" or "False"
            ? null : $"strconv.ParseBool: parsing {GoQuote(value)}: invalid syntax";

    // Go's strconv.ParseUint(value, 10, bits) against the largest value of those bits.
    private static string? GoParseUint(string value, ulong max)
    {
        if (value.Length == 0 || !value.All(char.IsAsciiDigit))
        {
            return $"strconv.ParseUint: parsing {GoQuote(value)}: invalid syntax";
        }

        return ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max ? null : $"strconv.ParseUint: parsing {GoQuote(value)}: value out of range";
    }

    private static string? GoParsePort(string port) =>
        GoParseUint(port.Trim(), ushort.MaxValue) is { } e ? $"failed parsing port '{port}': {e}" : null;

    private static string? PortList(string parameter, string ports)
    {
        ports = ports.Trim();
        if (ports.Length == 0)
        {
            return null;
        }

        foreach (var port in ports.Split(','))
        {
            if (GoParsePort(port) is { } e)
            {
                return $"{parameter} invalid: failed parsing port '{port}': {e}";
            }
        }

        return null;
    }

    // Istio's CIDR list (netip.ParsePrefix each, comma-separated; empty is fine), with netip's error texts in outline.
    private static string? CidrList(string cidrs)
    {
        if (cidrs.Length == 0)
        {
            return null;
        }

        foreach (var cidr in cidrs.Split(','))
        {
            string? error = null;
            var slash = cidr.LastIndexOf('/');
            if (slash < 0)
            {
                error = "no '/'";
            }
            else if (!IPAddress.TryParse(cidr[..slash], out var address) || cidr[..slash].Contains('%', StringComparison.Ordinal)
                || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && cidr[..slash].Count(c => c == '.') != 3))
            {
                error = $"ParseAddr({GoQuote(cidr[..slash])}): unable to parse IP";
            }
            else if (!cidr[(slash + 1)..].All(char.IsAsciiDigit) || cidr.Length == slash + 1 || (cidr.Length > slash + 2 && cidr[slash + 1] == '0'))
            {
                error = $"bad bits after slash: {GoQuote(cidr[(slash + 1)..])}";
            }
            else if (!int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
                || bits > (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            {
                error = "prefix length out of range";
            }

            if (error is not null)
            {
                return $"failed parsing cidr '{cidr}': netip.ParsePrefix({GoQuote(cidr)}): {error}";
            }
        }

        return null;
    }

    private static string GoQuote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
