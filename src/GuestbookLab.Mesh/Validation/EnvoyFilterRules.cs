using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;
using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's ValidateEnvoyFilter (pkg/config/validation/validation.go) over an EnvoyFilter read as a generic
/// resource: the workload selector, each config patch's applyTo, operation and value, the proxy-version regex, the
/// match's object type against applyTo, filter and sub-filter matches, deprecated filter names, type URLs of Envoy's
/// frozen v2 packages, and filters configured by name without typed_config. Not checked: whether the patch value is a
/// valid Envoy object of its applyTo type (Istio decodes it with Envoy's protobuf descriptors).
/// </summary>
internal static class EnvoyFilterRules
{
    private const string Rule = "ValidateEnvoyFilter";
    private const string HttpConnectionManager = "envoy.filters.network.http_connection_manager";

    private static readonly HashSet<string> ApplyTo = new(StringComparer.Ordinal)
    {
        "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE",
        "CLUSTER", "EXTENSION_CONFIG", "BOOTSTRAP", "LISTENER_FILTER",
    };

    private static readonly string[] ObjectTypes = ["listener", "routeConfiguration", "cluster"];

    private static readonly HashSet<string> Operations = new(StringComparer.Ordinal)
    {
        "MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE",
    };

    // pkg/config/xds DeprecatedFilterNames, reversed: the deprecated name and the canonical one to use instead.
    private static readonly Dictionary<string, string> DeprecatedNames = new(StringComparer.Ordinal)
    {
        ["envoy.buffer"] = "envoy.filters.http.buffer",
        ["envoy.cors"] = "envoy.filters.http.cors",
        ["envoy.csrf"] = "envoy.filters.http.csrf",
        ["envoy.http_dynamo_filter"] = "envoy.filters.http.dynamo",
        ["envoy.fault"] = "envoy.filters.http.fault",
        ["envoy.grpc_http1_bridge"] = "envoy.filters.http.grpc_http1_bridge",
        ["envoy.grpc_json_transcoder"] = "envoy.filters.http.grpc_json_transcoder",
        ["envoy.grpc_web"] = "envoy.filters.http.grpc_web",
        ["envoy.gzip"] = "envoy.filters.http.gzip",
        ["envoy.health_check"] = "envoy.filters.http.health_check",
        ["envoy.ip_tagging"] = "envoy.filters.http.ip_tagging",
        ["envoy.lua"] = "envoy.filters.http.lua",
        ["envoy.rate_limit"] = "envoy.filters.http.ratelimit",
        ["envoy.router"] = "envoy.filters.http.router",
        ["envoy.squash"] = "envoy.filters.http.squash",
        ["envoy.listener.http_inspector"] = "envoy.filters.listener.http_inspector",
        ["envoy.listener.original_dst"] = "envoy.filters.listener.original_dst",
        ["envoy.listener.original_src"] = "envoy.filters.listener.original_src",
        ["envoy.listener.proxy_protocol"] = "envoy.filters.listener.proxy_protocol",
        ["envoy.listener.tls_inspector"] = "envoy.filters.listener.tls_inspector",
        ["envoy.client_ssl_auth"] = "envoy.filters.network.client_ssl_auth",
        // envoy.ext_authz is the deprecated name of both the HTTP and the network filter; Go's map reversal keeps one.
        ["envoy.ext_authz"] = "envoy.filters.network.ext_authz",
        ["envoy.http_connection_manager"] = HttpConnectionManager,
        ["envoy.mongo_proxy"] = "envoy.filters.network.mongo_proxy",
        ["envoy.ratelimit"] = "envoy.filters.network.ratelimit",
        ["envoy.redis_proxy"] = "envoy.filters.network.redis_proxy",
        ["envoy.tcp_proxy"] = "envoy.filters.network.tcp_proxy",
    };

