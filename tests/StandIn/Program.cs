using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StandIn;

// dotnet StandIn.dll --port 0 --kubeconfig FILE [--token T] : serves on 127.0.0.1, prints "URL http://127.0.0.1:PORT",
// writes a kubeconfig. With --token, every API request must carry "Authorization: Bearer T" (else 401 Unauthorized, as
// an API server answers an expired or revoked token); the kubeconfig then holds T. --tls, --tls-san NAME and
// --client-ca serve HTTPS and check client certificates (Tls.cs). With --latency-ms N, every API
// request (not the /_standin control paths) waits N ms before it is handled, as a remote API server's round trip.
var port = 0;
var latency = 0;
string? kubeconfig = null;
string? token = null;
string? state = null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }

    if (args[i] == "--kubeconfig")
    {
        kubeconfig = args[i + 1];
    }

    if (args[i] == "--token")
    {
        token = args[i + 1];
    }

    if (args[i] == "--state")
    {
        state = args[i + 1];
    }

    if (args[i] == "--latency-ms")
    {
        latency = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var tls = Tls.FromArguments(args);
if (tls is null)
{
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
}
else
{
    tls.Listen(builder.WebHost, port);
}

builder.Services.AddSingleton<Store>();
builder.Services.AddSingleton<Faults>();
var app = builder.Build();
var store = app.Services.GetRequiredService<Store>();
if (state is not null)
{
    // --state FILE: the store is kept in FILE, so a stand-in restarted with it (and the same --port) has it back.
    store.Persist(state);
}

var faults = app.Services.GetRequiredService<Faults>();
app.UseWebSockets();
app.Map("/{**path}", async (HttpContext context) =>
{
    var authenticated = tls?.ClientAuthority is not null
        ? tls.Authenticated(context) || (token is not null && context.Request.Headers.Authorization.ToString() == $"Bearer {token}")
        : token is null || context.Request.Headers.Authorization.ToString() == $"Bearer {token}";
    if (!authenticated && !(context.Request.Path.Value ?? string.Empty).StartsWith("/_standin", StringComparison.Ordinal))
    {
        context.Response.StatusCode = 401;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}");
        return;
    }

    if (latency > 0 && !(context.Request.Path.Value ?? string.Empty).StartsWith("/_standin", StringComparison.Ordinal))
    {
        await Task.Delay(latency, context.RequestAborted);
    }

    try
    {
        await Api.Handle(context, store, faults);
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        // Logging is off: a failure of the stand-in itself goes to its output, where a test's log can show it.
        Console.WriteLine($"stand-in error on {context.Request.Method} {context.Request.Path}{context.Request.QueryString}: {ex}");
        throw;
    }
});
await app.StartAsync();
var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
if (kubeconfig is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(kubeconfig))!);
    var (tlsCluster, tlsUser) = tls?.KubeConfigLines() ?? (string.Empty, null);
    var user = tlsUser ?? $"    token: {token ?? "standin-token"}\n";
    File.WriteAllText(kubeconfig, $"apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    server: {url}\n{tlsCluster}contexts:\n- name: standin\n  context:\n    cluster: standin\n    user: standin\n    namespace: default\ncurrent-context: standin\nusers:\n- name: standin\n  user:\n{user}");
}

Console.WriteLine($"URL {url}");
Console.Out.Flush();
await app.WaitForShutdownAsync();

namespace StandIn
{
    internal static class Api
    {
        // One resource whichever version it was written or watched through (a CRD's types are made afresh on each read).
        private static bool SameResource(ResourceType a, ResourceType b) => a.Group == b.Group && a.Plural == b.Plural;

