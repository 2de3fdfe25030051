using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>The request simulator, rule family by rule family (SEMANTICS.md), on a small world of its own.</summary>
public class SimulatorTests
{
    // Two services in an injected namespace: reviews (v1, v2, v3 pods) and ratings; a client pod 'sleep'.
    private const string World = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: default, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec:
          selector: {app: reviews}
          ports: [{name: http, port: 9080, targetPort: 9080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v1}
        spec:
          template:
            metadata: {labels: {app: reviews, version: v1}}
            spec: {serviceAccountName: reviews}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v2}
        spec:
          template:
            metadata: {labels: {app: reviews, version: v2}}
            spec: {serviceAccountName: reviews}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v3}
        spec:
          replicas: 0
          template:
            metadata: {labels: {app: reviews, version: v3}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ratings}
        spec:
          selector: {app: ratings}
          ports: [{name: http, port: 9080}, {name: tcp-db, port: 5432}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ratings}
        spec:
          template:
            metadata: {labels: {app: ratings}}
            spec: {serviceAccountName: ratings}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: sleep}
        spec:
          template:
            metadata: {labels: {app: sleep}}
            spec: {serviceAccountName: sleep}
        """;

    private const string Subsets = """
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}
        """;

    private static RequestResult Run(string config, string uri, string from = "sleep", string method = "GET", Dictionary<string, string>? headers = null, JwtPrincipal? token = null, bool hasToken = false, int seed = 1)
    {
        var resources = ManifestSerializer.Deserialize(World + "\n---\n" + config);
        var simulator = new RequestSimulator(MeshModel.Build(resources));
        var parsed = new Uri(uri);
        var request = new RequestSpec
        {
            Scheme = parsed.Scheme,
            Host = parsed.Host,
            Port = parsed.IsDefaultPort || parsed.Port < 0 ? (parsed.Scheme == "https" ? 443 : 80) : parsed.Port,
            Path = parsed.AbsolutePath,
            Query = parsed.Query.TrimStart('?'),
            Method = method,
            Headers = new Dictionary<string, string>(headers ?? [], StringComparer.OrdinalIgnoreCase),
            Token = token,
            HasToken = hasToken || token is not null,
        };
        return simulator.Simulate(simulator.ResolveSource(from), request, new Random(seed));
    }

    private static string Vs(string http) => $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {{name: reviews}}\nspec:\n  hosts: [reviews]\n  http:\n{http}\n---\n{Subsets}";

    // ------------------------------------------------------------------ route matching

    [Fact]
    public void Precedence_is_oldest_first_then_name_dot_namespace_as_a_string()
    {
        // Istio's sortConfigByCreationTime: names and namespaces with dots make name + "." + namespace differ from
        // comparing (name, namespace); equal keys keep their input order.
        var random = new Random(7);
        string Part() => string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => "ab.-"[random.Next(4)]));
        var resources = Enumerable.Range(0, 400).Select(i =>
        {
            var vs = new VirtualService { Name = Part(), Namespace = random.Next(3) == 0 ? null : Part() };
            if (random.Next(2) == 0)
            {
                vs.Metadata.AdditionalFields["creationTimestamp"] = $"2026-01-0{random.Next(1, 4)}T00:00:0{random.Next(0, 3)}Z";
            }

            return vs;
        }).ToList();
        var expected = resources.OrderBy(MeshModel.CreationTime).ThenBy(r => $"{r.Name}.{MeshModel.NamespaceOf(r)}", StringComparer.Ordinal).ToList();
        Assert.Equal(expected, MeshModel.OldestFirst(resources));
    }

    [Fact]
    public void Without_a_virtual_service_the_default_route_reaches_any_pod()
    {
        var r = Run(string.Empty, "http://reviews:9080/");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("outbound|9080||reviews.default.svc.cluster.local", r.Cluster);
        Assert.StartsWith("default: 2 retries", r.RetryPolicy?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_matching_route_wins()
    {
        var config = Vs("  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: reviews, subset: v2}}]\n  - match: [{uri: {prefix: /}}]\n    route: [{destination: {host: reviews, subset: v1}}]");
        Assert.Equal("v2", Run(config, "http://reviews:9080/api/x").Subset);
        Assert.Equal("v1", Run(config, "http://reviews:9080/other").Subset);
    }

    [Fact]
    public void Conditions_in_one_match_are_anded_and_match_blocks_are_ored()
    {
        var config = Vs("  - match:\n    - {uri: {exact: /a}, method: {exact: POST}}\n    - {headers: {x-debug: {exact: '1'}}}\n    route: [{destination: {host: reviews, subset: v2}}]\n  - route: [{destination: {host: reviews, subset: v1}}]");
        Assert.Equal("v2", Run(config, "http://reviews:9080/a", method: "POST").Subset);
        Assert.Equal("v1", Run(config, "http://reviews:9080/a", method: "GET").Subset);
        Assert.Equal("v2", Run(config, "http://reviews:9080/b", headers: new() { ["x-debug"] = "1" }).Subset);
    }

    [Fact]
    public void Prefix_exact_and_regex_differ()
    {
        var config = Vs("  - match: [{uri: {exact: /foo}}]\n    route: [{destination: {host: reviews, subset: v1}}]\n  - match: [{uri: {regex: '/f[o]+'}}]\n    route: [{destination: {host: reviews, subset: v2}}]\n  - match: [{uri: {prefix: /foo}}]\n    route: [{destination: {host: reviews, subset: v3}}]");
        Assert.Equal("v1", Run(config, "http://reviews:9080/foo?x=1").Subset);
        Assert.Equal("v2", Run(config, "http://reviews:9080/fooo").Subset);
        Assert.Equal("v3", Run(config, "http://reviews:9080/foobar").Subset);
    }

    [Fact]
    public void Regex_is_a_full_match()
    {
        var config = Vs("  - match: [{headers: {user-agent: {regex: 'Chrome'}}}]\n    route: [{destination: {host: reviews, subset: v2}}]\n  - route: [{destination: {host: reviews, subset: v1}}]");
        Assert.Equal("v1", Run(config, "http://reviews:9080/", headers: new() { ["user-agent"] = "Mozilla Chrome/120" }).Subset);
        Assert.Equal("v2", Run(config, "http://reviews:9080/", headers: new() { ["user-agent"] = "Chrome" }).Subset);
    }

    [Fact]
    public void Header_presence_and_absence()
    {
        var config = Vs("  - match: [{headers: {x-canary: {}}}]\n    route: [{destination: {host: reviews, subset: v2}}]\n  - match: [{withoutHeaders: {x-legacy: {exact: 'yes'}}}]\n    route: [{destination: {host: reviews, subset: v1}}]");
        Assert.Equal("v2", Run(config, "http://reviews:9080/", headers: new() { ["x-canary"] = "anything" }).Subset);
        Assert.Equal("v1", Run(config, "http://reviews:9080/").Subset);
        var noRoute = Run(config, "http://reviews:9080/", headers: new() { ["x-legacy"] = "yes" });
        Assert.Equal(404, noRoute.Status);
        Assert.Equal("NR", noRoute.ResponseFlag);
    }

    [Fact]
    public void Header_names_are_case_insensitive() =>
        Assert.Equal("v2", Run(Vs("  - match: [{headers: {end-user: {exact: jason}}}]\n    route: [{destination: {host: reviews, subset: v2}}]"), "http://reviews:9080/", headers: new() { ["End-User"] = "jason" }).Subset);

    // ------------------------------------------------------------------ weights and subsets

    [Fact]
    public void Weights_split_proportionally_and_zero_weights_drop_out()
    {
        var config = Vs("  - route:\n    - {destination: {host: reviews, subset: v1}, weight: 30}\n    - {destination: {host: reviews, subset: v2}, weight: 30}\n    - {destination: {host: reviews, subset: v3}, weight: 0}");
        var resources = ManifestSerializer.Deserialize(World + "\n---\n" + config);
        var simulator = new RequestSimulator(MeshModel.Build(resources));
        var random = new Random(5);
        var request = new RequestSpec { Scheme = "http", Host = "reviews", Port = 9080 };
        var subsets = Enumerable.Range(0, 4000).Select(_ => simulator.Simulate(simulator.ResolveSource("sleep"), request, random).Subset).ToList();
        Assert.DoesNotContain("v3", subsets);
        Assert.InRange(subsets.Count(s => s == "v1") / 4000.0, 0.46, 0.54);
    }

    [Fact]
    public void Repeating_a_request_object_draws_and_decides_as_fresh_requests_do()
    {
        // A weighted split, a delay and an abort by percentage, a mirror by percentage: every draw the simulator makes.
        var config = Vs("  - route:\n    - {destination: {host: reviews, subset: v1}, weight: 30}\n    - {destination: {host: reviews, subset: v2}, weight: 70}\n    fault:\n      delay: {fixedDelay: 2s, percentage: {value: 50}}\n      abort: {httpStatus: 500, percentage: {value: 25}}\n    mirror: {host: ratings}\n    mirrorPercentage: {value: 40}");
        var resources = ManifestSerializer.Deserialize(World + "\n---\n" + config);
        var planned = new RequestSimulator(MeshModel.Build(resources));
        var fresh = new RequestSimulator(MeshModel.Build(resources));
        RequestSpec Request() => new() { Scheme = "http", Host = "reviews", Port = 9080, Path = "/p" };
        var request = Request();
        var (source, freshSource) = (planned.ResolveSource("sleep"), fresh.ResolveSource("sleep"));
        var (random, freshRandom) = (new Random(7), new Random(7));
        var seen = new HashSet<string>();
        for (var i = 0; i < 2000; i++)
        {
            var a = planned.Simulate(source, request, random);
            var b = fresh.Simulate(freshSource, Request(), freshRandom);
            Assert.Equal((b.Outcome, b.Status, b.ResponseFlag, b.Body, b.Cluster, b.Subset, b.Endpoint, b.InjectedDelay, b.Mirrors.Count), (a.Outcome, a.Status, a.ResponseFlag, a.Body, a.Cluster, a.Subset, a.Endpoint, a.InjectedDelay, a.Mirrors.Count));
            Assert.Equal(b.Explanation, a.Explanation);
            seen.Add(a.Explanation);
        }

        Assert.Equal(freshRandom.Next(), random.Next());
        Assert.True(seen.Count >= 8, $"{seen.Count} distinct ways");
        var sample = RequestSampler.Sample(planned, source, request, 500, new Random(3));
        var third = new Random(3);
        var freshSample = RequestSampler.Group(Enumerable.Range(0, 500).Select(_ => fresh.Simulate(freshSource, Request(), third)).ToList());
        Assert.Equal(string.Join("; ", freshSample.Outcomes), string.Join("; ", sample.Outcomes));
    }

    [Fact]
    public void An_explanation_written_later_tells_the_decision_it_explains()
    {
        // A decision is taken without its steps; they are written when first read, by replaying its draws. Every
        // draw the simulator makes is here (weights, delay, abort, mirror), so a replay that drew differently would
        // explain another decision than the one taken.
        var config = Vs("  - route:\n    - {destination: {host: reviews, subset: v1}, weight: 30}\n    - {destination: {host: reviews, subset: v2}, weight: 70}\n    fault:\n      delay: {fixedDelay: 2s, percentage: {value: 50}}\n      abort: {httpStatus: 500, percentage: {value: 25}}\n    mirror: {host: ratings}\n    mirrorPercentage: {value: 40}");
        var simulator = new RequestSimulator(MeshModel.Build(ManifestSerializer.Deserialize(World + "\n---\n" + config)));
        var source = simulator.ResolveSource("sleep");
        var random = new Random(11);
        var results = Enumerable.Range(0, 400).Select(_ => simulator.Simulate(source, new RequestSpec { Scheme = "http", Host = "reviews", Port = 9080, Path = "/p" }, random)).ToList();

        foreach (var r in results)
        {
            var text = r.Explanation;
            Assert.Equal(r.InjectedDelay is not null, text.Contains("a delay of 2s is injected", StringComparison.Ordinal));
            Assert.Equal(r.ResponseFlag == "FI", text.Contains("the fault filter aborts with 500", StringComparison.Ordinal));
            Assert.Equal(r.Mirrors.Count == 1, text.Contains("a copy goes to", StringComparison.Ordinal));
            if (r.Outcome == RequestOutcome.Delivered)
            {
                Assert.Contains($"{r.Cluster}: 1 ready workload(s), Deployment default/reviews-{r.Subset} answers", text, StringComparison.Ordinal);
            }
        }

        Assert.Contains(results, r => r.Outcome == RequestOutcome.Delivered && r.Subset == "v1");
        Assert.Contains(results, r => r.ResponseFlag == "FI");
        Assert.Same(results[0].Steps, results[0].Steps);
    }

    [Fact]
    public void Reading_an_explanation_draws_nothing_from_the_callers_random_source()
    {
        var config = Vs("  - route:\n    - {destination: {host: reviews, subset: v1}, weight: 50}\n    - {destination: {host: reviews, subset: v2}, weight: 50}");
        var resources = ManifestSerializer.Deserialize(World + "\n---\n" + config);
        var simulator = new RequestSimulator(MeshModel.Build(resources));
        var source = simulator.ResolveSource("sleep");
        RequestSpec Request() => new() { Scheme = "http", Host = "reviews", Port = 9080 };
        var (read, unread) = (new Random(3), new Random(3));
        for (var i = 0; i < 50; i++)
        {
            var a = simulator.Simulate(source, Request(), read);
            Assert.NotEmpty(a.Steps);
            var b = simulator.Simulate(source, Request(), unread);
            Assert.Equal(b.Subset, a.Subset);
        }

        Assert.Equal(unread.Next(), read.Next());
    }

    [Fact]
    public void An_explanation_tells_its_decision_when_the_draws_are_too_large_to_keep_packed()
    {
        // Weights of 30,000 and 20,000 make the weighted pick draw up to 49,999: a third of the decisions keep draws
        // that do not fit the packed form (whole numbers below 32,768), the rest keep them packed; both replay.
        var config = Vs("  - route:\n    - {destination: {host: reviews, subset: v1}, weight: 30000}\n    - {destination: {host: reviews, subset: v2}, weight: 20000}\n    fault:\n      abort: {httpStatus: 500, percentage: {value: 10}}");
        var simulator = new RequestSimulator(MeshModel.Build(ManifestSerializer.Deserialize(World + "\n---\n" + config)));
        var source = simulator.ResolveSource("sleep");
        var random = new Random(5);
        var results = Enumerable.Range(0, 300).Select(_ => simulator.Simulate(source, new RequestSpec { Scheme = "http", Host = "reviews", Port = 9080 }, random)).ToList();

        foreach (var r in results)
        {
            var text = r.Explanation;
            Assert.Equal(r.ResponseFlag == "FI", text.Contains("the fault filter aborts with 500", StringComparison.Ordinal));
            if (r.Outcome == RequestOutcome.Delivered)
            {
                Assert.Contains($"{r.Cluster}: 1 ready workload(s), Deployment default/reviews-{r.Subset} answers", text, StringComparison.Ordinal);
            }
        }

        Assert.Contains(results, r => r.Subset == "v1");
        Assert.Contains(results, r => r.Subset == "v2");
    }

    [Fact]
    public void A_results_optional_numbers_and_live_fields_read_back_as_set()
    {
        var result = new RequestResult { Source = "ui", Request = "GET http://x:80/" };
        Assert.Null(result.Status);
        Assert.Null(result.DestinationPort);
        Assert.Null(result.InjectedDelay);
        Assert.False(result.Live);
        Assert.Null(result.Duration);
        Assert.Empty(result.Mirrors);
        Assert.Same(result.Mirrors, result.Mirrors);

        result.Status = 0;
        result.DestinationPort = 9080;
        result.InjectedDelay = TimeSpan.Zero;
        result.Live = true;
        result.Duration = TimeSpan.FromMilliseconds(12);
        result.AnsweringPod = "message-v2-1";
        result.ResponseHeaders = new Dictionary<string, string> { ["server"] = "envoy" };
        Assert.Equal((0, 9080, TimeSpan.Zero, true), (result.Status, result.DestinationPort, result.InjectedDelay, result.Live));
        Assert.Equal((TimeSpan.FromMilliseconds(12), "message-v2-1", null), (result.Duration, result.AnsweringPod, result.AnsweringVersion));
        Assert.Equal("envoy", result.ResponseHeaders!["server"]);

        result.Status = null;
        result.InjectedDelay = null;
        Assert.Null(result.Status);
        Assert.Null(result.InjectedDelay);
        Assert.Equal("ui", result.Source);
        Assert.Equal("GET http://x:80/", result.Request);
    }

    [Fact]
    public void An_explanation_read_from_many_threads_is_written_once()
    {
        var simulator = new RequestSimulator(MeshModel.Build(ManifestSerializer.Deserialize(World)));
        var result = simulator.Simulate(simulator.ResolveSource("sleep"), new RequestSpec { Scheme = "http", Host = "reviews", Port = 9080 }, new Random(1));
        var seen = new System.Collections.Concurrent.ConcurrentBag<List<SimulationStep>>();
        System.Threading.Tasks.Parallel.For(0, 64, _ => seen.Add(result.Steps));
        Assert.Single(seen.Distinct());
        Assert.Contains(result.Steps, s => s.Stage == "cluster");
    }

    [Fact]
    public void A_single_destination_with_weight_zero_takes_everything() =>
        Assert.Equal("v1", Run(Vs("  - route:\n    - {destination: {host: reviews, subset: v1}, weight: 0}"), "http://reviews:9080/").Subset);

    [Fact]
    public void An_undefined_subset_is_no_cluster()
    {
        var r = Run(Vs("  - route: [{destination: {host: reviews, subset: v9}}]"), "http://reviews:9080/");
        Assert.Equal(503, r.Status);
        Assert.Equal("NC", r.ResponseFlag);
    }

    [Fact]
    public void A_subset_without_pods_is_no_healthy_upstream()
    {
        var r = Run(Vs("  - route: [{destination: {host: reviews, subset: v3}}]"), "http://reviews:9080/");
        Assert.Equal(503, r.Status);
        Assert.Equal("UH", r.ResponseFlag);
        Assert.Equal("no healthy upstream", r.Body);
    }

    [Fact]
    public void A_missing_destination_host_is_no_cluster() =>
        Assert.Equal("NC", Run(Vs("  - route: [{destination: {host: details}}]"), "http://reviews:9080/").ResponseFlag);

    // ------------------------------------------------------------------ faults, retries, mirrors

    [Fact]
    public void An_abort_answers_without_calling_the_service()
    {
        var r = Run(Vs("  - route: [{destination: {host: reviews}}]\n    fault: {abort: {httpStatus: 418, percentage: {value: 100}}}"), "http://reviews:9080/");
        Assert.Equal(418, r.Status);
        Assert.Equal("FI", r.ResponseFlag);
        Assert.Equal("fault filter abort", r.Body);
        Assert.Null(r.Endpoint);
    }

    [Fact]
    public void A_fault_without_percentage_does_nothing() =>
        Assert.Equal(RequestOutcome.Delivered, Run(Vs("  - route: [{destination: {host: reviews}}]\n    fault: {abort: {httpStatus: 503}}"), "http://reviews:9080/").Outcome);

    [Fact]
    public void A_delay_adds_latency()
    {
        var r = Run(Vs("  - route: [{destination: {host: reviews}}]\n    fault: {delay: {fixedDelay: 7s, percentage: {value: 100}}}"), "http://reviews:9080/");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), r.InjectedDelay);
        Assert.Equal("DI", r.ResponseFlag);
    }

    [Fact]
    public void Retry_policies_are_reported()
    {
        Assert.Equal("none (attempts: 0)", Run(Vs("  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 0}"), "http://reviews:9080/").RetryPolicy?.ToString());
        Assert.StartsWith("3 attempt(s), 2s per try", Run(Vs("  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 3, perTryTimeout: 2s}"), "http://reviews:9080/").RetryPolicy?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mirrors_default_to_100_percent_with_a_shadow_host()
    {
        var r = Run(Vs("  - route: [{destination: {host: reviews, subset: v1}}]\n    mirror: {host: reviews, subset: v2}"), "http://reviews:9080/");
        var copy = Assert.Single(r.Mirrors);
        Assert.Equal("reviews-shadow", copy.Host);
        Assert.Equal("outbound|9080|v2|reviews.default.svc.cluster.local", copy.Cluster);
        Assert.Equal("v1", r.Subset);
    }

    [Fact]
    public void A_zero_mirror_percentage_turns_mirroring_off() =>
        Assert.Empty(Run(Vs("  - route: [{destination: {host: reviews, subset: v1}}]\n    mirror: {host: reviews, subset: v2}\n    mirrorPercentage: {value: 0}"), "http://reviews:9080/").Mirrors);

    // ------------------------------------------------------------------ authorization

    private static string Policy(string name, string spec) => $"apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {{name: {name}}}\nspec:\n{spec}";

    [Fact]
    public void An_allow_policy_without_rules_denies_everything()
    {
        var r = Run(Policy("deny-all", "  {}"), "http://reviews:9080/");
        Assert.Equal(403, r.Status);
        Assert.Equal("RBAC: access denied", r.Body);
    }

    [Fact]
    public void Deny_is_evaluated_before_allow()
    {
        var config = Policy("allow-all", "  rules: [{}]") + "\n---\n" + Policy("deny-delete", "  action: DENY\n  rules:\n  - to: [{operation: {methods: [DELETE]}}]");
        Assert.Equal(403, Run(config, "http://reviews:9080/", method: "DELETE").Status);
        var allowed = Run(config, "http://reviews:9080/");
        Assert.Equal(200, allowed.Status);
        Assert.Equal("default/allow-all", allowed.Authorization!.Policy);
    }

    [Fact]
    public void Custom_runs_first_and_an_unmodelled_provider_denies() =>
        Assert.Equal("CUSTOM", Run(Policy("ext", "  action: CUSTOM\n  provider: {name: opa}\n  rules: [{}]") + "\n---\n" + Policy("allow-all", "  rules: [{}]"), "http://reviews:9080/").Authorization!.Action);

    [Fact]
    public void Audit_never_decides() =>
        Assert.Equal(200, Run(Policy("audit", "  action: AUDIT\n  rules: [{}]"), "http://reviews:9080/").Status);

    [Fact]
    public void Principals_need_mtls_and_match_the_client_identity()
    {
        var config = Policy("only-sleep", "  selector: {matchLabels: {app: reviews}}\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/default/sa/sleep]}}]");
        var r = Run(config, "http://reviews:9080/");
        Assert.Equal(200, r.Status);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/sleep", r.PeerPrincipal);
        Assert.Equal(403, Run(config, "http://reviews:9080/", from: "ratings").Status);
    }

    [Fact]
    public void On_tcp_an_allow_rule_with_http_fields_is_skipped_and_a_deny_rule_ignores_them()
    {
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(Policy("get-only", "  selector: {matchLabels: {app: ratings}}\n  rules:\n  - to: [{operation: {methods: [GET]}}]"), "tcp://ratings:5432").Outcome);
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(Policy("no-get", "  selector: {matchLabels: {app: ratings}}\n  action: DENY\n  rules:\n  - to: [{operation: {methods: [GET]}}]"), "tcp://ratings:5432").Outcome);
        Assert.Equal(RequestOutcome.Delivered, Run(Policy("db", "  selector: {matchLabels: {app: ratings}}\n  rules:\n  - to: [{operation: {ports: ['5432']}}]"), "tcp://ratings:5432").Outcome);
    }

    [Fact]
    public void Paths_support_prefix_and_suffix_wildcards()
    {
        var config = Policy("api", "  selector: {matchLabels: {app: reviews}}\n  rules:\n  - to: [{operation: {paths: ['/api/*', '*.css']}}]");
        Assert.Equal(200, Run(config, "http://reviews:9080/api/v1").Status);
        Assert.Equal(200, Run(config, "http://reviews:9080/site.css").Status);
        Assert.Equal(403, Run(config, "http://reviews:9080/admin").Status);
    }

    // ------------------------------------------------------------------ PeerAuthentication

    private static string Pa(string name, string ns, string spec) => $"apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}";

    [Fact]
    public void Workload_policy_beats_namespace_beats_mesh()
    {
        var mesh = Pa("default", "istio-system", "  mtls: {mode: STRICT}");
        Assert.Equal("STRICT", Run(mesh, "http://reviews:9080/").ServerMtlsMode);
        var ns = mesh + "\n---\n" + Pa("default", "default", "  mtls: {mode: PERMISSIVE}");
        Assert.Equal("PERMISSIVE", Run(ns, "http://reviews:9080/").ServerMtlsMode);
        var workload = ns + "\n---\n" + Pa("reviews", "default", "  selector: {matchLabels: {app: reviews}}\n  mtls: {mode: STRICT}");
        Assert.Equal("STRICT", Run(workload, "http://reviews:9080/").ServerMtlsMode);
    }

    [Fact]
    public void Port_level_mtls_uses_the_target_port()
    {
        var config = Pa("reviews", "default", "  selector: {matchLabels: {app: reviews}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    '9080': {mode: DISABLE}");
        var r = Run(config, "http://reviews:9080/");
        Assert.Equal("DISABLE", r.ServerMtlsMode);
        Assert.Equal(503, r.Status);
        Assert.Equal("UC", r.ResponseFlag);
    }

    [Fact]
    public void Unset_inherits_and_the_default_is_permissive()
    {
        Assert.Equal("PERMISSIVE", Run(string.Empty, "http://reviews:9080/").ServerMtlsMode);
        Assert.Equal("STRICT", Run(Pa("default", "istio-system", "  mtls: {mode: STRICT}") + "\n---\n" + Pa("default", "default", "  mtls: {mode: UNSET}"), "http://reviews:9080/").ServerMtlsMode);
    }

    [Fact]
    public void Plaintext_into_strict_is_reset_for_clients_outside_the_mesh()
    {
        var r = Run(Pa("default", "default", "  mtls: {mode: STRICT}") + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: legacy}", "http://reviews.default.svc.cluster.local:9080/", from: "legacy/curl");
        Assert.Equal(RequestOutcome.ConnectionReset, r.Outcome);
        Assert.Equal("plaintext", r.ClientTls);
    }

    [Fact]
    public void A_destination_rule_disabling_tls_into_strict_gets_503()
    {
        var r = Run(Pa("default", "default", "  mtls: {mode: STRICT}") + "\n---\napiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: plain}\nspec:\n  host: reviews\n  trafficPolicy: {tls: {mode: DISABLE}}", "http://reviews:9080/");
        Assert.Equal(503, r.Status);
        Assert.Equal("UC", r.ResponseFlag);
    }

    // ------------------------------------------------------------------ JWT

    private const string Jwt = "apiVersion: security.istio.io/v1beta1\nkind: RequestAuthentication\nmetadata: {name: jwt}\nspec:\n  selector: {matchLabels: {app: reviews}}\n  jwtRules:\n  - issuer: issuer.example\n    jwksUri: https://issuer.example/keys\n    audiences: [reviews]";

    private static JwtPrincipal Token(string issuer = "issuer.example", string audience = "reviews", long expires = 4685989700) => new()
    {
        Issuer = issuer, Subject = "alice", Audiences = [audience], Expires = DateTimeOffset.FromUnixTimeSeconds(expires),
    };

    [Fact]
    public void A_valid_token_sets_the_request_principal() =>
        Assert.Equal("issuer.example/alice", Run(Jwt, "http://reviews:9080/", token: Token()).RequestPrincipal);

    [Theory]
    [InlineData("other.example", "reviews", 4685989700, "Jwt issuer is not configured")]
    [InlineData("issuer.example", "reviews", 1000, "Jwt is expired")]
    [InlineData("issuer.example", "ratings", 4685989700, "Audiences in Jwt are not allowed")]
    public void Invalid_tokens_get_401(string issuer, string audience, long expires, string body)
    {
        var r = Run(Jwt, "http://reviews:9080/", token: Token(issuer, audience, expires));
        Assert.Equal(401, r.Status);
        Assert.Equal(body, r.Body);
    }

    [Fact]
    public void A_token_that_does_not_parse_gets_401() => Assert.Equal(401, Run(Jwt, "http://reviews:9080/", hasToken: true).Status);

    [Fact]
    public void A_missing_token_passes_authentication_but_not_a_request_principal_policy()
    {
        Assert.Equal(200, Run(Jwt, "http://reviews:9080/").Status);
        var require = Jwt + "\n---\n" + Policy("require-jwt", "  selector: {matchLabels: {app: reviews}}\n  rules:\n  - from: [{source: {requestPrincipals: ['*']}}]");
        Assert.Equal(403, Run(require, "http://reviews:9080/").Status);
        Assert.Equal(200, Run(require, "http://reviews:9080/", token: Token()).Status);
    }

    [Fact]
    public void Claims_conditions_match_token_claims()
    {
        var token = new JwtPrincipal { Issuer = "issuer.example", Subject = "alice", Audiences = ["reviews"], Claims = new Dictionary<string, object?> { ["groups"] = new List<object?> { "admins" } } };
        var config = Jwt + "\n---\n" + Policy("admins", "  selector: {matchLabels: {app: reviews}}\n  rules:\n  - when: [{key: 'request.auth.claims[groups]', values: [admins]}]");
        Assert.Equal(200, Run(config, "http://reviews:9080/", token: token).Status);
        Assert.Equal(403, Run(config, "http://reviews:9080/", token: Token()).Status);
    }

    // ------------------------------------------------------------------ egress

    private const string RegistryOnly = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    outboundTrafficPolicy: {mode: REGISTRY_ONLY}";

    private static string Entry(string host, int port, string protocol) => $"apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {{name: e{port}}}\nspec:\n  hosts: ['{host}']\n  ports: [{{number: {port}, name: p{port}, protocol: {protocol}}}]";

    [Fact]
    public void Allow_any_passes_unknown_hosts_through()
    {
        var r = Run(string.Empty, "http://example.org/");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("PassthroughCluster", r.Cluster);
    }

    [Fact]
    public void Registry_only_blocks_http_with_502_and_tls_with_a_reset()
    {
        var http = Run(RegistryOnly, "http://example.org/");
        Assert.Equal(502, http.Status);
        Assert.Equal("BlackHoleCluster", http.Cluster);
        Assert.Equal(RequestOutcome.ConnectionReset, Run(RegistryOnly, "https://example.org").Outcome);
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(RegistryOnly, "tcp://example.org:5432").Outcome);
    }

    [Fact]
    public void Http_entries_match_the_host_header_and_wildcards_only_match_subdomains()
    {
        var config = RegistryOnly + "\n---\n" + Entry("*.example.org", 80, "HTTP");
        Assert.Equal(200, Run(config, "http://www.example.org/").Status);
        Assert.Equal(200, Run(config, "http://a.b.example.org/").Status);
        Assert.Equal(502, Run(config, "http://example.org/").Status);
        Assert.Equal(502, Run(config, "http://www.example.org/", headers: new() { ["host"] = "elsewhere.net" }).Status);
    }

    [Fact]
    public void Tls_entries_match_the_sni()
    {
        var config = RegistryOnly + "\n---\n" + Entry("api.example.org", 443, "HTTPS");
        Assert.Equal(RequestOutcome.Delivered, Run(config, "https://api.example.org").Outcome);
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "https://www.example.org").Outcome);
    }

    // ------------------------------------------------------------------ virtual service selection

    [Fact]
    public void On_sidecars_the_oldest_virtual_service_for_a_host_wins()
    {
        var first = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: a}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews, subset: v1}}]}]";
        var second = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: b}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews, subset: v2}}]}]";
        Assert.Equal("default/a", Run(first + "\n---\n" + second + "\n---\n" + Subsets, "http://reviews:9080/").VirtualService);
    }

    [Fact]
    public void A_gateway_bound_virtual_service_does_not_apply_to_sidecars() =>
        Assert.Null(Run("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: edge}\nspec:\n  hosts: [reviews]\n  gateways: [gw]\n  http: [{route: [{destination: {host: reviews, subset: v9}}]}]", "http://reviews:9080/").VirtualService);

    [Fact]
    public void Gateway_routes_resolve_short_hosts_in_their_own_virtual_services_namespace()
    {
        // Routes of both VirtualServices are merged at the gateway; each 'reviews' means the service of its own namespace.
        var config = """
            apiVersion: networking.istio.io/v1beta1
            kind: Gateway
            metadata: {name: gw, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: shop, namespace: shop}
            spec:
              hosts: [guest.example.com]
              gateways: [istio-system/gw]
              http: [{match: [{uri: {prefix: /shop}}], route: [{destination: {host: reviews}}]}]
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: books, namespace: default}
            spec:
              hosts: [guest.example.com]
              gateways: [istio-system/gw]
              http: [{match: [{uri: {prefix: /books}}], route: [{destination: {host: reviews}}]}]
            """;
        var books = Run(config, "http://guest.example.com/books", from: "ingress");
        Assert.Equal(RequestOutcome.Delivered, books.Outcome);
        Assert.Equal("reviews.default.svc.cluster.local", books.DestinationService);
        Assert.Equal("NC", Run(config, "http://guest.example.com/shop", from: "ingress").ResponseFlag);
    }

    [Fact]
    public void Unknown_sources_are_refused_by_name_but_namespaced_pods_are_ad_hoc()
    {
        var simulator = new RequestSimulator(MeshModel.Build(ManifestSerializer.Deserialize(World)));
        Assert.Throws<ArgumentException>(() => simulator.ResolveSource("slep"));
        var pod = simulator.ResolveSource("default/debug");
        Assert.True(pod.HasSidecar);
        Assert.False(simulator.ResolveSource("default/debug", sidecar: false).HasSidecar);
    }
}
