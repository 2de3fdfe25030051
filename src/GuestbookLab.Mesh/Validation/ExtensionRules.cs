using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;
using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's ValidateProxyConfig, ValidateTelemetry and ValidateWasmPlugin (pkg/config/validation/validation.go)
/// over the resources read as generic ones: workload selectors, proxy concurrency, telemetry providers, tracing
/// (sampling, custom tags), metric tag overrides, access-log filters (CEL), and a Wasm plugin's URL, checksum, VM
/// environment and traffic ports.
/// </summary>
internal static class ExtensionRules
{
    public static void ProxyConfig(ValidationResult result, GenericResource config)
    {
        var spec = Spec(config);
        Selector(result, spec);
        if (Whole(Get(spec, "concurrency")) is < 0 and var concurrency)
        {
            result.Error(ErrorIds.InvalidResource, "spec.concurrency", concurrency, "concurrency must be greater than or equal to 0", "validateConcurrency");
        }
    }

    public static void Telemetry(ValidationResult result, GenericResource telemetry)
    {
        var spec = Spec(telemetry);
        Selector(result, spec);
        Metrics(result, Items(spec, "metrics"));
        Tracing(result, Items(spec, "tracing"));
        var logging = Items(spec, "accessLogging");
        for (var i = 0; i < logging.Count; i++)
        {
            if (logging[i] is not IDictionary<string, object?> log)
            {
                continue;
            }

            var field = $"spec.accessLogging[{i}]";
            if (Map(log, "filter") is { } filter)
            {
                var expression = Tree.Str(Get(filter, "expression")) ?? string.Empty;
                if (CelSyntax.Check(expression) is { } problem)
                {
                    result.Error(ErrorIds.InvalidResource, $"{field}.filter.expression", expression, $"{ValidationResult.Show(expression)} must be a valid CEL expression: {problem}", "validateTelemetryFilter");
                }
            }

            Providers(result, field, log);
        }
    }

    public static void WasmPlugin(ValidationResult result, GenericResource plugin)
    {
        var spec = Spec(plugin);
        Selector(result, spec);
        var url = Tree.Str(Get(spec, "url")) ?? string.Empty;
        if (url.Length == 0)
        {
            result.Error(ErrorIds.InvalidUri, "spec.url", null, "a WasmPlugin needs a url", "validateWasmPluginURL");
        }
        else if (GoUrl.Problem(url) is { } problem)
        {
            result.Error(ErrorIds.InvalidUri, "spec.url", url, $"{ValidationResult.Show(url)} is not a URL: {problem}", "validateWasmPluginURL");
        }
        else if (GoUrl.Scheme(url) is not ("" or "file" or "http" or "https" or "oci") and var scheme)
        {
            result.Error(ErrorIds.InvalidUri, "spec.url", url, $"the url's scheme {scheme} is not supported: use oci, http, https or file (or none, an OCI image)", "validateWasmPluginURL");
        }

        if (Tree.Str(Get(spec, "sha256")) is { Length: > 0 } sha)
        {
            if (sha.Length != 64)
            {
                result.Error(ErrorIds.InvalidResource, "spec.sha256", sha, "sha256 must be 64 characters long", "validateWasmPluginSHA");
            }
            else if (!sha.All(c => c is (>= 'a' and <= 'f') or (>= '0' and <= '9')))
            {
                result.Error(ErrorIds.InvalidResource, "spec.sha256", sha, "sha256 must match [a-f0-9]{64} (lower-case hex)", "validateWasmPluginSHA");
            }
        }

        var env = Items(Map(spec, "vmConfig") ?? new Dictionary<string, object?>(), "env");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < env.Count; i++)
        {
            if (env[i] is not IDictionary<string, object?> variable)
            {
                continue;
            }

            // Istio stops at the first bad variable.
            var name = Tree.Str(Get(variable, "name")) ?? string.Empty;
            if (name.Length == 0 || !names.Add(name))
            {
                result.Error(ErrorIds.InvalidResource, $"spec.vmConfig.env[{i}].name", name, name.Length == 0 ? "a VM environment variable needs a name" : $"the VM environment variable {name} is given twice", "validateWasmPluginVMConfig");
                break;
            }
        }