        public static async Task Handle(HttpContext context, Store store, Faults faults)
        {
            var request = context.Request;
            var segments = (request.Path.Value ?? "/").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (await Exec.TryHandle(context, segments, store) || await PortForward.TryHandle(context, segments, store))
            {
                return;
            }

            if (segments is ["_standin", ..])
            {
                if (await FaultControl.TryHandle(context, segments, faults, store))
                {
                    return;
                }

                await Control(context, segments, faults, store);
                return;
            }

            using var inFlight = faults.Track();

            // Switchable faults for the tests: an answer (429 with Retry-After, 5xx), a reset connection, or latency.
            var streamed = request.Query["watch"].ToString() is "true" or "1" ? "WATCH" : segments is [.., "log"] ? "LOG" : request.Method;
            var fault = faults.Next(streamed, request.Path.Value ?? "/");
            if (fault is { AfterProcessing: true } && streamed == request.Method)
            {
                // Carried out, then the answer is lost.
                _ = await Route(request, segments, store);
                context.Abort();
                return;
            }

            if (fault is not null)
            {
                if (fault.DelayMilliseconds > 0)
                {
                    await Task.Delay(fault.DelayMilliseconds);
                }

                if (fault.Reset)
                {
                    context.Abort();
                    return;
                }

                if (fault.Status > 0)
                {
                    context.Response.StatusCode = fault.Status;
                    context.Response.ContentType = "application/json";
                    if (fault.RetryAfter > 0)
                    {
                        context.Response.Headers.RetryAfter = fault.RetryAfter.ToString(CultureInfo.InvariantCulture);
                    }

                    var reason = fault.Status == 429 ? "TooManyRequests" : "InternalError";
                    var details = fault.RetryAfter > 0 ? new JsonObject { ["retryAfterSeconds"] = fault.RetryAfter } : null;
                    await context.Response.WriteAsync(Status(fault.Status, reason, $"injected fault {fault.Status}", details).ToJsonString());
                    return;
                }
            }

            if (request.Method == "GET" && segments is ["api", "v1", "namespaces", var logNs, "pods", var logPod, "log"])
            {
                await Logs(context, store, faults, logNs, logPod);
                return;
            }

            if (request.Method == "GET" && request.Query["watch"].ToString() is "true" or "1")
            {
                await Watch(context, segments, store, faults);
                return;
            }

            await WriteJson(context, await Route(request, segments, store));
        }

        private static async Task WriteJson(HttpContext context, (int Status, JsonNode Body) answer)
        {
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body.ToJsonString());
        }

        // api/VERSION/... or apis/GROUP/VERSION/...: the group ("" for core), the version and the rest of the path.
        private static (string? Group, string? Version, string[] Path) GroupVersion(string[] s) => s switch
        {
            ["api", var v, .. var r] => (string.Empty, v, r),
            ["apis", var g, var v, .. var r] => (g, v, r),
            _ => (null, null, Array.Empty<string>()),
        };

        // namespaces/NS/PLURAL/... of a namespaced type: the namespace and the path from PLURAL on.
        private static (string? Namespace, string[] Path) Namespace(Store store, string group, string version, string[] rest)
            => rest.Length >= 3 && rest[0] == "namespaces" && store.Find(group, version, rest[2]) is { Namespaced: true } ? (rest[1], rest[2..]) : (null, rest);

