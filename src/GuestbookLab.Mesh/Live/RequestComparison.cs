using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Mesh.Live;

/// <summary>One way a live answer differs from the prediction: what (Outcome, Status, ResponseFlag, Fraction), and both values.</summary>
public sealed record RequestDifference(string Aspect, string? Predicted, string? Observed, string Detail)
{
    public override string ToString() => $"{Aspect}: predicted {Predicted ?? "none"}, observed {Observed ?? "none"} ({Detail})";
}

/// <summary>Compare-MeshRequest's answer: the prediction, the live answer, and their differences (none: they agree).</summary>
public sealed class MeshRequestComparison
{
    public required string Source { get; init; }

    public required string Request { get; init; }

    /// <summary>Test-MeshRequest's result (a RequestResult, or a RequestSample for -Count).</summary>
    public required object Predicted { get; init; }

    /// <summary>Invoke-LabRequest's result, of the same type.</summary>
    public required object Observed { get; init; }

    public required IReadOnlyList<RequestDifference> Differences { get; init; }

    public bool Agree => Differences.Count == 0;

    public override string ToString() => Agree ? $"{Request} from {Source}: agree" : $"{Request} from {Source}: {string.Join("; ", Differences)}";
}

/// <summary>How a live answer and the simulator's prediction of the same request are compared.</summary>
public static class RequestComparison
{
    /// <summary>
    /// One request: the outcome (a TLS handshake that the proxy resets shows in curl as a TLS error, so a predicted
    /// ConnectionReset agrees with an observed TlsError), then, for HTTP answers, the status, then the response flag
    /// where the live answer names one.
    /// </summary>
    public static IReadOnlyList<RequestDifference> Compare(RequestResult predicted, RequestResult observed)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(observed);
        var differences = new List<RequestDifference>();
        if (!SameOutcome(predicted.Outcome, observed.Outcome))
        {
            differences.Add(new("Outcome", predicted.Outcome.ToString(), observed.Outcome.ToString(), "the request ended another way"));
            return differences;
        }

        if (predicted.Status != observed.Status)
        {
            differences.Add(new("Status", Show(predicted.Status), Show(observed.Status), "another HTTP status"));
        }

        if (observed.ResponseFlag is not null && predicted.ResponseFlag != observed.ResponseFlag)
        {
            differences.Add(new("ResponseFlag", predicted.ResponseFlag, observed.ResponseFlag, "Envoy's body names another reason"));
        }

        return differences;
    }

    /// <summary>
    /// Many requests: the share of each (outcome, status) observed against the predicted share, a difference where
    /// they are further apart than sampling error allows (three standard errors of the live count's binomial
    /// proportion, at least one request's worth).
    /// </summary>
    public static IReadOnlyList<RequestDifference> Compare(RequestSample predicted, RequestSample observed)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(observed);
        static string Key(RequestOutcome outcome, int? status) => status is { } code ? $"{outcome} {code.ToString(CultureInfo.InvariantCulture)}" : outcome.ToString();
        var resetPredicted = predicted.Outcomes.Any(g => g.Outcome == RequestOutcome.ConnectionReset);
        var expected = Shares(predicted.Outcomes.Select(g => (Key(g.Outcome, g.Status), g.Fraction)));
        var seen = Shares(observed.Outcomes.Select(g => (Key(g.Outcome == RequestOutcome.TlsError && resetPredicted ? RequestOutcome.ConnectionReset : g.Outcome, g.Status), g.Fraction)));
        var differences = new List<RequestDifference>();
        var n = observed.Count;
        foreach (var key in expected.Keys.Union(seen.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            var p = expected.GetValueOrDefault(key);
            var q = seen.GetValueOrDefault(key);
            var tolerance = Math.Max(3 * Math.Sqrt(p * (1 - p) / n), 1.0 / n);
            if (Math.Abs(p - q) > tolerance + 1e-9)
            {
                differences.Add(new("Fraction", $"{key} {Percent(p)}", $"{key} {Percent(q)}", $"further apart than sampling error over {n.ToString(CultureInfo.InvariantCulture)} requests allows (±{Percent(tolerance)})"));
            }
        }

        return differences;
    }

    private static bool SameOutcome(RequestOutcome predicted, RequestOutcome observed) =>
        predicted == observed || (predicted == RequestOutcome.ConnectionReset && observed == RequestOutcome.TlsError);

    private static Dictionary<string, double> Shares(IEnumerable<(string Key, double Fraction)> groups)
    {
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, fraction) in groups)
        {
            shares[key] = shares.GetValueOrDefault(key) + fraction;
        }

        return shares;
    }

    private static string Show(int? status) => status?.ToString(CultureInfo.InvariantCulture) ?? "none";

    private static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