        var match = Items(spec, "match");
        for (var i = 0; i < match.Count; i++)
        {
            var ports = match[i] is IDictionary<string, object?> selector ? Items(selector, "ports") : Array.Empty<object?>();
            for (var j = 0; j < ports.Count; j++)
            {
                var field = $"spec.match[{i}].ports[{j}]";
                if (ports[j] is not IDictionary<string, object?> port)
                {
                    result.Error(ErrorIds.InvalidPort, field, null, "a traffic selector's port cannot be null", "validateWasmPluginMatch");
                    return;
                }

                if (Whole(Get(port, "number")) is not (> 0 and <= 65535))
                {
                    var number = Whole(Get(port, "number")) ?? 0;
                    result.Error(ErrorIds.InvalidPort, $"{field}.number", number, $"{number} is not a valid port: use 1 to 65535", "validateWasmPluginMatch");
                    return;
                }
            }
        }
    }

    private static IDictionary<string, object?> Spec(GenericResource resource) =>
        resource.Spec as IDictionary<string, object?> ?? new Dictionary<string, object?>();

    // validateWorkloadSelector over spec.selector.matchLabels.
    private static void Selector(ValidationResult result, IDictionary<string, object?> spec) =>
        Rules.Selector(result, "spec.selector.matchLabels", WorkloadEntryRules.StringMap(Map(Map(spec, "selector"), "matchLabels")));

    private static void Metrics(ValidationResult result, System.Collections.IList metrics)
    {
        for (var i = 0; i < metrics.Count; i++)
        {
            if (metrics[i] is not IDictionary<string, object?> metric)
            {
                continue;
            }

            var field = $"spec.metrics[{i}]";
            Providers(result, field, metric);
            var overrides = Items(metric, "overrides");
            for (var j = 0; j < overrides.Count; j++)
            {
                var at = $"{field}.overrides[{j}]";
                if (overrides[j] is not IDictionary<string, object?> item)
                {
                    result.Error(ErrorIds.InvalidResource, at, null, "a metrics override cannot be null", "validateTelemetryMetrics");
                    continue;
                }

                foreach (var (tag, value) in Map(item, "tagOverrides") ?? new Dictionary<string, object?>())
                {
                    TagOverride(result, $"{at}.tagOverrides[{tag}]", tag, value);
                }

                if (Map(item, "match") is { } matchOf && matchOf.TryGetValue("customMetric", out var custom) && string.IsNullOrEmpty(Tree.Str(custom)))
                {
                    result.Error(ErrorIds.InvalidResource, $"{at}.match.customMetric", null, "customMetric cannot be empty", "validateTelemetryMetrics");
                }
            }
        }
    }

    private static void TagOverride(ValidationResult result, string field, string tag, object? value)
    {
        if (tag.Length == 0)
        {
            result.Warning(ErrorIds.InvalidResource, field, tag, "a tag override needs a tag name", "validateTelemetryMetrics");
        }

        if (value is not IDictionary<string, object?> change)
        {
            result.Error(ErrorIds.InvalidResource, field, null, "a tag override cannot be null", "validateTelemetryMetrics");
            return;
        }

        var text = Tree.Str(Get(change, "value")) ?? string.Empty;
        switch (Tree.Str(Get(change, "operation")) ?? "UPSERT")
        {
            case "UPSERT" when text.Length == 0:
                result.Error(ErrorIds.InvalidResource, $"{field}.value", null, "a tag override needs a value when its operation is UPSERT (the default)", "validateTelemetryMetrics");
                break;
            case "REMOVE" when text.Length > 0:
                result.Error(ErrorIds.InvalidResource, $"{field}.value", text, "a tag override has a value only when its operation is UPSERT", "validateTelemetryMetrics");
                break;
            case "UPSERT" or "REMOVE":
                break;
            case var operation:
                result.Error(ErrorIds.InvalidResource, $"{field}.operation", operation, $"{ValidationResult.Show(operation)} is not a tag override operation: use UPSERT or REMOVE", "validateTelemetryMetrics");
                break;
        }
    }

    private static void Tracing(ValidationResult result, System.Collections.IList tracing)
    {
        if (tracing.Count > 1)
        {
            result.Warning(ErrorIds.InvalidResource, "spec.tracing", tracing.Count, "more than one tracing configuration is not supported yet (Istio uses the first)", "validateTelemetryTracing");
        }

        for (var i = 0; i < tracing.Count; i++)
        {
            if (tracing[i] is not IDictionary<string, object?> trace)
            {
                continue;
            }

            var field = $"spec.tracing[{i}]";
            if (Items(trace, "providers").Count > 1)
            {
                result.Warning(ErrorIds.InvalidResource, $"{field}.providers", null, "more than one tracing provider is not supported yet", "validateTelemetryTracing");
            }

            Providers(result, field, trace);
            if (Get(trace, "randomSamplingPercentage") is { } sampling && Percentage(sampling) is not (>= 0 and <= 100))
            {
                result.Error(ErrorIds.InvalidResource, $"{field}.randomSamplingPercentage", sampling, "randomSamplingPercentage must be in the range [0.0, 100.0]", "validateTelemetryTracing");
            }

            foreach (var (name, tag) in Map(trace, "customTags") ?? new Dictionary<string, object?>())
            {
                CustomTag(result, $"{field}.customTags[{name}]", name, tag);
            }
        }
    }

    private static void CustomTag(ValidationResult result, string field, string name, object? tag)
    {
        if (name.Length == 0)
        {
            result.Error(ErrorIds.InvalidResource, field, null, "a custom tag needs a name", "validateTelemetryTracing");
        }

        if (tag is not IDictionary<string, object?> kind)
        {
            result.Error(ErrorIds.InvalidResource, field, null, $"the custom tag '{name}' cannot be null", "validateTelemetryTracing");
            return;
        }

        foreach (var (type, key, what) in new[] { ("literal", "value", "a literal tag needs a value"), ("header", "name", "a header tag needs a header name"), ("environment", "name", "an environment tag needs a variable name") })
        {
            if (kind.TryGetValue(type, out var value) && value is not null && string.IsNullOrEmpty(Tree.Str(Get(value as IDictionary<string, object?>, key))))
            {
                result.Error(ErrorIds.InvalidResource, $"{field}.{type}.{key}", null, what, "validateTelemetryTracing");
            }
        }
    }

    // validateTelemetryProviders: every provider named (one error for the list, as Istio's).
    private static void Providers(ValidationResult result, string field, IDictionary<string, object?> owner)
    {
        var providers = Items(owner, "providers");
        for (var i = 0; i < providers.Count; i++)
        {
            if (string.IsNullOrEmpty(Tree.Str(Get(providers[i] as IDictionary<string, object?>, "name"))))
            {
                result.Error(ErrorIds.InvalidResource, $"{field}.providers[{i}].name", null, "a provider needs a name", "validateTelemetryProviders");
                return;
            }
        }
    }

    private static double? Percentage(object value) => value switch
    {
        long l => l,
        int n => n,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