        private static async Task<(int, JsonNode)> Route(HttpRequest request, string[] s, Store store)
        {
            if (s.Length == 1 && s[0] == "version")
            {
                return (200, new JsonObject { ["major"] = "1", ["minor"] = "35", ["gitVersion"] = "v1.35.0-standin", ["platform"] = "linux/amd64" });
            }

            if (s.Length == 1 && s[0] == "api")
            {
                return (200, new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"), ["serverAddressByClientCIDRs"] = new JsonArray() });
            }

            if (s.Length == 1 && s[0] == "apis")
            {
                var groups = new JsonArray();
                foreach (var served in store.Types.Where(t => t.Group.Length > 0).GroupBy(t => t.Group))
                {
                    var versions = new JsonArray(served.Select(t => t.Version).Distinct().Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{served.Key}/{v}", ["version"] = v }).ToArray());
                    groups.Add(new JsonObject { ["name"] = served.Key, ["versions"] = versions, ["preferredVersion"] = versions[0]!.DeepClone() });
                }

                return (200, new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups });
            }

            var (group, version, rest) = GroupVersion(s);
            if (group is null || version is null)
            {
                return NotFound("the server could not find the requested resource", null, null);
            }

            if (rest.Length == 0)
            {
                var resources = new JsonArray(store.Types.Where(t => t.Group == group && t.Version == version)
                    .Select(t => (JsonNode)new JsonObject
                    {
                        ["name"] = t.Plural, ["singularName"] = t.Kind.ToLowerInvariant(), ["namespaced"] = t.Namespaced, ["kind"] = t.Kind,
                        ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                        ["shortNames"] = new JsonArray(t.ShortNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                    }).ToArray());
                return resources.Count == 0 && group.Length > 0
                    ? NotFound($"the server could not find the requested resource (get {group}/{version})", null, null)
                    : (200, new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}", ["resources"] = resources });
            }

            // [namespaces/NS/]PLURAL[/NAME[/status]]
            (var ns, rest) = Namespace(store, group, version, rest);

            var type = store.Find(group, version, rest[0]);
            if (type is null)
            {
                return NotFound($"the server could not find the requested resource ({rest[0]})", null, null);
            }

            var name = rest.Length > 1 ? rest[1] : null;
            var item = name ?? string.Empty;
            if (rest.Length == 3 && rest[2] == "status")
            {
                return await StatusWrite(request, store, type, ns, item);
            }

            if (rest.Length > 2)
            {
                return NotFound("the server could not find the requested resource", type, name);
            }

            // kubectl get asks for a Table: custom resources get their CRD's printer columns (built-in types keep plain lists).
            if (request.Method == "GET" && Tables.Wanted(request) && Tables.Columns(store, type) is { } columns)
            {
                var rows = name is null ? ListOf(type, store, ns, request)["items"]!.AsArray().OfType<JsonObject>().ToList()
                    : store.Get(type, ns, item) is { } one ? [one] : null;
                return rows is null ? NotFound($"{type.Plural} \"{name}\" not found", type, name)
                    : (200, Tables.Table(rows, columns, store.ResourceVersion.ToString(CultureInfo.InvariantCulture), request.Query["includeObject"].ToString()));
            }

            var body = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 ? await new StreamReader(request.Body).ReadToEndAsync() : string.Empty;
            return (request.Method, name) switch
            {
                ("GET", null) => (200, ListOf(type, store, ns, request)),
                ("GET", _) => store.Get(type, ns, item) is { } found ? (200, found) : NotFound($"{type.Plural} \"{name}\" not found", type, name),
                ("POST", null) => Create(store, type, ns, Updated(Parse(body), request.Query["fieldManager"].ToString(), type)),
                ("PUT", _) => Replace(store, type, ns, item, Updated(Parse(body), request.Query["fieldManager"].ToString(), type)),
                ("PATCH", _) => Patch(store, type, ns, item, request.ContentType ?? string.Empty, body, request.Query["fieldManager"].ToString(), request.Query["force"] == "true", request.Query["dryRun"] == "All"),
                ("DELETE", _) => store.Get(type, ns, item) is { } gone && store.Delete(type, ns, item) ? (200, gone) : NotFound($"{type.Plural} \"{name}\" not found", type, name),
                _ => (405, Status(405, "MethodNotAllowed", $"{request.Method} is not supported here")),
            };
        }

        // POST /_standin/logs/NS/POD/CONTAINER with text appends log lines;
        // POST /_standin/faults {"status":503,"count":2,"retryAfter":1,"reset":false,"delayMilliseconds":0}; GET /_standin/stats
        // {"requests":N,"faulted":N,"maxInFlight":N}
        private static async Task Control(HttpContext context, string[] segments, Faults faults, Store store)
        {
            context.Response.ContentType = "application/json";
            if (segments is [_, "logs", var ns, var pod, var container] && context.Request.Method == "POST")
            {
                var text = await new StreamReader(context.Request.Body).ReadToEndAsync();
                store.AppendLog(ns, pod, container, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
                await context.Response.WriteAsync("{}");
                return;
            }

            if (segments is [_, "faults"] && context.Request.Method == "POST")
            {
                var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
                faults.Set(new Fault(
                    body["status"]?.GetValue<int>() ?? 0, body["retryAfter"]?.GetValue<int>() ?? 0, body["reset"]?.GetValue<bool>() ?? false,
                    body["delayMilliseconds"]?.GetValue<int>() ?? 0), body["count"]?.GetValue<int>() ?? 1);
                await context.Response.WriteAsync("{}");
                return;
            }

            await context.Response.WriteAsync(new JsonObject { ["requests"] = faults.Requests, ["faulted"] = faults.Faulted, ["maxInFlight"] = faults.MaxInFlight }.ToJsonString());
        }

        // GET, PUT and merge PATCH of [namespaces/NS/]PLURAL/NAME/status: only the status changes.
        private static async Task<(int, JsonNode)> StatusWrite(HttpRequest request, Store store, ResourceType type, string? ns, string name)
        {
            var body = request.Method is "PUT" or "PATCH" ? await new StreamReader(request.Body).ReadToEndAsync() : string.Empty;
            lock (store.Gate)
            {
                var existing = store.Get(type, ns, name);
                if (existing is null)
                {
                    return NotFound($"{type.Plural} \"{name}\" not found", type, name);
                }

                switch (request.Method)
                {
                    case "GET":
                        return (200, existing);
                    case "PUT":
                        existing["status"] = Parse(body)["status"]?.DeepClone();
                        break;
                    case "PATCH" when (request.ContentType ?? string.Empty).StartsWith("application/merge-patch+json", StringComparison.Ordinal):
                        Apply.MergePatch(existing, new JsonObject { ["status"] = Parse(body)["status"]?.DeepClone() });
                        break;
                    default:
                        return (405, Status(405, "MethodNotAllowed", $"{request.Method} of status is not supported here"));
                }

                return (200, store.Put(type, ns, name, existing, store.Get(type, ns, name), statusWrite: true));
            }
        }

        private static JsonObject Parse(string body) => SchemaCheck.Manifests.ReadAll(body).Single()!.AsObject();

        // A create or replace is recorded in managedFields under its field manager (operation Update), as the API
        // server records it; kubectl create names itself kubectl-create, kubectl apply kubectl-client-side-apply.
        private static JsonObject Updated(JsonObject obj, string manager, ResourceType type)
        {
            var metadata = (JsonObject)(obj["metadata"] ??= new JsonObject());
            metadata["managedFields"] = new JsonArray(new JsonObject
            {
                ["manager"] = manager.Length > 0 ? manager : "unknown",
                ["operation"] = "Update",
                ["apiVersion"] = type.ApiVersion,
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = new JsonObject(),
            });
            return obj;
        }

        private static (int, JsonNode) Create(Store store, ResourceType type, string? ns, JsonObject obj)
        {
            var name = obj["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;
            return store.Get(type, ns, name) is not null
                ? (409, Status(409, "AlreadyExists", $"{type.Plural} \"{name}\" already exists", Details(type, name)))
                : (201, store.Put(type, ns, name, obj, null));
        }

        private static (int, JsonNode) Replace(Store store, ResourceType type, string? ns, string name, JsonObject obj)
        {
            lock (store.Gate)
            {
                var existing = store.Get(type, ns, name);
                if (existing is null)
                {
                    return NotFound($"{type.Plural} \"{name}\" not found", type, name);
                }

                var given = obj["metadata"]?["resourceVersion"]?.GetValue<string>();
                if (given is not null && given != existing["metadata"]?["resourceVersion"]?.GetValue<string>())
                {
                    return (409, Status(409, "Conflict", $"Operation cannot be fulfilled on {type.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", Details(type, name)));
                }

                return (200, store.Put(type, ns, name, obj, existing));
            }
        }

        // dryRun=All (kubectl diff, apply --dry-run=server): the answer is what would be stored; nothing is kept.
        private static (int, JsonNode) Patch(Store store, ResourceType type, string? ns, string name, string contentType, string body, string manager, bool force, bool dryRun = false)
        {
            lock (store.Gate)
            {
                var existing = store.Get(type, ns, name);
                if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal) || (contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal) && type.Group is "" or "apps"))
                {
                    if (existing is null)
                    {
                        return NotFound($"{type.Plural} \"{name}\" not found", type, name);
                    }

                    Apply.MergePatch(existing, Parse(body));
                    var managers = (JsonArray)(((JsonObject)(existing["metadata"] ??= new JsonObject()))["managedFields"] ??= new JsonArray());
                    var writer = manager.Length > 0 ? manager : "unknown";
                    if (!managers.OfType<JsonObject>().Any(m => m["manager"]?.GetValue<string>() == writer && m["operation"]?.GetValue<string>() == "Update"))
                    {
                        managers.Add(Updated(new JsonObject(), writer, type)["metadata"]!["managedFields"]![0]!.DeepClone());
                    }

                    return (200, store.Put(type, ns, name, existing, store.Get(type, ns, name), dryRun: dryRun));
                }

                if (!contentType.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal))
                {
                    return (415, Status(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
                }

                if (string.IsNullOrEmpty(manager))
                {
                    return (422, Status(422, "Invalid", "PATCH requests with apply content types require a fieldManager"));
                }

                var applied = Parse(body);
                var conflicts = Apply.Conflicts(existing, applied, manager);
                if (conflicts.Count > 0 && !force)
                {
                    var causes = new JsonArray(conflicts.Select(c => (JsonNode)new JsonObject { ["type"] = "FieldManagerConflict", ["message"] = $"conflict with \"{c.Manager}\" using {type.ApiVersion}", ["field"] = $".{c.Field}" }).ToArray());
                    var message = $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? string.Empty : "s")}: " + string.Join("; ", conflicts.Select(c => $"conflict with \"{c.Manager}\" using {type.ApiVersion}: .{c.Field}"));
                    return (409, Status(409, "Conflict", message, new JsonObject { ["causes"] = causes }));
                }

