using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>A new DestinationRule: New-MeshDestinationRule's input.</summary>
public sealed record DestinationRuleOptions
{
    public required string Name { get; init; }

    /// <summary>The host the rule applies to.</summary>
    public required string Host { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>Builds a DestinationRule with no subsets or policy yet.</summary>
public static class DestinationRuleBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(DestinationRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        Rules.WildcardDomain(result, nameof(options.Host), options.Host, "ValidateDestinationRule");
        return result;
    }

    public static DestinationRule Build(DestinationRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rule = new DestinationRule { Name = options.Name, Namespace = options.Namespace };
        rule.Spec.Host = options.Host;
        return rule;
    }
}

/// <summary>A subset to add to a DestinationRule: Add-MeshSubset's input.</summary>
public sealed record SubsetOptions
{
    public required string Name { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Adds subsets to DestinationRules.</summary>
public static class SubsetBuilder
{
    public static ParameterMap Parameters { get; } = new(("Labels", "-Label"));

    public static ValidationResult Validate(SubsetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.Dns1123Label(result, nameof(options.Name), options.Name, ErrorIds.InvalidSubset, "subset name", "validateSubset");
        Rules.Labels(result, nameof(options.Labels), options.Labels is null ? null : new Dictionary<string, string>(options.Labels, StringComparer.Ordinal));
        return result;
    }

    /// <summary>Adds the subset; nothing changes, and the result says why, when the rule already has a subset of that name.</summary>
    public static ValidationResult Apply(DestinationRule resource, SubsetOptions options)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        var subsets = resource.Spec.Subsets ??= [];
        if (subsets.Any(s => s.Name == options.Name))
        {
            result.Error(ErrorIds.DuplicateSubset, nameof(options.Name), options.Name, $"{resource.DisplayName} already has a subset '{options.Name}'", "validateSubset");
            return result;
        }

        subsets.Add(new Subset { Name = options.Name, Labels = options.Labels is null ? null : new Dictionary<string, string>(options.Labels, StringComparer.Ordinal) });
        return result;
    }
}

/// <summary>Connection-pool limits and outlier detection for a DestinationRule: Set-MeshCircuitBreaker's input (null: unchanged).</summary>
public sealed record CircuitBreakerOptions
{
    public int? MaxConnections { get; init; }

    public int? MaxRequestsPerConnection { get; init; }

    public int? MaxPendingRequests { get; init; }

    public int? MaxRequests { get; init; }

    public int? Consecutive5xxErrors { get; init; }

    public int? ConsecutiveGatewayErrors { get; init; }

    public MeshDuration? Interval { get; init; }

    public MeshDuration? BaseEjectionTime { get; init; }

    public int? MaxEjectionPercent { get; init; }
}

/// <summary>Sets a DestinationRule's circuit breaker (trafficPolicy.connectionPool and outlierDetection).</summary>
public static class CircuitBreakerBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (options == new CircuitBreakerOptions())
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, nameof(options.MaxConnections), null, "give at least one connection-pool or outlier-detection setting", "validateTrafficPolicy");
        }

        Rules.NonNegative(result, nameof(options.MaxConnections), options.MaxConnections);
        Rules.NonNegative(result, nameof(options.MaxRequestsPerConnection), options.MaxRequestsPerConnection);
        Rules.NonNegative(result, nameof(options.MaxPendingRequests), options.MaxPendingRequests);
        Rules.NonNegative(result, nameof(options.MaxRequests), options.MaxRequests);
        Rules.NonNegative(result, nameof(options.Consecutive5xxErrors), options.Consecutive5xxErrors);
        Rules.NonNegative(result, nameof(options.ConsecutiveGatewayErrors), options.ConsecutiveGatewayErrors);
        if (options.Interval is { } interval)
        {
            Rules.Duration(result, nameof(options.Interval), interval);
        }

        if (options.BaseEjectionTime is { } ejection)
        {
            Rules.Duration(result, nameof(options.BaseEjectionTime), ejection);
        }

        Rules.Percent(result, nameof(options.MaxEjectionPercent), options.MaxEjectionPercent, "validateOutlierDetection");
        return result;
    }

    /// <summary>Sets the given settings, keeping the others the rule already has.</summary>
    public static void Apply(DestinationRule resource, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        var policy = resource.Spec.TrafficPolicy ??= new TrafficPolicy();
        if (options.MaxConnections is not null)
        {
            policy.ConnectionPool ??= new ConnectionPoolSettings();
            (policy.ConnectionPool.Tcp ??= new TcpSettings()).MaxConnections = options.MaxConnections;
        }

        if (options.MaxRequestsPerConnection is not null || options.MaxPendingRequests is not null || options.MaxRequests is not null)
        {
            policy.ConnectionPool ??= new ConnectionPoolSettings();
            var http = policy.ConnectionPool.Http ??= new HttpSettings();
            http.MaxRequestsPerConnection = options.MaxRequestsPerConnection ?? http.MaxRequestsPerConnection;
            http.Http1MaxPendingRequests = options.MaxPendingRequests ?? http.Http1MaxPendingRequests;
            http.Http2MaxRequests = options.MaxRequests ?? http.Http2MaxRequests;
        }

        if (options.Consecutive5xxErrors is not null || options.ConsecutiveGatewayErrors is not null || options.Interval is not null
            || options.BaseEjectionTime is not null || options.MaxEjectionPercent is not null)
        {
            var outlier = policy.OutlierDetection ??= new OutlierDetection();
            outlier.Consecutive5xxErrors = options.Consecutive5xxErrors ?? outlier.Consecutive5xxErrors;
            outlier.ConsecutiveGatewayErrors = options.ConsecutiveGatewayErrors ?? outlier.ConsecutiveGatewayErrors;
            outlier.Interval = options.Interval?.Text ?? outlier.Interval;
            outlier.BaseEjectionTime = options.BaseEjectionTime?.Text ?? outlier.BaseEjectionTime;
            outlier.MaxEjectionPercent = options.MaxEjectionPercent ?? outlier.MaxEjectionPercent;
        }
    }
}
