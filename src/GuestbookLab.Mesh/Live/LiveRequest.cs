using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Mesh.Live;

/// <summary>How a request from this machine failed below HTTP (the engine classifies its socket and TLS errors so).</summary>
public enum TransportFailure
{
    None,
    NotResolved,
    Refused,
    Reset,
    Closed,
    TimedOut,
    Tls,
}

/// <summary>What curl printed for one request: the status line's code, the headers, the body and the time taken.</summary>
public sealed record CurlAnswer(int? Status, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan? Duration);

/// <summary>
/// Invoke-LabRequest's pure part: the curl command a pod runs, reading what it printed, and what curl's exit code, the
/// HTTP answer or a socket error mean as a <see cref="RequestOutcome"/>, so live answers and Test-MeshRequest's
/// predictions are of one type.
/// </summary>
public static class LiveRequest
{
    /// <summary>The line curl writes after the body (-w), with the status code and the time taken.</summary>
    public const string Marker = "__GUESTBOOKLAB_CURL__";

    private static readonly Dictionary<int, (RequestOutcome Outcome, string Meaning)> CurlExits = new()
    {
        [6] = (RequestOutcome.HostNotResolved, "could not resolve host"),
        [7] = (RequestOutcome.ConnectionRefused, "failed to connect (refused)"),
        [28] = (RequestOutcome.TimedOut, "operation timed out"),
        [35] = (RequestOutcome.TlsError, "TLS handshake failed"),
        [52] = (RequestOutcome.ConnectionClosed, "empty reply from server (closed without an answer)"),
        [55] = (RequestOutcome.ConnectionReset, "failed sending data (connection reset)"),
        [56] = (RequestOutcome.ConnectionReset, "failure receiving data (connection reset by peer)"),
        [60] = (RequestOutcome.TlsError, "the server's certificate could not be verified"),
    };

    /// <summary>The exit codes of curl that are outcomes of a request (the others are curl's own failures).</summary>
    public static IReadOnlyCollection<int> MappedCurlExits => CurlExits.Keys;

    /// <summary>
    /// The outcome curl's exit code says, with curl's meaning: 6 HostNotResolved, 7 ConnectionRefused, 28 TimedOut,
    /// 35 and 60 TlsError, 52 ConnectionClosed, 55 and 56 ConnectionReset. Null for 0 (the HTTP answer decides) and
    /// for codes that are no outcome of the request (bad options, a missing feature of curl...).
    /// </summary>
    public static (RequestOutcome Outcome, string Meaning)? FromCurlExit(int exitCode) =>
        CurlExits.TryGetValue(exitCode, out var found) ? found : null;

    /// <summary>The outcome a socket or TLS failure of a request from this machine means.</summary>
    public static RequestOutcome? FromTransport(TransportFailure failure) => failure switch
    {
        TransportFailure.NotResolved => RequestOutcome.HostNotResolved,
        TransportFailure.Refused => RequestOutcome.ConnectionRefused,
        TransportFailure.Reset => RequestOutcome.ConnectionReset,
        TransportFailure.Closed => RequestOutcome.ConnectionClosed,
        TransportFailure.TimedOut => RequestOutcome.TimedOut,
        TransportFailure.Tls => RequestOutcome.TlsError,
        _ => null,
    };

    /// <summary>
    /// Who answered an HTTP response: a proxy by itself (ProxyResponse) when Envoy's server header is there
    /// (envoy, istio-envoy) without x-envoy-upstream-service-time, which Envoy adds only to answers of an upstream;
    /// otherwise the application (Delivered). The response flag is read from the body where Envoy's body says it
    /// (no healthy upstream UH, fault filter abort FI, an upstream reset UC/UF/UO, a 404 without a route NR).
    /// </summary>
    public static (RequestOutcome Outcome, string? Flag) FromResponse(int status, IReadOnlyDictionary<string, string> headers, string? body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var server = headers.TryGetValue("server", out var s) ? s : null;
        var fromEnvoy = server is "envoy" or "istio-envoy";
        if (!fromEnvoy || headers.ContainsKey("x-envoy-upstream-service-time"))
        {
            return (RequestOutcome.Delivered, null);
        }

        var text = body?.Trim() ?? string.Empty;
        string? flag = text switch
        {
            "no healthy upstream" => "UH",
            "fault filter abort" => "FI",
            _ when text.StartsWith("upstream connect error or disconnect/reset before headers", StringComparison.Ordinal) =>
                text.Contains("connection termination", StringComparison.Ordinal) ? "UC"
                : text.Contains("overflow", StringComparison.Ordinal) ? "UO"
                : "UF",
            "" when status == 404 => "NR",
            _ => null,
        };
        return (RequestOutcome.ProxyResponse, flag);
    }

