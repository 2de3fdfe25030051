using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;

namespace StandIn;

/// <summary>
/// One injected fault: an answer (Status, with Retry-After), a reset connection, a delay before the request is
/// handled; with <see cref="AfterProcessing"/> the request is carried out and then its answer is lost (the connection
/// reset), as when a proxy or the network fails after the API server has written.
/// </summary>
public sealed record Fault(int Status, int RetryAfter, bool Reset, int DelayMilliseconds, bool AfterProcessing = false);

/// <summary>
/// The next N API requests get a fault, or (random mode) each request fails with a probability, seeded; counts every
/// request and every fault, per method and path too, and the most requests in flight at once since faults were last
/// set (how the tests see that applies run concurrently, and within their bound). Churn: watch and followed log
/// streams dropped after a number of seconds, and watches from a resource version answered 410 Expired on demand.
/// </summary>
public sealed class Faults
{
    private readonly object gate = new();
    private readonly ConcurrentDictionary<string, Counts> paths = new(StringComparer.Ordinal);
    private Fault? fault;
    private int remaining;
    private int requests;
    private int faulted;
    private int inFlight;
    private int maxInFlight;
    private double rate;
    private int seed;
    private double stallShare;
    private double dropSeconds;
    private int expire;
    private int drops;

    /// <summary>Requests, failed ones and stalled ones, of one method and path (WATCH for a watch, LOG for a log).</summary>
    private sealed class Counts
    {
        public int Requests;
        public int Faulted;
        public int Stalled;
    }

    public int Requests => Volatile.Read(ref requests);

    public int Faulted => Volatile.Read(ref faulted);

    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    /// <summary>Counts a request in flight until the returned scope is disposed.</summary>
    public Scope Track()
    {
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
        {
        }

        return new Scope(this);
    }

    public void Set(Fault next, int count)
    {
        lock (gate)
        {
            fault = next;
            remaining = count;
            rate = 0;
            Volatile.Write(ref maxInFlight, 0);
        }
    }

    /// <summary>
    /// Random mode: each API request fails with probability <paramref name="probability"/>. Whether the n-th request
    /// to a method and path fails, and how, is a function of the seed, the method, the path and n alone, so a seed
    /// gives the same faults to the same objects however the requests interleave. A fault is one of: 429 with
    /// Retry-After 1, 500, 502, 503, 504, a reset before the request is handled, a reset after it was carried out
    /// (answer lost), a 504 after it was carried out; or, with probability <paramref name="stalls"/> of the faults,
    /// a 2 s stall before the request is handled (then answered).
    /// </summary>
    public void SetRandom(double probability, int randomSeed, double stalls)
    {
        lock (gate)
        {
            fault = null;
            remaining = 0;
            rate = probability;
            seed = randomSeed;
            stallShare = stalls;
            Volatile.Write(ref maxInFlight, 0);
        }
    }

    /// <summary>Churn: streams live at most <paramref name="seconds"/> (0: no drops); the next <paramref name="expired"/> watches from a resource version get 410.</summary>
    public void SetChurn(double seconds, int expired)
    {
        lock (gate)
        {
            dropSeconds = seconds;
            expire = expired;
        }
    }

    /// <summary>How long a stream may live: its own time-out, or less while streams are dropped.</summary>
    public TimeSpan StreamLife(TimeSpan timeout)
    {
        lock (gate)
        {
            return dropSeconds > 0 && TimeSpan.FromSeconds(dropSeconds) < timeout ? TimeSpan.FromSeconds(dropSeconds) : timeout;
        }
    }

    /// <summary>Whether a stream that reached its churn life ends with a reset (every other drop) rather than a clean end.</summary>
    public bool DropByReset() => Interlocked.Increment(ref drops) % 2 == 0;

    /// <summary>Whether this watch from <paramref name="resourceVersion"/> is to be answered 410 Expired (on demand).</summary>
    public bool Expire(string resourceVersion)
    {
        lock (gate)
        {
            if (expire <= 0 || resourceVersion is "" or "0")
            {
                return false;
            }

            expire--;
            return true;
        }
    }

    public Fault? Next(string method, string path)
    {
        Interlocked.Increment(ref requests);
        var counts = paths.GetOrAdd($"{method} {path}", _ => new Counts());
        var n = Interlocked.Increment(ref counts.Requests);
        Fault? chosen;
        lock (gate)
        {
            if (rate > 0)
            {
                chosen = Draw($"{seed}|{method}|{path}|{n}");
            }
            else if (remaining <= 0 || fault is null)
            {
                chosen = null;
            }
            else
            {
                remaining--;
                chosen = fault;
            }

            if (chosen is not null)
            {
                faulted++;

                // A stall is answered in the end: per path it counts as stalled, not as a failed request.
                Interlocked.Increment(ref chosen.Status > 0 || chosen.Reset ? ref counts.Faulted : ref counts.Stalled);
            }
        }

        return chosen;
    }