    public static void Validate(ValidationResult result, GenericResource filter)
    {
        var spec = filter.Spec as IDictionary<string, object?> ?? new Dictionary<string, object?>();
        if (Map(spec, "workloadSelector") is { } selector)
        {
            var labels = WorkloadEntryRules.StringMap(Map(selector, "labels"));
            var errors = result.Errors.Count();
            Rules.Selector(result, "spec.workloadSelector.labels", labels);
            if (result.Errors.Count() > errors)
            {
                // validateAlphaWorkloadSelector's error ends the validation.
                return;
            }

            if (labels is not { Count: > 0 })
            {
                result.Warning(ErrorIds.InvalidSelector, "spec.workloadSelector.labels", null, "a workload selector without labels applies the EnvoyFilter to every workload in the namespace", Rule);
            }
        }

        var patches = Items(spec, "configPatches");
        for (var i = 0; i < patches.Count; i++)
        {
            Patch(result, $"spec.configPatches[{i}]", patches[i] as IDictionary<string, object?>);
        }
    }

    private static void Patch(ValidationResult result, string field, IDictionary<string, object?>? patch)
    {
        if (patch is null)
        {
            result.Error(ErrorIds.InvalidResource, field, null, "a config patch cannot be null", Rule);
            return;
        }

        var applyTo = Tree.Str(Get(patch, "applyTo")) ?? string.Empty;
        if (!ApplyTo.Contains(applyTo))
        {
            result.Error(ErrorIds.InvalidResource, $"{field}.applyTo", applyTo.Length == 0 ? null : applyTo, applyTo is "" or "INVALID"
                ? "a config patch needs applyTo"
                : $"{ValidationResult.Show(applyTo)} is not an applyTo Istio knows: use one of {string.Join(", ", ApplyTo)}", Rule);
            return;
        }

        if (Map(patch, "patch") is not { } change)
        {
            result.Error(ErrorIds.InvalidResource, $"{field}.patch", null, "a config patch needs a patch", Rule);
            return;
        }

        var operation = Tree.Str(Get(change, "operation")) ?? string.Empty;
        if (!Operations.Contains(operation))
        {
            result.Error(ErrorIds.InvalidResource, $"{field}.patch.operation", operation.Length == 0 ? null : operation, operation is "" or "INVALID"
                ? "a patch needs an operation"
                : $"{ValidationResult.Show(operation)} is not a patch operation: use one of {string.Join(", ", Operations)}", Rule);
            return;
        }

        var value = Get(change, "value");
        if (operation != "REMOVE" && value is null)
        {
            result.Error(ErrorIds.InvalidResource, $"{field}.patch.value", null, $"a {operation} patch needs a value (only REMOVE has none)", Rule);
            return;
        }

        var match = Map(patch, "match");
        if (Tree.Str(Get(Map(match, "proxy"), "proxyVersion")) is { Length: > 0 } version && Re2Syntax.Check(version) is { } problem)
        {
            result.Error(ErrorIds.InvalidRegex, $"{field}.match.proxy.proxyVersion", version, $"{ValidationResult.Show(version)} is not a valid regex: {problem}", Rule);
            return;
        }

        if (!MatchLinesUp(result, field, applyTo, match))
        {
            return;
        }

        if (value is IDictionary<string, object?> tree)
        {
            var frozen = TypeUrls(tree).Where(IsFrozen).ToList();
            if (frozen.Count > 0)
            {
                result.Warning(ErrorIds.InvalidResource, $"{field}.patch.value", null, $"using deprecated type_url(s) of Envoy's v2 API: {string.Join(", ", frozen)}", "validateDeprecatedFilterTypes");
            }

            if (operation != "REMOVE" && applyTo is "NETWORK_FILTER" or "HTTP_FILTER" or "LISTENER_FILTER" or "EXTENSION_CONFIG"
                && !tree.ContainsKey("typed_config") && !tree.ContainsKey("typedConfig") && !tree.ContainsKey("config_discovery") && !tree.ContainsKey("configDiscovery"))
            {
                result.Warning(ErrorIds.InvalidResource, $"{field}.patch.value", Tree.Str(Get(tree, "name")), "a filter configured by name without typed_config relies on a deprecated Envoy lookup: give typed_config", "validateMissingTypedConfigFilterTypes");
            }
        }
    }