                var merged = Apply.Merge(existing, applied, manager, type.ApiVersion, conflicts);
                if (existing is not null && Same(existing, merged))
                {
                    return (200, existing);
                }

                return (existing is null ? 201 : 200, store.Put(type, ns, name, merged, existing, dryRun: dryRun));
            }
        }

        // Equal but for bookkeeping: resource version and the time stamps of managed fields.
        private static bool Same(JsonObject a, JsonObject b)
        {
            static JsonNode Strip(JsonObject o)
            {
                var copy = (JsonObject)o.DeepClone();
                var metadata = copy["metadata"] as JsonObject;
                metadata?.Remove("resourceVersion");
                foreach (var entry in (metadata?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    entry.Remove("time");
                }

                return copy;
            }

            return JsonNode.DeepEquals(Strip(a), Strip(b));
        }

        private static JsonObject ListOf(ResourceType type, Store store, string? ns, HttpRequest request)
        {
            JsonObject list;
            lock (store.Gate)
            {
                var matches = Selects(request);
                list = new JsonObject
                {
                    ["kind"] = $"{type.Kind}List",
                    ["apiVersion"] = type.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = new JsonArray(store.List(type, ns).Where(matches).Select(o => (JsonNode)o).ToArray()),
                };
            }

            return list;
        }

        // labelSelector in the full syntax of k8s.io/apimachinery's labels.Parse (k=v, k==v, k!=v, k in (a,b),
        // k notin (a,b), k, !k; ANDed by top-level commas) and fieldSelector (metadata.name=, metadata.namespace=).
        private static Func<JsonObject, bool> Selects(HttpRequest request)
        {
            var labels = LabelRequirements(request.Query["labelSelector"].ToString());
            var fields = request.Query["fieldSelector"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2).Select(p => new[] { p[0].Trim(), p[1].TrimStart('=').Trim() }).ToList();
            return o => labels.All(test => test(o["metadata"]?["labels"] as JsonObject))
                && fields.All(f => f[0] switch
                {
                    "metadata.name" => o["metadata"]?["name"]?.GetValue<string>() == f[1],
                    "metadata.namespace" => o["metadata"]?["namespace"]?.GetValue<string>() == f[1],
                    _ => true,
                });
        }

        private static System.Collections.Generic.List<Func<JsonObject?, bool>> LabelRequirements(string selector)
        {
            var parts = new System.Collections.Generic.List<string>();
            var depth = 0;
            var start = 0;
            for (var i = 0; i < selector.Length; i++)
            {
                depth += selector[i] == '(' ? 1 : selector[i] == ')' ? -1 : 0;
                if (selector[i] == ',' && depth == 0)
                {
                    parts.Add(selector[start..i]);
                    start = i + 1;
                }
            }

            parts.Add(selector[start..]);
            var tests = new System.Collections.Generic.List<Func<JsonObject?, bool>>();
            foreach (var raw in parts.Select(p => p.Trim()).Where(p => p.Length > 0))
            {
                static string? Value(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();
                var set = System.Text.RegularExpressions.Regex.Match(raw, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
                if (set.Success)
                {
                    var key = set.Groups[1].Value;
                    var values = set.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
                    tests.Add(set.Groups[2].Value == "in"
                        ? l => Value(l, key) is { } v && values.Contains(v)
                        : l => Value(l, key) is not { } v || !values.Contains(v));
                }
                else if (raw.Contains("!=", StringComparison.Ordinal))
                {
                    var (key, value) = (raw[..raw.IndexOf("!=", StringComparison.Ordinal)].Trim(), raw[(raw.IndexOf("!=", StringComparison.Ordinal) + 2)..].Trim());
                    tests.Add(l => Value(l, key) != value);
                }
                else if (raw.Contains('=', StringComparison.Ordinal))
                {
                    var (key, value) = (raw[..raw.IndexOf('=', StringComparison.Ordinal)].Trim(), raw[(raw.IndexOf('=', StringComparison.Ordinal) + 1)..].TrimStart('=').Trim());
                    tests.Add(l => Value(l, key) == value);
                }
                else if (raw.StartsWith('!'))
                {
                    var key = raw[1..].Trim();
                    tests.Add(l => l?.ContainsKey(key) != true);
                }
                else
                {
                    tests.Add(l => l?.ContainsKey(raw) == true);
                }
            }

            return tests;
        }

        // GET ...?watch=true: a stream of JSON events, one per line. Without a resourceVersion (or with "0") the current
        // objects come first as ADDED; with sendInitialEvents=true they are followed by a BOOKMARK annotated
        // k8s.io/initial-events-end (when bookmarks are allowed); a resourceVersion older than the kept history gets
        // an ERROR event with a 410 Expired Status, as a real API server answers. timeoutSeconds ends the stream.
        private static async Task Watch(HttpContext context, string[] s, Store store, Faults faults)
        {
            var request = context.Request;
            var (group, version, rest) = GroupVersion(s);
            string? ns = null;
            if (group is not null && version is not null)
            {
                (ns, rest) = Namespace(store, group, version, rest);
            }

            var type = group is not null && version is not null && rest.Length == 1 ? store.Find(group, version, rest[0]) : null;
            if (type is null)
            {
                await WriteJson(context, NotFound("the server could not find the requested resource", null, null));
                return;
            }

            var matches = Selects(request);
            bool Wanted(JsonObject o) => (ns is null || o["metadata"]?["namespace"]?.GetValue<string>() == ns) && matches(o);
            var given = request.Query["resourceVersion"].ToString();
            var initial = request.Query["sendInitialEvents"] == "true" || given is "" or "0";
            var bookmarks = request.Query["allowWatchBookmarks"] == "true";
            var timeout = int.TryParse(request.Query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            var events = System.Threading.Channels.Channel.CreateUnbounded<JsonObject>();
            IDisposable? subscription;
            lock (store.Gate)
            {
                // Holding the store's lock, nothing changes until the initial events are queued ahead of live ones.
                var since = initial ? store.ResourceVersion : long.TryParse(given, CultureInfo.InvariantCulture, out var v) ? v : 0;
                var backlog = new System.Collections.Generic.List<WatchEvent>();
                subscription = faults.Expire(given) ? null : store.Watch(since, e => { if (SameResource(e.Resource, type) && Wanted(e.Object)) { events.Writer.TryWrite(Event(e.Type, e.Object)); } }, out backlog);
                if (subscription is null)
                {
                    events.Writer.TryWrite(Event("ERROR", Status(410, "Expired", $"too old resource version: {given} ({store.ResourceVersion - Store.HistoryLength})")));
                    events.Writer.TryComplete();
                }
                else
                {
                    var queued = initial
                        ? store.List(type, ns).Where(Wanted).Select(o => Event("ADDED", o)).ToList()
                        : backlog.Where(e => SameResource(e.Resource, type) && Wanted(e.Object)).Select(e => Event(e.Type, e.Object)).ToList();
                    if (initial && bookmarks && request.Query["sendInitialEvents"] == "true")
                    {
                        queued.Add(Event("BOOKMARK", new JsonObject
                        {
                            ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion,
                            ["metadata"] = new JsonObject
                            {
                                ["resourceVersion"] = store.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                                ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                            },
                        }));
                    }

                    foreach (var e in queued)
                    {
                        events.Writer.TryWrite(e);
                    }
                }
            }

            using (subscription)
            {
                using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                var life = faults.StreamLife(timeout);
                ends.CancelAfter(life);
                await context.Response.StartAsync(ends.Token).ConfigureAwait(false);
                try
                {
                    await foreach (var e in events.Reader.ReadAllAsync(ends.Token))
                    {
                        await context.Response.WriteAsync(e.ToJsonString() + "\n", ends.Token);
                        await context.Response.Body.FlushAsync(ends.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The time-out or the client ended the watch; under churn every other dropped stream is reset.
                    if (life < timeout && !context.RequestAborted.IsCancellationRequested && faults.DropByReset())
                    {
                        context.Abort();
                    }
                }
            }
        }

        // GET /api/v1/namespaces/NS/pods/NAME/log[?container=C&tailLines=N&follow=true]: text; follow streams new lines
        // until the client goes or the pod is deleted.
        private static async Task Logs(HttpContext context, Store store, Faults faults, string ns, string name)
        {
            var request = context.Request;
            var pods = store.Types.First(t => t.Group.Length == 0 && t.Plural == "pods");
            var pod = store.Get(pods, ns, name);
            var containers = (pod?["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.GetValue<string>() ?? string.Empty).ToList();
            var initContainers = (pod?["spec"]?["initContainers"] as JsonArray ?? []).Select(c => c?["name"]?.GetValue<string>() ?? string.Empty).ToList();
            var container = request.Query["container"].ToString();
            var initChoice = initContainers.Count > 0 ? $" or one of the init containers: [{string.Join(" ", initContainers)}]" : string.Empty;
            (int, JsonNode)? problem = pod is null ? NotFound($"pods \"{name}\" not found", pods, name)
                : container.Length == 0 && containers.Count > 1 ? (400, Status(400, "BadRequest", $"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]{initChoice}"))
                : container.Length > 0 && !containers.Contains(container) && !initContainers.Contains(container) ? (400, Status(400, "BadRequest", $"container {container} is not valid for pod {name}"))
                : null;
            if (problem is { } answer)
            {
                await WriteJson(context, answer);
                return;
            }

            // timestamps=true prefixes each line with its time (RFC 3339, nanoseconds, as the kubelet); sinceTime gives
            // the lines from that second on (the API server passes sinceTime to the kubelet in whole seconds).
            container = container.Length > 0 ? container : containers.FirstOrDefault() ?? string.Empty;
            var stamped = request.Query["timestamps"] == "true";
            var since = DateTime.TryParse(request.Query["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var sinceTime)
                ? new DateTime(sinceTime.Ticks - (sinceTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc) : DateTime.MinValue;
            string Line((DateTime Time, string Line) e) =>
                stamped ? $"{e.Time.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture)}00".TrimEnd('0').TrimEnd('.') + "Z " + e.Line : e.Line;
            var entries = store.LogEntries(ns, name, container, 0);
            var shown = entries.Where(e => e.Time >= since).ToList();
            var skip = int.TryParse(request.Query["tailLines"], CultureInfo.InvariantCulture, out var tail) && tail >= 0 ? Math.Max(0, shown.Count - tail) : 0;
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            foreach (var entry in shown.Skip(skip))
            {
                await context.Response.WriteAsync(Line(entry) + "\n");
            }

            await context.Response.Body.FlushAsync();
            if (request.Query["follow"] != "true")
            {
                return;
            }

            var seen = entries.Count;
            using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var life = faults.StreamLife(TimeSpan.FromHours(4));
            ends.CancelAfter(life);
            try
            {
                // As the kubelet ends a followed log when its container exits: the lines written before its status
                // says terminated, then the end of the stream.
                var ended = false;
                while (!ended && !ends.Token.IsCancellationRequested && store.Get(pods, ns, name) is { } current)
                {
                    ended = Terminated(current, container);
                    await Task.Delay(100, ends.Token);
                    foreach (var entry in store.LogEntries(ns, name, container, seen))
                    {
                        await context.Response.WriteAsync(Line(entry) + "\n", ends.Token);
                        seen++;
                    }

                    await context.Response.Body.FlushAsync(ends.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The client stopped following, or (churn) the stream is dropped: every other drop is a reset.
                if (!context.RequestAborted.IsCancellationRequested && faults.DropByReset())
                {
                    context.Abort();
                }
            }
        }

        // Whether a pod's status says the container (init or main) has terminated.
        private static bool Terminated(JsonObject pod, string container) =>
            new[] { "initContainerStatuses", "containerStatuses" }.SelectMany(key => pod["status"]?[key] as JsonArray ?? [])
                .Any(c => c?["name"]?.GetValue<string>() == container && c?["state"]?["terminated"] is not null);

        private static JsonObject Event(string type, JsonObject obj) => new() { ["type"] = type, ["object"] = obj.DeepClone() };

        private static (int, JsonNode) NotFound(string message, ResourceType? type, string? name) =>
            (404, Status(404, "NotFound", message, type is null ? null : Details(type, name)));

        private static JsonObject Details(ResourceType type, string? name) =>
            new() { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural };

        private static JsonObject Status(int code, string reason, string message, JsonObject? details = null) => new()
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
            ["message"] = message, ["reason"] = reason, ["details"] = details, ["code"] = code,
        };
    }
}
