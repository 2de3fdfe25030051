using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;
using k8s;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GuestbookLab.Engine;

/// <summary>
/// A Kubernetes API server through KubernetesClient: kubeconfig and credentials from the client, discovery cached per
/// group version, server-side apply (field manager guestbooklab) of any kind, lists, gets and deletes.
/// </summary>
public sealed partial class ClusterTarget : IRankReadingTarget, IDisposable
{
    private static readonly HttpStatusCode[] Transient =
        [HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    private readonly Kubernetes client;
    // Read by every apply at once: a concurrent map, so that reading a cached group version takes no lock.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<ApiResource>?> discovery = new(StringComparer.Ordinal);
    private readonly ResiliencePipeline<HttpResponseMessage> resilience;

    private readonly KubeTls? tls;

    private ClusterTarget(Kubernetes client, KubernetesClientConfiguration config, string? context, KubeTls? tls)
    {
        this.client = client;
        this.tls = tls;
        var (server, defaultNamespace) = (config.Host, config.Namespace);
        SkipsTlsVerify = config.SkipTlsVerify && server.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        Credential = config.ClientCertificateData is not null || config.ClientCertificateFilePath is not null ? "client certificate"
            : config.TokenProvider is not null ? "exec credential plugin's token"
            : config.AccessToken is not null ? "token"
            : config.Username is not null ? "password" : "none";
        Server = server;
        Context = context;
        DefaultNamespace = string.IsNullOrEmpty(defaultNamespace) ? "default" : defaultNamespace;
        resilience = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // Transient answers and broken connections are retried with jittered exponential back-off, honouring
                // Retry-After, at most 5 times. Every call is idempotent (server-side apply, get, delete), so a retry
                // never duplicates an object.
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(ex => !KubeTls.IsTlsFailure(ex))
                    .Handle<System.IO.IOException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => Transient.Contains(r.StatusCode)),
                MaxRetryAttempts = MaxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result?.Headers.RetryAfter?.Delta is { } retryAfter ? retryAfter : null),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref retries);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(TimeSpan.FromSeconds(30))
            .Build();
    }

    private const int MaxAttempts = 5;

    private int retries;

    /// <summary>How many requests were retried since the target was opened.</summary>
    public int Retries => Volatile.Read(ref retries);

    /// <summary>Independent objects are applied eight at a time.</summary>
    public int MaxConcurrency => 8;

    /// <summary>How long an applied CRD may take to be established before its apply is reported failed.</summary>
    public static TimeSpan EstablishTimeout { get; } = TimeSpan.FromSeconds(60);

    public string Server { get; }

    public string? Context { get; }

    /// <summary>Whether the kubeconfig says insecure-skip-tls-verify: true for an https server: its certificate is not checked.</summary>
    public bool SkipsTlsVerify { get; }

    /// <summary>What kind of credential the context's user gives: client certificate, token, exec credential plugin, password or none (never the credential).</summary>
    public string Credential { get; }

    /// <summary>The kubeconfig context's namespace ('default' when it names none), as kubectl uses it.</summary>
    public string DefaultNamespace { get; }

    /// <summary>A discovered resource type.</summary>
    private sealed record ApiResource(string GroupVersion, string Kind, string Plural, bool Namespaced, string[] ShortNames);

    /// <summary>Reads the kubeconfig (the file given, else $env:KUBECONFIG or ~/.kube/config) and its context (the current one by default).</summary>
    /// <exception cref="ArgumentException">The kubeconfig is missing, unreadable, or has no such context.</exception>
    public static ClusterTarget Open(string? kubeConfig, string? context)
    {
        KubernetesClientConfiguration config;
        try
        {
            config = kubeConfig is null && context is null
                ? KubernetesClientConfiguration.BuildDefaultConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeConfig, context);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or System.IO.IOException)
        {
            // KubernetesClient's own exception types never leave the engine (they live in its load context). An exec
            // credential plugin that fails says so in a JSON parser's words: say what it means instead.
            var reason = ex.Message.StartsWith("external exec failed", StringComparison.Ordinal)
                ? $"the exec credential plugin of {(context is null ? "the kubeconfig's current context" : $"context '{context}'")} gave no credential (its output was no ExecCredential): run the command of the user's exec entry yourself to see why"
                : ex.Message;
            throw new ArgumentException(reason, ex is k8s.Exceptions.KubeConfigException ? null : ex);
        }

        return new ClusterTarget(new Kubernetes(config), config, config.CurrentContext ?? context, KubeTls.For(config));
    }

    /// <summary>The server's version; throws when it cannot be reached.</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        using var doc = (await SendAsync(HttpMethod.Get, "/version", null, null, cancellationToken).ConfigureAwait(false)).Document;
        return doc.RootElement.TryGetProperty("gitVersion", out var v) ? v.GetString() ?? "?" : "?";
    }

    public Task<ApplyResult> ApplyAsync(LabResource resource, bool force, CancellationToken cancellationToken) =>
        ApplyAsync(resource, force, StoredVersions.None, cancellationToken);

    /// <summary>
    /// How many objects of one collection (kind and namespace) a rank must have for their stored versions to be read
    /// with one list (metadata only, 500 a page) rather than one get each: more than one round of
    /// <see cref="MaxConcurrency"/> gets.
    /// </summary>
    public const int ListThreshold = 9;

    private const string MetadataListAccept = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";

    public async Task<StoredVersions> ReadStoredVersionsAsync(IReadOnlyList<LabResource> rank, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rank);
        var collections = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var resource in rank)
        {
            ApiResource? type;
            try
            {
                type = await ResolveAsync(resource.ApiVersion, resource.Kind, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ApiStatusException or HttpRequestException or System.IO.IOException)
            {
                // Its own apply says why.
                continue;
            }

            if (type is null || string.IsNullOrEmpty(resource.Name))
            {
                continue;
            }

            var collection = PathOf(type, type.Namespaced ? resource.Namespace ?? DefaultNamespace : null, null);
            if (!collections.TryGetValue(collection, out var names))
            {
                collections[collection] = names = [];
            }

            names.Add(resource.Name);
        }

        var versions = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (collection, names) in collections.Where(c => c.Value.Count >= ListThreshold))
        {
            Dictionary<string, string?> listed;
            try
            {
                listed = await ListVersionsAsync(collection, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ApiStatusException or HttpRequestException or System.IO.IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Not listable (forbidden, or a failed call): each object is read on its own, as always.
                continue;
            }

            foreach (var name in names)
            {
                versions[$"{collection}/{name}"] = listed.GetValueOrDefault(name);
            }
        }

        return versions.Count == 0 ? StoredVersions.None : new StoredVersions(versions);
    }

    // Name to resource version of every object of a collection, page by page (metadata only where the server can).
    private async Task<Dictionary<string, string?>> ListVersionsAsync(string collection, CancellationToken cancellationToken)
    {
        var listed = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var query = $"{collection}?limit=500{(next is null ? string.Empty : "&continue=" + Uri.EscapeDataString(next))}";
            using var doc = (await SendAsync(HttpMethod.Get, query, null, null, cancellationToken, MetadataListAccept).ConfigureAwait(false)).Document;
            foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
            {
                var metadata = item.GetProperty("metadata");
                listed[metadata.GetProperty("name").GetString()!] = metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
            }

            next = doc.RootElement.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("continue", out var c) && c.GetString() is { Length: > 0 } token ? token : null;
        }
        while (next is not null);
        return listed;
    }

    public async Task<ApplyResult> ApplyAsync(LabResource resource, bool force, StoredVersions known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(known);
        ApiNames.Check(resource.Kind, resource.Namespace, resource.Name, Server);
        var stored = await PrepareAsync(resource, cancellationToken).ConfigureAwait(false);
        var path = stored.Path;
        if (!known.TryGet(path, out var before))
        {
            try
            {
                using var existing = (await SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false)).Document;
                before = existing.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
            }
            catch (ApiStatusException ex) when (ex.Code == 404)
            {
            }
        }

        var (appliedDocument, status) = await SendApplyAsync(stored, force, dryRun: false, cancellationToken).ConfigureAwait(false);
        using var applied = appliedDocument;
        var after = applied.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        var outcome = status == HttpStatusCode.Created || before is null ? ApplyOutcome.Created : before == after ? ApplyOutcome.Unchanged : ApplyOutcome.Configured;
        if (resource.Kind == "CustomResourceDefinition")
        {
            // Its custom resources can be applied once the API server has established the CRD (usually at once).
            var established = new WaitState(false, "not read yet");
            try
            {
                await WaitForAsync("CustomResourceDefinition", null, stored.Name, crd => (established = Readiness.Condition(crd, resource.Kind, stored.Name, "Established", "True")).Done, EstablishTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ApiStatusException(504, "Timeout", $"CustomResourceDefinition {stored.Name} was not established within {EstablishTimeout.TotalSeconds:0} s: {established.Message}", []);
            }

            // New kinds are served from now on.
            discovery.Clear();
        }

        return new ApplyResult
        {
            Kind = resource.Kind, Namespace = stored.Namespace, Name = stored.Name, Result = outcome,
            Object = ResourceKinds.FromTree(JsonTree.Mapping(applied.RootElement)), Location = new Uri(client.BaseUri, path).ToString(),
        };
    }

    /// <summary>
    /// What applying would store, by a server-side dry run (dryRun=All, as kubectl diff), beside the stored object
    /// (null when there is none); nothing changes on the server.
    /// </summary>
    public async Task<ResourcePreview> PreviewAsync(LabResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ApiNames.Check(resource.Kind, resource.Namespace, resource.Name, Server);
        var stored = await PrepareAsync(resource, cancellationToken).ConfigureAwait(false);
        var path = stored.Path;
        LabResource? live = null;
        try
        {
            using var existing = (await SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false)).Document;
            live = ResourceKinds.FromTree(JsonTree.Mapping(existing.RootElement));
        }
        catch (ApiStatusException ex) when (ex.Code == 404)
        {
        }

        var (appliedDocument, _) = await SendApplyAsync(stored, force: false, dryRun: true, cancellationToken).ConfigureAwait(false);
        using var applied = appliedDocument;
        return new ResourcePreview(live, ResourceKinds.FromTree(JsonTree.Mapping(applied.RootElement)), new Uri(client.BaseUri, path).ToString());
    }

    /// <summary>What is sent for an object: its tree as applied (namespace, ownership label), name, namespace and API path.</summary>
    private sealed record Prepared(Dictionary<string, object?> Tree, string Name, string? Namespace, string Path);

    // The object as it is applied (namespace, ownership label) and its API path. Only the metadata is copied: the rest
    // of the tree is written from the caller's object (ToTree copies every mapping and list), which stays as it was.
    private async Task<Prepared> PrepareAsync(LabResource resource, CancellationToken cancellationToken)
    {
        var type = await ResolveAsync(resource.ApiVersion, resource.Kind, cancellationToken).ConfigureAwait(false)
            ?? throw new ApiStatusException(404, "NotFound", $"the server does not serve {resource.Kind} in {resource.ApiVersion}: apply its CustomResourceDefinition first", []);
        var metadata = ApiObjectMapper.Clone(resource.Metadata);
        metadata.Namespace = type.Namespaced ? metadata.Namespace ?? DefaultNamespace : null;
        (metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal))[Ownership.Label] = Ownership.Manager;

        // The API server is where secret values belong: the only place they are revealed without being asked.
        var tree = SecretValue.TreeOf(resource, reveal: true);
        tree["metadata"] = ApiObjectMapper.ToTree(metadata);
        var name = metadata.Name ?? string.Empty;
        return new Prepared(tree, name, metadata.Namespace, PathOf(type, metadata.Namespace, name));
    }

    // Server-side apply as the lab's field manager; a dry run stores nothing.
    private Task<(JsonDocument Document, HttpStatusCode Status)> SendApplyAsync(Prepared stored, bool force, bool dryRun, CancellationToken cancellationToken)
    {
        var body = JsonTree.Utf8(stored.Tree);
        var query = $"{stored.Path}?fieldManager={Ownership.Manager}{(force ? "&force=true" : string.Empty)}{(dryRun ? "&dryRun=All" : string.Empty)}";
        return SendAsync(HttpMethod.Patch, query, "application/apply-patch+yaml", body, cancellationToken);
    }

    public async Task<IReadOnlyList<LabResource>> ListAsync(string? kind, string? ns, string? name, LabelQuery? selector, CancellationToken cancellationToken)
    {
        ApiNames.Check(kind, ns, name, Server, strict: false);
        var types = await TypesOfAsync(kind, cancellationToken).ConfigureAwait(false);
        if (kind is not null && types.Count == 0)
        {
            var known = (await AllTypesAsync(cancellationToken).ConfigureAwait(false)).SelectMany(t => t.ShortNames.Append(t.Plural).Append(t.Kind));
            throw new UnknownKindException(kind, KindInfo.Nearest(kind, known));
        }

        // The selector goes to the API server as written (its full syntax), in the canonical form.
        var query = selector is null ? string.Empty : "?labelSelector=" + Uri.EscapeDataString(selector.ToString());
        var found = new List<LabResource>();
        foreach (var type in types)
        {
            var path = PathOf(type, type.Namespaced ? ns : null, name);
            try
            {
                using var doc = (await SendAsync(HttpMethod.Get, name is null ? path + query : path, null, null, cancellationToken).ConfigureAwait(false)).Document;
                var items = name is null ? doc.RootElement.GetProperty("items").EnumerateArray().ToList() : [doc.RootElement];
                found.AddRange(items.Select(i => ResourceKinds.FromTree(WithType(JsonTree.Mapping(i), type))));
            }
            catch (ApiStatusException ex) when (ex.Code == 404)
            {
            }
        }

        return found;
    }

    public async Task<bool> DeleteAsync(LabResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ApiNames.Check(resource.Kind, resource.Namespace, resource.Name, Server, strict: false);
        var type = await ResolveAsync(resource.ApiVersion, resource.Kind, cancellationToken).ConfigureAwait(false);
        if (type is null)
        {
            return false;
        }

        try
        {
            using var doc = (await SendAsync(HttpMethod.Delete, PathOf(type, type.Namespaced ? resource.Namespace ?? DefaultNamespace : null, resource.Name), null, null, cancellationToken).ConfigureAwait(false)).Document;
            return true;
        }
        catch (ApiStatusException ex) when (ex.Code == 404)
        {
            return false;
        }
    }

    public async Task<LabResource?> WaitForAsync(string kind, string? ns, string name, Func<LabResource?, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        ApiNames.Check(kind, ns, name, Server, strict: false);
        var type = (await TypesOfAsync(kind, cancellationToken).ConfigureAwait(false)).FirstOrDefault() ?? throw new ApiStatusException(404, "NotFound", $"the server does not serve {kind}: apply its CRD first", []);
        var path = PathOf(type, type.Namespaced ? ns ?? DefaultNamespace : null, null);
        var selector = "fieldSelector=" + Uri.EscapeDataString($"metadata.name={name}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var quiet = 0;
        var failures = 0;
        try
        {
            while (true)
            {
                // List (for the current object and a resource version to resume from), then watch from there.
                string version;
                LabResource? listed;
                using (var list = (await SendAsync(HttpMethod.Get, $"{path}?{selector}", null, null, deadline.Token).ConfigureAwait(false)).Document)
                {
                    listed = list.RootElement.GetProperty("items").EnumerateArray().Select(i => ResourceKinds.FromTree(WithType(JsonTree.Mapping(i), type))).FirstOrDefault();
                    version = list.RootElement.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() ?? string.Empty : string.Empty;
                }

                if (done(listed))
                {
                    return listed;
                }

                while (version.Length > 0)
                {
                    // Each watch asks the server to end it within 50 s (or the time left); the next one resumes from
                    // the last resource version seen. A stream that breaks off (a reset, a refused or failed open) is
                    // resumed the same way, after a pause that grows while streams end at once without an event (no
                    // busy loop), and after a few such failures in a row the object is listed again.
                    await PauseAsync(quiet, deadline.Token).ConfigureAwait(false);
                    var remaining = Math.Clamp((int)Math.Ceiling((timeout - clock.Elapsed).TotalSeconds), 1, 50);
                    var opened = System.Diagnostics.Stopwatch.StartNew();
                    var events = 0;
                    try
                    {
                        using var reader = await OpenStreamAsync($"{path}?watch=true&allowWatchBookmarks=true&{selector}&resourceVersion={Uri.EscapeDataString(version)}&timeoutSeconds={remaining}", deadline.Token).ConfigureAwait(false);
                        string? line;
                        while ((line = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false)) is not null)
                        {
                            using var change = JsonDocument.Parse(line);
                            var what = change.RootElement.GetProperty("type").GetString();
                            var obj = change.RootElement.GetProperty("object");
                            if (what == "ERROR")
                            {
                                // 410 Expired: the resume point is gone; list again.
                                version = string.Empty;
                                break;
                            }

                            events++;
                            version = obj.TryGetProperty("metadata", out var m) && m.TryGetProperty("resourceVersion", out var v) ? v.GetString() ?? version : version;
                            if (what == "BOOKMARK")
                            {
                                continue;
                            }

                            var current = what == "DELETED" ? null : ResourceKinds.FromTree(WithType(JsonTree.Mapping(obj), type));
                            if (done(current))
                            {
                                return current;
                            }
                        }

                        failures = 0;
                    }
                    catch (Exception ex) when (!Lasting(ex) && ex is HttpRequestException or System.IO.IOException or JsonException or ApiStatusException { Code: 410 or 429 or >= 500 } && !deadline.IsCancellationRequested)
                    {
                        // Broken off: resume from the same version, or (410, or too many failures in a row) list again.
                        if (ex is ApiStatusException { Code: 410 } || ++failures >= MaxAttempts)
                        {
                            version = string.Empty;
                            failures = 0;
                        }
                    }

                    quiet = events == 0 && opened.Elapsed < TimeSpan.FromSeconds(1) ? quiet + 1 : 0;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{kind} {name}: no answer within {timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (!Lasting(ex) && ex is HttpRequestException or System.IO.IOException && !cancellationToken.IsCancellationRequested && !deadline.IsCancellationRequested)
        {
            throw new HttpRequestException($"the watch of {kind} {name} broke off: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A container's log. Followed, it is read with the kubelet's time stamps, and a stream that ends or breaks off
    /// while the container still runs is resumed from the last time seen (sinceTime), the lines already given skipped
    /// (<see cref="LogCursor"/>): no line is given twice or lost. (kubectl logs -f itself ends when its stream does.)
    /// It ends when the container has terminated or the pod is gone.
    /// </summary>
    public async IAsyncEnumerable<string> ReadLogAsync(string ns, string pod, string? container, int? tail, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ApiNames.Check("Pod", ns, pod, Server);
        var query = new List<string>();
        if (container is not null)
        {
            query.Add("container=" + Uri.EscapeDataString(container));
        }

        var path = $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}/log";
        string Query(IEnumerable<string> more) => string.Join("&", query.Concat(more)) is { Length: > 0 } q ? $"{path}?{q}" : path;
        var first = tail is { } lines ? new[] { "tailLines=" + lines.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [];
        if (!follow)
        {
            using var reader = await OpenStreamAsync(Query(first), cancellationToken).ConfigureAwait(false);
            string? line;
            while ((line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                yield return line;
            }

            yield break;
        }

        var cursor = new LogCursor();
        var quiet = 0;
        var failures = 0;
        while (true)
        {
            await PauseAsync(quiet, cancellationToken).ConfigureAwait(false);
            var opened = System.Diagnostics.Stopwatch.StartNew();
            var given = 0;
            System.IO.StreamReader? reader = null;
            try
            {
                var resume = cursor.Since is { } since ? new[] { "sinceTime=" + Uri.EscapeDataString(since) } : first;
                cursor.Resume();
                try
                {
                    reader = await OpenStreamAsync(Query(resume.Append("follow=true").Append("timestamps=true")), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (Broken(ex) && !cancellationToken.IsCancellationRequested && ++failures < MaxAttempts)
                {
                }

                while (reader is not null)
                {
                    string? line;
                    try
                    {
                        line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (Broken(ex) && !cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    if (line is null)
                    {
                        break;
                    }

                    if (cursor.Take(line) is { } text)
                    {
                        given++;
                        failures = 0;
                        yield return text;
                    }
                }
            }
            finally
            {
                reader?.Dispose();
            }

            // The stream is over: the end of the log when the container has ended (or the pod is gone), else a drop.
            if (reader is not null && await ContainerEndedAsync(ns, pod, container, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            quiet = given == 0 && opened.Elapsed < TimeSpan.FromSeconds(1) ? quiet + 1 : 0;
        }
    }

    private static readonly string[] StatusLists = ["initContainerStatuses", "containerStatuses"];

    // A TLS failure or an unsafe name is not a broken stream: opening it again would fail the same way.
    private static bool Lasting(Exception ex) => ex is ApiTlsException or UnsafeObjectNameException;

    private static bool Broken(Exception ex) => !Lasting(ex) && ex is HttpRequestException or System.IO.IOException or ApiStatusException { Code: 429 or >= 500 };

    // Whether the pod is gone, or its container (every container when none is named) has terminated.
    // The pod's own path (its name checked when it was listed or named by the user).
    private static string PodPath(string ns, string pod) => $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}";

    private async Task<bool> ContainerEndedAsync(string ns, string pod, string? container, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = (await SendAsync(HttpMethod.Get, PodPath(ns, pod), null, null, cancellationToken).ConfigureAwait(false)).Document;
            if (!doc.RootElement.TryGetProperty("status", out var status))
            {
                return false;
            }

            var statuses = StatusLists
                .SelectMany(key => status.TryGetProperty(key, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [])
                .Where(c => container is null || (c.TryGetProperty("name", out var n) && n.GetString() == container))
                .ToList();
            return statuses.Count > 0 && statuses.All(c => c.TryGetProperty("state", out var state) && state.TryGetProperty("terminated", out _));
        }
        catch (ApiStatusException ex) when (ex.Code == 404)
        {
            return true;
        }
    }

    // Before a watch or followed log is opened again: nothing at first, then a pause that doubles (0.1 s to 5 s)
    // for each stream in a row that ended at once without giving anything.
    private static Task PauseAsync(int quiet, CancellationToken cancellationToken) =>
        quiet == 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(quiet - 1, 6)))), cancellationToken);

    public void Dispose()
    {
        tls?.Dispose();
        client.Dispose();
    }

    // Every URL path to an object is built here, from a name and namespace that keep to the kind's naming rule (checked
    // again here, for the namespace a kubeconfig's context gives), so it can only address that object.
    private string PathOf(ApiResource type, string? ns, string? name)
    {
        ApiNames.Check(type.Kind, ns, name, Server);
        var root = type.GroupVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{type.GroupVersion}" : $"/api/{type.GroupVersion}";
        var scoped = ns is null ? root : $"{root}/namespaces/{ns}";
        return name is null ? $"{scoped}/{type.Plural}" : $"{scoped}/{type.Plural}/{name}";
    }

    // The served types a kind names (kind, plural or short name; every kind but events and pods when null), one per group.
    private async Task<List<ApiResource>> TypesOfAsync(string? kind, CancellationToken cancellationToken) =>
        (await AllTypesAsync(cancellationToken).ConfigureAwait(false)).Where(t => kind is null ? t.Kind is not ("Event" or "Pod") : KindInfo.Names(kind, t.Kind) || string.Equals(kind, t.Plural, StringComparison.OrdinalIgnoreCase) || t.ShortNames.Contains(kind, StringComparer.OrdinalIgnoreCase))
            .GroupBy(t => (t.Kind, t.GroupVersion.Contains('/', StringComparison.Ordinal) ? t.GroupVersion[..t.GroupVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty))
            .Select(g => g.First())
            .ToList();

    private async Task<ApiResource?> ResolveAsync(string apiVersion, string kind, CancellationToken cancellationToken) =>
        (await ResourcesAsync(apiVersion, cancellationToken).ConfigureAwait(false))?.FirstOrDefault(r => r.Kind == kind);

    private async Task<List<ApiResource>> AllTypesAsync(CancellationToken cancellationToken)
    {
        var versions = new List<string> { "v1" };
        using (var groups = (await SendAsync(HttpMethod.Get, "/apis", null, null, cancellationToken).ConfigureAwait(false)).Document)
        {
            versions.AddRange(groups.RootElement.GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("groupVersion").GetString()!)));
        }

        var all = new List<ApiResource>();
        foreach (var version in versions)
        {
            all.AddRange(await ResourcesAsync(version, cancellationToken).ConfigureAwait(false) ?? []);
        }

        return all;
    }

    /// <summary>The resource types of a group version, asked once per connection (until a CRD is applied).</summary>
    private async Task<List<ApiResource>?> ResourcesAsync(string groupVersion, CancellationToken cancellationToken)
    {
        if (discovery.TryGetValue(groupVersion, out var known))
        {
            return known;
        }

        List<ApiResource>? cached;
        try
        {
            using var doc = (await SendAsync(HttpMethod.Get, groupVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{groupVersion}" : $"/api/{groupVersion}", null, null, cancellationToken).ConfigureAwait(false)).Document;
            cached = doc.RootElement.GetProperty("resources").EnumerateArray()
                .Where(r => !r.GetProperty("name").GetString()!.Contains('/', StringComparison.Ordinal))
                .Select(r => new ApiResource(groupVersion, r.GetProperty("kind").GetString()!, r.GetProperty("name").GetString()!, r.GetProperty("namespaced").GetBoolean(),
                    r.TryGetProperty("shortNames", out var s) ? s.EnumerateArray().Select(n => n.GetString()!).ToArray() : []))
                .ToList();
        }
        catch (ApiStatusException ex) when (ex.Code == 404)
        {
            cached = null;
        }

        discovery[groupVersion] = cached;

        return cached;
    }

    /// <summary>One request with the client's credentials; a Status answer becomes an <see cref="ApiStatusException"/>.</summary>
    private async Task<(JsonDocument Document, HttpStatusCode Status)> SendAsync(HttpMethod method, string path, string? contentType, byte[]? body, CancellationToken cancellationToken, string accept = "application/json")
    {
        using var response = await ExecuteAsync(
            async token =>
            {
                // A request message is sent once: each attempt builds its own.
                using var request = new HttpRequestMessage(method, new Uri(client.BaseUri, path));
                // Our own constant media types: sent as they are written, without parsing them on every request.
                request.Headers.TryAddWithoutValidation("Accept", accept);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", $"{contentType ?? "application/json"}; charset=utf-8");
                }

                if (client.Credentials is not null)
                {
                    await client.Credentials.ProcessHttpRequestAsync(request, token).ConfigureAwait(false);
                }

                var answer = await (tls?.Client ?? client.HttpClient).SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
                return answer;
            },
            cancellationToken).ConfigureAwait(false);
        // Read as UTF-8 bytes and parsed from them: no UTF-16 copy of the answer (a list of many objects is megabytes).
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return (JsonDocument.Parse(bytes), response.StatusCode);
        }

        throw StatusError(response, Encoding.UTF8.GetString(bytes));
    }

    // Polly's per-attempt time-out, after the last retry, is a server that does not answer (Polly stays in the engine).
    private async Task<HttpResponseMessage> ExecuteAsync(Func<CancellationToken, ValueTask<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await resilience.ExecuteAsync(send, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new HttpRequestException($"the API server did not answer within {ex.Timeout.TotalSeconds:0} s ({MaxAttempts + 1} attempts)", ex);
        }
        catch (HttpRequestException ex) when (KubeTls.IsTlsFailure(ex))
        {
            throw TlsError(ex);
        }
    }

    // A failed TLS handshake, with the reason the validator gave (another authority, another host) or the handshake's own.
    private ApiTlsException TlsError(HttpRequestException ex) =>
        new($"TLS with {Server} (context '{Context}') failed: {tls?.Refusal ?? ex.InnerException?.Message ?? ex.Message}. Nothing was sent; check the cluster's certificate-authority-data and server in the kubeconfig (insecure-skip-tls-verify: true skips the check, for test clusters only)", ex);

    /// <summary>
    /// A streamed GET (watch, log) with the client's credentials, read line by line as the server writes; not retried,
    /// since its callers resume by themselves. A Status answer becomes an <see cref="ApiStatusException"/>.
    /// </summary>
    private async Task<System.IO.StreamReader> OpenStreamAsync(string path, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, path));
        if (client.Credentials is not null)
        {
            await client.Credentials.ProcessHttpRequestAsync(request, token).ConfigureAwait(false);
        }

        HttpResponseMessage response;
        try
        {
            response = await (tls?.Client ?? client.HttpClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (KubeTls.IsTlsFailure(ex))
        {
            throw TlsError(ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw StatusError(response, await response.Content.ReadAsStringAsync(token).ConfigureAwait(false));
            }
        }

        // The reader owns the response's stream; disposing it ends the response.
        return new System.IO.StreamReader(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false));
    }

    /// <summary>The API server's Status answer (reason, message, causes) as an exception.</summary>
    private static ApiStatusException StatusError(HttpResponseMessage response, string text)
    {
        string message = $"{(int)response.StatusCode} {response.ReasonPhrase}", reason = response.ReasonPhrase ?? string.Empty;
        var causes = new List<string>();
        try
        {
            using var statusDoc = JsonDocument.Parse(text);
            var root = statusDoc.RootElement;
            message = root.TryGetProperty("message", out var m) ? m.GetString() ?? message : message;
            reason = root.TryGetProperty("reason", out var r) ? r.GetString() ?? reason : reason;
            if (root.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("causes", out var c))
            {
                causes.AddRange(c.EnumerateArray().Select(x => $"{(x.TryGetProperty("field", out var f) ? f.GetString() : null)}: {(x.TryGetProperty("message", out var cm) ? cm.GetString() : null)}"));
            }
        }
        catch (JsonException)
        {
        }

        return new ApiStatusException((int)response.StatusCode, reason, message, causes);
    }

    private static Dictionary<string, object?> WithType(Dictionary<string, object?> tree, ApiResource type)
    {
        // List items carry no apiVersion and kind on some servers.
        tree.TryAdd("apiVersion", type.GroupVersion);
        tree.TryAdd("kind", type.Kind);
        return tree;
    }

}