    /// <summary>
    /// The pod and version the guestbook message service names in its answer: {"greeting": ..., "version": "1.0",
    /// "hostname": "message-service-..."}, or {"misbehavior": "message-service-..."} while it misbehaves. Nulls otherwise.
    /// </summary>
    public static (string? Pod, string? Version) Answerer(string? body)
    {
        var text = body?.Trim();
        if (string.IsNullOrEmpty(text) || text[0] != '{')
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            string? Read(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Read("hostname") ?? Read("misbehavior"), Read("version"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// The curl command for a request (no shell: each argument one element): -sS, the headers to standard output
    /// (-D -), the body after them, then a line with <see cref="Marker"/>, the status and the time taken; the headers
    /// (-H) and bearer token in the user's order; --max-time; -k only when asked. HEAD is curl's -I.
    /// </summary>
    public static IReadOnlyList<string> CurlCommand(RequestOptions options, TimeSpan maxTime, bool insecure)
    {
        ArgumentNullException.ThrowIfNull(options);
        var command = new List<string> { "curl", "-sS", "-D", "-", "-w", $"\n{Marker}%{{http_code}} %{{time_total}}\n" };
        var method = options.Method.ToUpperInvariant();
        if (method == "HEAD")
        {
            command.Add("-I");
        }
        else if (method != "GET")
        {
            command.AddRange(["-X", method]);
        }

        command.AddRange(["--max-time", Math.Max(1, Math.Ceiling(maxTime.TotalSeconds)).ToString(CultureInfo.InvariantCulture)]);
        if (insecure)
        {
            command.Add("-k");
        }

        foreach (var (name, value) in options.Headers)
        {
            if (options.Token is not null && string.Equals(name, "authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            command.AddRange(["-H", $"{name}: {value}"]);
        }

        if (options.Token is { } token)
        {
            command.AddRange(["-H", $"Authorization: Bearer {token}"]);
        }

        command.Add(options.Uri);
        return command;
    }

    /// <summary>
    /// Reads what <see cref="CurlCommand"/> made curl print: the last header block (after 1xx answers), the body up to
    /// the marker line, the status and time from it. Null status when curl got no answer (000).
    /// </summary>
    public static CurlAnswer ParseCurl(string stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var text = stdout.Replace("\r\n", "\n", StringComparison.Ordinal);
        var markerAt = text.LastIndexOf("\n" + Marker, StringComparison.Ordinal);
        int? status = null;
        TimeSpan? duration = null;
        if (markerAt >= 0)
        {
            var line = text[(markerAt + 1 + Marker.Length)..].Split('\n')[0].Split(' ');
            if (int.TryParse(line[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) && code > 0)
            {
                status = code;
            }

            if (line.Length > 1 && double.TryParse(line[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                duration = TimeSpan.FromSeconds(seconds);
            }

            text = text[..markerAt];
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var body = text;
        while (body.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            var end = body.IndexOf("\n\n", StringComparison.Ordinal);
            var block = end < 0 ? body : body[..end];
            body = end < 0 ? string.Empty : body[(end + 2)..];
            var lines = block.Split('\n');
            var statusWord = lines[0].Split(' ', 3);
            var informational = statusWord.Length > 1 && statusWord[1].StartsWith('1');
            headers.Clear();
            foreach (var header in lines.Skip(1))
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var name = header[..colon].Trim().ToLowerInvariant();
                    var value = header[(colon + 1)..].Trim();
                    headers[name] = headers.TryGetValue(name, out var before) ? before + ", " + value : value;
                }
            }

            if (!informational)
            {
                break;
            }
        }

        return new CurlAnswer(status, headers, body, duration);
    }

    /// <summary>
    /// The result of one live request from its HTTP answer or its failure (exactly one of <paramref name="status"/>
    /// and <paramref name="failure"/>), in Test-MeshRequest's type, with the step that says what was observed.
    /// </summary>
    public static RequestResult Result(string source, string request, string how, int? status, IReadOnlyDictionary<string, string>? headers, string? body, TimeSpan? duration, (RequestOutcome Outcome, string Meaning)? failure)
    {
        var result = new RequestResult { Source = source, Request = request, Live = true, Duration = duration };
        if (failure is { } failed)
        {
            result.Outcome = failed.Outcome;
            result.Steps.Add(new("live", $"{how}: {failed.Meaning}"));
            return result;
        }

        var answer = headers ?? new Dictionary<string, string>();
        var (outcome, flag) = FromResponse(status ?? 0, answer, body);
        var (pod, version) = Answerer(body);
        result.Outcome = outcome;
        result.Status = status;
        result.ResponseFlag = flag;
        result.Body = body;
        result.ResponseHeaders = answer;
        result.AnsweringPod = pod;
        result.AnsweringVersion = version;
        var took = duration is { } d ? $" in {d.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms" : string.Empty;
        var who = outcome == RequestOutcome.ProxyResponse
            ? $"the proxy answered by itself (server: {answer.GetValueOrDefault("server")}, no x-envoy-upstream-service-time){(flag is null ? string.Empty : $", flag {flag} read from the body")}"
            : answer.TryGetValue("x-envoy-upstream-service-time", out var upstream) ? $"the application answered through Envoy (upstream {upstream} ms)" : "the application answered (no Envoy on the way back)";
        result.Steps.Add(new("live", $"{how}: HTTP {status}{took}; {who}{(pod is null ? string.Empty : $"; pod {pod}{(version is null ? string.Empty : $", version {version}")}")}"));
        return result;
    }
}
