using System;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>A fault to inject into a route: Add-MeshFault's input.</summary>
public sealed record FaultOptions
{
    /// <summary>The HTTP status to answer with.</summary>
    public int? Abort { get; init; }

    public MeshDuration? Delay { get; init; }

    /// <summary>The share of requests both the abort and the delay apply to.</summary>
    public double Percent { get; init; } = 100;
}

/// <summary>Builds a route's fault injection (http[].fault).</summary>
public static class FaultBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.FaultAction(result, $"{nameof(options.Abort)}, {nameof(options.Delay)}", options.Abort is not null, options.Delay is not null);
        if (options.Abort is not null)
        {
            Rules.AbortStatus(result, nameof(options.Abort), options.Abort);
        }

        if (options.Delay is { } delay)
        {
            Rules.Duration(result, nameof(options.Delay), delay);
        }

        Rules.Percentage(result, nameof(options.Percent), options.Percent);
        return result;
    }

    /// <summary>Sets the abort and/or delay on the route's fault (keeping the other one when only one is given).</summary>
    public static void Apply(HttpRoute route, FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        var fault = route.Fault ??= new HttpFaultInjection();
        if (options.Abort is not null)
        {
            fault.Abort = new FaultAbort { HttpStatus = options.Abort, Percentage = new Percent(options.Percent) };
        }

        if (options.Delay is { } delay)
        {
            fault.Delay = new FaultDelay { FixedDelay = delay.Text, Percentage = new Percent(options.Percent) };
        }
    }
}

/// <summary>A route's retry policy: Set-MeshRetryPolicy's input.</summary>
public sealed record RetryOptions
{
    /// <summary>How many times to retry; 0 turns retries off.</summary>
    public int Attempts { get; init; }

    public MeshDuration? PerTryTimeout { get; init; }

    public string? RetryOn { get; init; }
}

/// <summary>Builds a route's retry policy (http[].retries).</summary>
public static class RetryBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (options.Attempts < 0)
        {
            result.Error(ErrorIds.InvalidRetryPolicy, nameof(options.Attempts), options.Attempts, $"{options.Attempts} is not allowed: retry attempts cannot be negative", "validateHTTPRetry");
        }

        Rules.RetriesOff(result, nameof(options.Attempts), options.Attempts, options.PerTryTimeout is not null || options.RetryOn is not null,
            [Parameters.Of(nameof(options.PerTryTimeout)), Parameters.Of(nameof(options.RetryOn))]);
        if (options.PerTryTimeout is { } timeout)
        {
            Rules.Duration(result, nameof(options.PerTryTimeout), timeout);
        }

        Rules.RetryOn(result, nameof(options.RetryOn), options.RetryOn);
        return result;
    }

    public static void Apply(HttpRoute route, RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        route.Retries = new HttpRetry { Attempts = options.Attempts, PerTryTimeout = options.PerTryTimeout?.Text, RetryOn = options.RetryOn };
    }
}

/// <summary>Where a route's traffic is mirrored: Set-MeshMirror's input.</summary>
public sealed record MirrorOptions
{
    public required string Destination { get; init; }

    public string? Subset { get; init; }

    public int? Port { get; init; }

    public double Percent { get; init; } = 100;
}

/// <summary>Builds a route's mirror (http[].mirror and mirrorPercentage).</summary>
public static class MirrorBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(MirrorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.Destination(result, nameof(options.Destination), options.Destination, nameof(options.Subset), options.Subset, nameof(options.Port), options.Port);
        if (double.IsNaN(options.Percent) || options.Percent is < 0 or > 100)
        {
            result.Error(ErrorIds.InvalidPercentage, nameof(options.Percent), options.Percent, $"{options.Percent} is not a valid mirror percentage: use 0 to 100", "validateHTTPRoute");
        }

        return result;
    }

    public static void Apply(HttpRoute route, MirrorOptions options)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(options);
        route.Mirror = new Destination { Host = options.Destination, Subset = options.Subset, Port = options.Port is null ? null : new PortSelector { Number = options.Port } };
        route.MirrorPercentage = new Percent(options.Percent);
        route.MirrorPercent = null;
    }
}