    // Deterministic draws from a key: FNV-1a 64, split into two uniform numbers.
    private Fault? Draw(string key)
    {
        ulong hash = 14695981039346656037;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        hash ^= hash >> 29;
        hash *= 0xbf58476d1ce4e5b9;
        hash ^= hash >> 32;
        var first = (hash & 0xFFFFFFFF) / 4294967296.0;
        var second = (hash >> 32) / 4294967296.0;
        if (first >= rate)
        {
            return null;
        }

        if (second < stallShare)
        {
            return new Fault(0, 0, false, 2000);
        }

        return (int)((second - stallShare) / (1 - stallShare) * 8) switch
        {
            0 => new Fault(429, 1, false, 0),
            1 => new Fault(500, 0, false, 0),
            2 => new Fault(502, 0, false, 0),
            3 => new Fault(503, 0, false, 0),
            4 => new Fault(504, 0, false, 0),
            5 => new Fault(0, 0, true, 0),
            6 => new Fault(0, 0, true, 0, AfterProcessing: true),
            _ => new Fault(504, 0, false, 0, AfterProcessing: true),
        };
    }

    /// <summary>The stats: totals, and with <paramref name="perPath"/> the requests and faults per method and path.</summary>
    public JsonObject Stats(bool perPath, Store store)
    {
        var stats = new JsonObject { ["requests"] = Requests, ["faulted"] = Faulted, ["maxInFlight"] = MaxInFlight };
        if (perPath)
        {
            stats["paths"] = new JsonObject(paths.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new System.Collections.Generic.KeyValuePair<string, JsonNode?>(p.Key, new JsonObject { ["requests"] = p.Value.Requests, ["faulted"] = p.Value.Faulted, ["stalled"] = p.Value.Stalled })));
            stats["writes"] = new JsonObject(store.Writes().OrderBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => new System.Collections.Generic.KeyValuePair<string, JsonNode?>(w.Key, w.Value)));
        }

        return stats;
    }

    /// <summary>Resets the counts (totals and per path).</summary>
    public void ClearCounts()
    {
        paths.Clear();
        Interlocked.Exchange(ref requests, 0);
        Interlocked.Exchange(ref faulted, 0);
    }

    public readonly struct Scope(Faults owner) : System.IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner.inFlight);
    }
}

/// <summary>
/// The fault and churn controls: POST /_standin/faults {"rate":0.2,"seed":N,"stalls":0.05} (random mode; "rate":0
/// ends it); POST /_standin/churn {"dropSeconds":2,"expire":3}; GET /_standin/stats?paths=true (per method and path:
/// requests and faults; per object: how many times it was written); POST /_standin/stats/clear.
/// </summary>
public static class FaultControl
{
    public static async System.Threading.Tasks.Task<bool> TryHandle(Microsoft.AspNetCore.Http.HttpContext context, string[] segments, Faults faults, Store store)
    {
        var request = context.Request;
        JsonNode? body = null;
        if (request.Method == "POST" && segments is ["_standin", "faults" or "churn"])
        {
            // Read once; the fault set-up of old ({"status":...}) is Program.cs's, which reads the body again.
            Microsoft.AspNetCore.Http.HttpRequestRewindExtensions.EnableBuffering(request);
            var text = await new System.IO.StreamReader(request.Body, leaveOpen: true).ReadToEndAsync();
            request.Body.Position = 0;
            body = text.Length > 0 ? JsonNode.Parse(text) : new JsonObject();
        }

        if (segments is ["_standin", "faults"] && body is JsonObject random && random["rate"] is JsonNode rate)
        {
            faults.SetRandom(rate.GetValue<double>(), random["seed"]?.GetValue<int>() ?? 0, random["stalls"]?.GetValue<double>() ?? 0.05);
        }
        else if (segments is ["_standin", "churn"] && body is JsonObject churn)
        {
            faults.SetChurn(churn["dropSeconds"]?.GetValue<double>() ?? 0, churn["expire"]?.GetValue<int>() ?? 0);
        }
        else if (segments is ["_standin", "stats"] && request.Method == "GET" && request.Query["paths"] == "true")
        {
            context.Response.ContentType = "application/json";
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, faults.Stats(true, store).ToJsonString());
            return true;
        }
        else if (segments is ["_standin", "stats", "clear"] && request.Method == "POST")
        {
            faults.ClearCounts();
        }
        else
        {
            return false;
        }

        context.Response.ContentType = "application/json";
        await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, "{}");
        return true;
    }
}
