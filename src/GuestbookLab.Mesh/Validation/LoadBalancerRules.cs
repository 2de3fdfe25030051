using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;
using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's validateLoadBalancer, validateLocalityLbSetting, validateLocalities and validateTunnelSettings, over
/// the untyped <c>loadBalancer</c> and <c>tunnel</c> fields of a traffic policy.
/// </summary>
internal static class LoadBalancerRules
{
    public static void LoadBalancer(ValidationResult result, string field, object? settings, bool hasOutlierDetection)
    {
        if (settings is not IDictionary<string, object?> lb)
        {
            return;
        }

        if (Tree.Map(lb, "consistentHash") is { } hash)
        {
            if (Tree.Map(hash, "httpCookie") is { } cookie)
            {
                if (string.IsNullOrEmpty(Tree.Str(Get(cookie, "name"))))
                {
                    result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.consistentHash.httpCookie.name", null, "a consistent-hash cookie needs a name", "validateLoadBalancer");
                }

                if (Get(cookie, "ttl") is not { } ttl)
                {
                    result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.consistentHash.httpCookie.ttl", null, "a consistent-hash cookie needs a ttl", "validateLoadBalancer");
                }
                else
                {
                    var duration = MeshDuration.Parse(Tree.Str(ttl));
                    if (!duration.IsValid)
                    {
                        Rules.Duration(result, $"{field}.consistentHash.httpCookie.ttl", duration);
                    }
                }
            }

            if (Number(Get(hash, "minimumRingSize")) is { } ring and not 0)
            {
                result.Warning(ErrorIds.InvalidTrafficPolicy, $"{field}.consistentHash.minimumRingSize", ring,
                    "minimumRingSize is deprecated: use consistentHash.ringHash.minimumRingSize", "validateLoadBalancer");
                if (hash.ContainsKey("ringHash") || hash.ContainsKey("maglev"))
                {
                    result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.consistentHash.minimumRingSize", ring,
                        "minimumRingSize cannot be combined with ringHash or maglev", "validateLoadBalancer");
                }
            }
        }