    // Whether the match's object type suits applyTo, and filter matches are well formed (false: stop, as Istio's continue does).
    private static bool MatchLinesUp(ValidationResult result, string field, string applyTo, IDictionary<string, object?>? match)
    {
        var objectType = ObjectTypes.FirstOrDefault(t => Get(match, t) is not null);
        if (objectType is null)
        {
            return true;
        }

        switch (applyTo)
        {
            case "LISTENER" or "FILTER_CHAIN" or "NETWORK_FILTER" or "HTTP_FILTER":
                if (objectType != "listener")
                {
                    result.Error(ErrorIds.InvalidResource, $"{field}.match.{objectType}", null, $"applyTo {applyTo} patches listeners: match a listener, not a {objectType}", Rule);
                    return false;
                }

                var at = $"{field}.match.listener.filterChain.filter";
                if (Map(Map(Map(match, "listener"), "filterChain"), "filter") is not { } filter)
                {
                    return true;
                }

                if (applyTo is "LISTENER" or "FILTER_CHAIN")
                {
                    result.Warning(ErrorIds.InvalidResource, at, null, $"a filter match has no effect when applyTo is {applyTo}", Rule);
                }

                var name = Tree.Str(Get(filter, "name")) ?? string.Empty;
                if (name.Length == 0)
                {
                    result.Error(ErrorIds.InvalidResource, $"{at}.name", null, "a filter match needs the name of the filter to match", Rule);
                    return false;
                }

                var subFilter = Map(filter, "subFilter");
                if (subFilter is not null)
                {
                    if (applyTo != "HTTP_FILTER")
                    {
                        result.Error(ErrorIds.InvalidResource, $"{at}.subFilter", null, "a sub-filter match can be used with applyTo HTTP_FILTER only", Rule);
                        return false;
                    }

                    if (name is not (HttpConnectionManager or "envoy.http_connection_manager"))
                    {
                        result.Error(ErrorIds.InvalidResource, $"{at}.name", name, $"a sub-filter match needs the filter match to be {HttpConnectionManager}", Rule);
                        return false;
                    }

                    if (string.IsNullOrEmpty(Tree.Str(Get(subFilter, "name"))))
                    {
                        result.Error(ErrorIds.InvalidResource, $"{at}.subFilter.name", null, "a sub-filter match needs the name of the HTTP filter to match", Rule);
                        return false;
                    }
                }

                DeprecatedName(result, $"{at}.name", name);
                DeprecatedName(result, $"{at}.subFilter.name", Tree.Str(Get(subFilter, "name")) ?? string.Empty);
                return true;
            case "ROUTE_CONFIGURATION" or "VIRTUAL_HOST" or "HTTP_ROUTE" when objectType != "routeConfiguration":
                result.Error(ErrorIds.InvalidResource, $"{field}.match.{objectType}", null, $"applyTo {applyTo} patches HTTP routes: match a routeConfiguration, not a {objectType}", Rule);
                return true;
            case "CLUSTER" when objectType != "cluster":
                result.Error(ErrorIds.InvalidResource, $"{field}.match.{objectType}", null, $"applyTo CLUSTER patches clusters: match a cluster, not a {objectType}", Rule);
                return true;
            default:
                return true;
        }
    }

    private static void DeprecatedName(ValidationResult result, string field, string name)
    {
        if (DeprecatedNames.TryGetValue(name, out var canonical))
        {
            result.Warning(ErrorIds.InvalidResource, field, name, $"using the deprecated filter name {name}: use {canonical}", "validateListenerMatchName");
        }
    }

    // Every "@type" in the value (the type URL of a google.protobuf.Any).
    private static IEnumerable<string> TypeUrls(object? node)
    {
        if (node is IDictionary<string, object?> map)
        {
            if (map.TryGetValue("@type", out var type) && Tree.Str(type) is { } url)
            {
                yield return url;
            }

            foreach (var child in map.Values.SelectMany(TypeUrls))
            {
                yield return child;
            }
        }
        else if (node is System.Collections.IList list)
        {
            foreach (var child in list.Cast<object?>().SelectMany(TypeUrls))
            {
                yield return child;
            }
        }
    }

    // Envoy's v2 API packages are FROZEN (udpa file_status): envoy.api.v2, envoy.config.*.v2*, envoy.config.filter.*.
    private static bool IsFrozen(string typeUrl)
    {
        var type = typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
        return type.StartsWith("envoy.api.v2.", StringComparison.Ordinal)
            || type.StartsWith("envoy.config.filter.", StringComparison.Ordinal)
            || (type.StartsWith("envoy.config.", StringComparison.Ordinal) && type.Split('.').Any(part => part is "v2" or "v2alpha"));
    }
}
