using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>A request to simulate, as the user writes it: Test-MeshRequest's input.</summary>
public sealed record RequestOptions
{
    /// <summary>http://host[:port]/path, https://host[:port] or tcp://host:port.</summary>
    public required string Uri { get; init; }

    public string Method { get; init; } = "GET";

    /// <summary>Request headers in the user's order (names in any case; Host overrides the URI's host).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>A JWT sent as 'Authorization: Bearer TOKEN'; null: the Authorization header's bearer token, if any.</summary>
    public string? Token { get; init; }

    /// <summary>How many requests to simulate.</summary>
    public int Count { get; init; } = 1;

    /// <summary>The client's DNS resolves the URI's host even though no Service, ServiceEntry or public name says so.</summary>
    public bool AssumeResolved { get; init; }

    /// <summary>The client certificate presented in a TLS handshake (simulated: nothing is signed or checked against a CA).</summary>
    public ClientCertificate? ClientCertificate { get; init; }
}

/// <summary>Turns the user's request into the simulator's <see cref="RequestSpec"/>.</summary>
public static class RequestBuilder
{
    public static ParameterMap Parameters { get; } = new(("Headers", "-Header"));

    public static ValidationResult Validate(RequestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (options.Count < 1)
        {
            result.Error(ErrorIds.InvalidCount, nameof(options.Count), options.Count, $"{options.Count} is not a request count: give 1 or more", "GuestbookLab");
            return result;
        }

        if (ParseUri(options.Uri) is not ({ } uri, { Length: > 0 }) || uri.Scheme is not ("http" or "https" or "tcp"))
        {
            result.Error(ErrorIds.InvalidUri, nameof(options.Uri), options.Uri, $"'{options.Uri}' is not a request: write http://host/path, https://host or tcp://host:port", "GuestbookLab");
        }
        else if (Port(uri) < 1)
        {
            result.Error(ErrorIds.InvalidUri, nameof(options.Uri), options.Uri, "a tcp:// request needs a port, e.g. tcp://redis:6379", "GuestbookLab");
        }

        return result;
    }

    /// <summary>
    /// The request. Its bearer token (-Token, else the Authorization header's) is decoded by <paramref name="decode"/>
    /// (null: it does not parse) and shown as '(token)' in the headers, never in clear.
    /// </summary>
    public static RequestSpec Build(RequestOptions options, Func<string, JwtPrincipal?> decode)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decode);
        var check = Validate(options);
        if (check.HasErrors)
        {
            throw new ArgumentException(check.Errors.First().ToString(), nameof(options));
        }

        var (parsed, host) = ParseUri(options.Uri);
        var uri = parsed!;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options.Headers)
        {
            headers[key.ToLowerInvariant()] = value;
        }

        var token = options.Token;
        if (token is null && headers.TryGetValue("authorization", out var authorization) && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization[7..];
        }

        JwtPrincipal? principal = null;
        if (token is not null)
        {
            headers["authorization"] = "Bearer (token)";
            principal = decode(token);
        }

        return new RequestSpec
        {
            Scheme = uri.Scheme,
            Host = host,
            Port = Port(uri),
            Path = uri.AbsolutePath,
            Query = uri.Query.TrimStart('?'),
            Method = options.Method.ToUpperInvariant(),
            Headers = headers,
            Token = principal,
            HasToken = token is not null,
            AssumeResolved = options.AssumeResolved,
            ClientCertificate = options.ClientCertificate,
        };
    }

    private const string UnderscoreLabel = ".underscore-label.";

    /// <summary>
    /// An absolute URI and its host. A host label that is only '_' (the empty subset of an AUTO_PASSTHROUGH SNI,
    /// outbound_.80_._.web.default.svc.cluster.local), which System.Uri refuses, is kept as written.
    /// </summary>
    public static (Uri? Uri, string Host) ParseUri(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return (uri, uri.Host);
        }

        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && text.Contains("._.", StringComparison.Ordinal) && Uri.TryCreate(text[..scheme] + text[scheme..].Replace("._.", UnderscoreLabel, StringComparison.Ordinal), UriKind.Absolute, out uri))
        {
            return (uri, uri.Host.Replace(UnderscoreLabel, "._.", StringComparison.Ordinal));
        }

        return (null, string.Empty);
    }

    private static int Port(Uri uri) => uri.IsDefaultPort || uri.Port < 0 ? uri.Scheme switch { "http" => 80, "https" => 443, _ => -1 } : uri.Port;
}

/// <summary>Many simulated requests at once: the spread of their outcomes (Test-MeshRequest -Count).</summary>
public static class RequestSampler
{
    /// <summary>One result for a count of 1; otherwise the sample of <paramref name="count"/> requests, largest group first.</summary>
    public static object Run(RequestSimulator simulator, RequestSource source, RequestSpec request, int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        return count == 1 ? simulator.Simulate(source, request, random) : Sample(simulator, source, request, count, random);
    }

    /// <summary>
    /// <paramref name="count"/> requests, counted by result: a repeated request's decisions come from its plan as the
    /// same result object (RequestSimulator.Simulate), so each way a request can end is grouped once, with its count.
    /// </summary>
    public static RequestSample Sample(RequestSimulator simulator, RequestSource source, RequestSpec request, int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var distinct = new List<RequestResult>();
        var counts = new Dictionary<RequestResult, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < count; i++)
        {
            var result = simulator.Simulate(source, request, random);
            ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, result, out var exists);
            if (!exists)
            {
                distinct.Add(result);
            }

            seen++;
        }

        return Group(distinct, r => counts[r], count);
    }

    /// <summary>
    /// Groups results that ended the same way (outcome, status, response flag, body, destination), largest group first:
    /// the simulator's and the live ones alike. A live answer's own body (which names the pod) does not split a group;
    /// its destination is the version the application names, when it names one.
    /// </summary>
    public static RequestSample Group(IReadOnlyList<RequestResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentOutOfRangeException.ThrowIfZero(results.Count);
        return Group(results, _ => 1, results.Count);
    }

    // Each of the distinct results stands for weight(result) requests of the count, in the order they first came.
    private static RequestSample Group(IReadOnlyList<RequestResult> results, Func<RequestResult, int> weight, int count)
    {
        var groups = results
            .GroupBy(r => (r.Outcome, r.Status, r.ResponseFlag, Body: r.Live && r.Outcome == RequestOutcome.Delivered ? null : r.Body, Destination: Destination(r)))
            .Select(g => (g.Key, Count: g.Sum(weight)))
            .Select(g => new RequestSampleGroup(g.Key.Outcome, g.Key.Status, g.Key.Destination, g.Count, (double)g.Count / count)
            {
                ResponseFlag = g.Key.ResponseFlag,
                Body = g.Key.Body,
            })
            .OrderByDescending(g => g.Count)
            .ToList();
        return new RequestSample { Source = results[0].Source, Request = results[0].Request, Count = count, Outcomes = groups };
    }

    private static string? Destination(RequestResult r)
    {
        if (r.DestinationService is null)
        {
            return r.AnsweringVersion is { } version ? $"version {version}" : null;
        }

        var service = r.DestinationService.Split('.')[0];
        return r.Subset is null ? service : $"{service}/{r.Subset}";
    }
}