        if (Tree.Map(lb, "localityLbSetting") is { } locality)
        {
            LocalityLbSetting(result, $"{field}.localityLbSetting", locality, hasOutlierDetection);
        }
    }

    /// <summary>validateLocalityLbSetting: distribute (weights 1..100 summing to 100, localities that do not overlap) or failover (regions only, different, no wildcards).</summary>
    private static void LocalityLbSetting(ValidationResult result, string field, IDictionary<string, object?> lb, bool hasOutlierDetection)
    {
        var distribute = Items(lb, "distribute");
        var failover = Items(lb, "failover");
        if (distribute.Count > 0 && failover.Count > 0)
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.distribute", null, "distribute and failover cannot both be set", "validateLocalityLbSetting");
            return;
        }

        var sources = new List<string>();
        for (var i = 0; i < distribute.Count; i++)
        {
            var entry = distribute[i] as IDictionary<string, object?>;
            sources.Add(Tree.Str(Get(entry, "from")) ?? string.Empty);
            long total = 0;
            var destinations = new List<string>();
            foreach (var (to, raw) in Tree.Map(entry, "to") ?? new Dictionary<string, object?>())
            {
                destinations.Add(to);
                var weight = Number(raw) ?? 0;
                if (weight is <= 0 or > 100)
                {
                    result.Error(ErrorIds.InvalidWeight, $"{field}.distribute[{i}].to.{to}", weight, $"{weight} is not a locality weight: use 1 to 100", "validateLocalityLbSetting");
                    return;
                }

                total += weight;
            }

            if (total != 100)
            {
                result.Error(ErrorIds.InvalidWeight, $"{field}.distribute[{i}].to", total, $"the locality weights add up to {total}, not 100", "validateLocalityLbSetting");
                return;
            }

            Localities(result, $"{field}.distribute[{i}].to", destinations);
        }

        Localities(result, $"{field}.distribute", sources);

        if ((failover.Count > 0 || Items(lb, "failoverPriority").Count > 0) && !hasOutlierDetection)
        {
            result.Warning(ErrorIds.InvalidTrafficPolicy, $"{field}.failover", null, "failover needs an outlierDetection policy: without one it never happens", "validateLocalityLbSetting");
        }

        for (var i = 0; i < failover.Count; i++)
        {
            var entry = failover[i] as IDictionary<string, object?>;
            var from = Tree.Str(Get(entry, "from")) ?? string.Empty;
            var to = Tree.Str(Get(entry, "to")) ?? string.Empty;
            var where = $"{field}.failover[{i}]";
            if (from == to)
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, where, from, "a failover needs different regions in from and to", "validateLocalityLbSetting");
            }

            if (from.Contains('/', StringComparison.Ordinal) || to.Contains('/', StringComparison.Ordinal))
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, where, $"{from} -> {to}", "a failover names regions only (no '/')", "validateLocalityLbSetting");
            }

            if (from.Contains('*', StringComparison.Ordinal) || to.Contains('*', StringComparison.Ordinal))
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, where, $"{from} -> {to}", "a failover region cannot contain the '*' wildcard", "validateLocalityLbSetting");
            }
        }
    }

    /// <summary>validateLocalities: region[/zone[/subzone]], one trailing '*' at most, and no locality within an earlier one.</summary>
    internal static bool Localities(ValidationResult result, string field, IReadOnlyList<string> localities)
    {
        // region -> zone -> subzones; "*" stands for all.
        var seen = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var locality in localities)
        {
            string? problem = null;
            var stars = locality.Count(c => c == '*');
            var parts = locality.Split('/', 3);
            if (stars > 1 || (stars == 1 && !locality.EndsWith('*')))
            {
                problem = "it can have one '*' wildcard, at the end";
            }
            else if (seen.ContainsKey("*") || parts.Any(p => p.Length == 0))
            {
                problem = seen.ContainsKey("*") ? "it overlaps an earlier locality" : "its region, zone and subzone cannot be empty";
            }
            else if (!Add(seen, parts))
            {
                problem = "it overlaps an earlier locality";
            }

            if (problem is not null)
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, field, locality, $"{ValidationResult.Show(locality)} is not a valid locality here: {problem}", "validateLocalities");
                return false;
            }
        }

        return true;
    }

    private static bool Add(Dictionary<string, Dictionary<string, HashSet<string>>> seen, string[] parts)
    {
        var region = parts[0];
        if (parts.Length == 1)
        {
            if (seen.ContainsKey(region))
            {
                return false;
            }

            seen[region] = new(StringComparer.Ordinal) { ["*"] = new(StringComparer.Ordinal) { "*" } };
            return true;
        }

        if (!seen.TryGetValue(region, out var zones))
        {
            seen[region] = zones = new(StringComparer.Ordinal);
        }
        else if (zones.ContainsKey("*"))
        {
            return false;
        }

        var zone = parts[1];
        if (parts.Length == 2)
        {
            if (zones.ContainsKey(zone))
            {
                return false;
            }

            zones[zone] = new(StringComparer.Ordinal) { "*" };
            return true;
        }

        if (!zones.TryGetValue(zone, out var subzones))
        {
            zones[zone] = subzones = new(StringComparer.Ordinal);
        }
        else if (subzones.Contains("*"))
        {
            return false;
        }

        return subzones.Add(parts[2]);
    }

    /// <summary>validateTunnelSettings: protocol CONNECT or POST (or unset), a target host that is an FQDN or IP address, a target port.</summary>
    public static void Tunnel(ValidationResult result, string field, object? settings)
    {
        if (settings is not IDictionary<string, object?> tunnel)
        {
            return;
        }

        var protocol = Tree.Str(Get(tunnel, "protocol")) ?? string.Empty;
        if (protocol is not ("" or "CONNECT" or "POST"))
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.protocol", protocol, $"{ValidationResult.Show(protocol)} is not a tunnel protocol: use CONNECT or POST", "validateTunnelSettings");
        }

        var host = Tree.Str(Get(tunnel, "targetHost")) ?? string.Empty;
        if (!Rules.IsIpAddress(host) && (host.Length == 0 || host.Contains('*', StringComparison.Ordinal) || Rules.WildcardDomainProblem(host) is not null))
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.targetHost", host, $"{ValidationResult.Show(host)} is not a tunnel target host: use an FQDN or an IP address", "validateTunnelSettings");
        }

        var port = Number(Get(tunnel, "targetPort")) ?? 0;
        if (port is < 1 or > 65535)
        {
            result.Error(ErrorIds.InvalidPort, $"{field}.targetPort", port, $"{port} is not a valid tunnel target port: use 1 to 65535", "validateTunnelSettings");
        }
    }

    // Numbers as protobuf's JSON reads them: a quoted integer too.
    private static long? Number(object? value) =>
        value is string s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : Tree.Whole(value);
}
