using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

// Usage: Bench <lab-folder> [--runs 5] [--largest 100000]
// 1. Test-MeshRequest decisions per second on the lab's final configuration (a mix of the codelab's requests).
// 2. Test-MeshConfiguration on 1,000, 10,000 and 100,000 generated resources: model build plus analysis, in ms.
// 3. YAML: documents per second read into typed resources and written back.
// Each figure is the median of the runs, after a warm-up run.
var folder = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Bench <lab-folder> [--runs N]");
var runs = args.Length > 2 && args[1] == "--runs" ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
// --largest N: the largest generated mesh Test-MeshConfiguration is timed on (1,000, 10,000 and 100,000 by default).
var largest = args.Length > 4 && args[3] == "--largest" ? int.Parse(args[4], CultureInfo.InvariantCulture) : 100_000;

var lab = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
    .SelectMany(f => ManifestSerializer.Deserialize(File.ReadAllText(f), f)).ToList();
var simulator = new RequestSimulator(MeshModel.Build(lab));
var mix = new (string From, RequestSpec Request)[]
{
    ("ingress", new RequestSpec { Scheme = "http", Host = "guestbook.example.com", Port = 80, Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["user-agent"] = "Chrome" } }),
    ("ui", new RequestSpec { Scheme = "http", Host = "message-service", Port = 80, Path = "/hello/test" }),
    ("ui", new RequestSpec { Scheme = "http", Host = "guestbook-service", Port = 80, Path = "/api/messages", Method = "POST" }),
    ("ui", new RequestSpec { Scheme = "tcp", Host = "redis", Port = 6379 }),
    ("default/ubuntu", new RequestSpec { Scheme = "http", Host = "archive.ubuntu.com", Port = 80, Path = "/ubuntu/" }),
    ("default/ubuntu", new RequestSpec { Scheme = "https", Host = "google.com", Port = 443 }),
};
var sources = mix.Select(m => simulator.ResolveSource(m.From)).ToArray();
var random = new Random(1);

// The same mix as first-time requests: a repeated request object takes its decisions from the plan its first
// simulation recorded, so the figure above is the repeated one; here each request object is new to the simulator.
const int FirstTimeRounds = 10_000;
static RequestSpec Copy(RequestSpec r) => new() { Scheme = r.Scheme, Host = r.Host, Port = r.Port, Path = r.Path, Method = r.Method, Headers = new Dictionary<string, string>(r.Headers, StringComparer.OrdinalIgnoreCase) };
var firstTime = Enumerable.Range(0, FirstTimeRounds).SelectMany(_ => mix.Select(m => Copy(m.Request))).ToArray();
// One pass: a fresh simulator (to which every request object is new) takes all the first-time requests.
void FirstTimePass()
{
    var fresh = new RequestSimulator(simulator.Model);
    var freshSources = mix.Select(m => fresh.ResolveSource(m.From)).ToArray();
    for (var start = 0; start < firstTime.Length; start += mix.Length)
    {
        for (var i = 0; i < mix.Length; i++)
        {
            fresh.Simulate(freshSources[i], firstTime[start + i], random);
        }
    }
}

double FirstTimeDecisions()
{
    var clock = Stopwatch.StartNew();
    var count = 0;
    while (clock.ElapsedMilliseconds < 1000)
    {
        FirstTimePass();
        count += firstTime.Length;
    }

    return count / clock.Elapsed.TotalSeconds;
}

double Decisions()
{
    var clock = Stopwatch.StartNew();
    var count = 0;
    while (clock.ElapsedMilliseconds < 1000)
    {
        for (var i = 0; i < mix.Length; i++)
        {
            simulator.Simulate(sources[i], mix[i].Request, random);
        }

        count += mix.Length;
    }

    return count / clock.Elapsed.TotalSeconds;
}

int findings = 0;
double Analysis(List<LabResource> generated)
{
    var clock = Stopwatch.StartNew();
    findings = MeshAnalyzer.Analyze(MeshModel.Build(generated)).Count;
    return clock.Elapsed.TotalMilliseconds;
}

var yaml = ManifestSerializer.Serialize(lab);
var docs = lab.Count;
double Yaml()
{
    var clock = Stopwatch.StartNew();
    var rounds = 0;
    while (clock.ElapsedMilliseconds < 1000)
    {
        ManifestSerializer.Serialize(ManifestSerializer.Deserialize(yaml));
        rounds++;
    }

    return rounds * docs / clock.Elapsed.TotalSeconds;
}

var parsed = ManifestSerializer.Deserialize(yaml);
double Rate(Action once)
{
    var clock = Stopwatch.StartNew();
    var rounds = 0;
    while (clock.ElapsedMilliseconds < 1000)
    {
        once();
        rounds++;
    }

    return rounds * docs / clock.Elapsed.TotalSeconds;
}

static double Median(Func<double> measure, int runs)
{
    measure();
    var values = Enumerable.Range(0, runs).Select(_ => measure()).Order().ToList();
    return values[values.Count / 2];
}

var decisions = Median(Decisions, runs);
// The bytes of repeated decisions once their plans are made (the runs above made them).
var before = GC.GetAllocatedBytesForCurrentThread();
for (var i = 0; i < 60_000; i++)
{
    simulator.Simulate(sources[i % mix.Length], mix[i % mix.Length].Request, random);
}

var bytesPerDecision = (GC.GetAllocatedBytesForCurrentThread() - before) / 60_000.0;
// A first-time decision walks the whole configuration, and the JIT takes a dozen passes over it to settle on its
// final code (tiered, with profile-guided recompilation; timed earlier, the runs measured the first tiers at a
// fifth of the settled rate). So the passes are repeated before anything is measured; the bytes are then those of
// one whole pass, the fresh simulator's own lookups included.
const int FirstTimeWarmUps = 15;
for (var i = 0; i < FirstTimeWarmUps; i++)
{
    FirstTimePass();
}

before = GC.GetAllocatedBytesForCurrentThread();
FirstTimePass();
var firstTimeBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)firstTime.Length;
var firstTimeDecisions = Median(FirstTimeDecisions, runs);
var sizes = new[] { 1_000, 10_000, 100_000 }.Where(n => n <= largest).ToArray();
var analysis = sizes.Select(n =>
{
    var generated = Generate(n);
    // 100,000 resources take seconds a run: three runs there (the median), after the smaller sizes' warm-up.
    var times = n >= 100_000 ? Math.Min(3, runs) : runs;
    var ms = Median(() => Analysis(generated), times);
    return (N: n, Ms: ms, Runs: times, Findings: findings);
}).ToList();
// The round trip is measured after each way and each step alone: measured first, its runs timed the JIT's first
// (instrumented) code for seconds on the loaded machine, a tenth of the rate it has once the code is compiled.
var readRate = Median(() => Rate(() => ManifestSerializer.Deserialize(yaml)), runs);
var writeRate = Median(() => Rate(() => ManifestSerializer.Serialize(parsed)), runs);

// Where a round trip goes: the text to trees, trees to typed resources, resources to trees, trees to text.
var trees = YamlCodec.Parse(yaml);
var typedTrees = parsed.Select(r => (IDictionary<string, object?>)SecretValue.TreeOf(r, reveal: false)).ToList();
var parseRate = Median(() => Rate(() => YamlCodec.Parse(yaml)), runs);
var mapRate = Median(() => Rate(() => { foreach (var tree in trees) { ResourceKinds.FromTree(tree); } }), runs);
var treeRate = Median(() => Rate(() => { foreach (var resource in parsed) { SecretValue.TreeOf(resource, reveal: false); } }), runs);
var emitRate = Median(() => Rate(() => YamlCodec.Emit(typedTrees)), runs);
var yamlRate = Median(Yaml, runs);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test-MeshRequest: {decisions:N0} decisions/s on the lab configuration ({lab.Count} objects; median of {runs} one-second runs; repeated request objects, which take their recorded plans: {bytesPerDecision:N0} bytes allocated per decision; first-time requests, each request object new to a fresh simulator, after {FirstTimeWarmUps} warm-up passes of {firstTime.Length:N0}: {firstTimeDecisions:N0} decisions/s, {firstTimeBytes:N0} bytes per decision)"));
foreach (var (n, ms, times, found) in analysis)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test-MeshConfiguration: {ms:N0} ms for {n:N0} generated resources ({found:N0} findings; {ms * 1000 / n:N1} us per resource; median of {times} runs)"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"YAML: {yamlRate:N0} documents/s read and written back, on the lab's {docs} documents (median of {runs} one-second runs; read alone {readRate:N0}/s, written alone {writeRate:N0}/s)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"YAML, each step alone (documents/s): text to trees {parseRate:N0}, trees to typed resources {mapRate:N0}, typed resources to trees {treeRate:N0}, trees to text {emitRate:N0}"));

// A mesh of n resources in 20 namespaces: per app a Service, a Deployment, a VirtualService with a 90/10 split, a
// DestinationRule with two subsets (the second without pods) and an AuthorizationPolicy admitting the previous app.
static List<LabResource> Generate(int n)
{
    var resources = new List<LabResource>(n);
    for (var i = 0; resources.Count < n; i++)
    {
        var ns = $"ns{i % 20}";
        var app = $"app{i}";
        var service = new Service { Name = app, Namespace = ns };
        service.Spec.Selector = new() { ["app"] = app };
        service.Spec.Ports = [new ServicePortSpec { Name = "http", Port = 80, TargetPort = 8080L }];
        var deployment = new Deployment { Name = $"{app}-v1", Namespace = ns };
        deployment.Spec.Template = new PodTemplateSpec
        {
            Metadata = new ObjectMeta { Labels = new() { ["app"] = app, ["version"] = "v1" } },
            Spec = new PodSpec { ServiceAccountName = app },
        };
        var vs = new VirtualService { Name = app, Namespace = ns };
        vs.Spec.Hosts = [app];
        vs.Spec.Http =
        [
            new HttpRoute
            {
                Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/" } }],
                Route =
                [
                    new HttpRouteDestination { Destination = new Destination { Host = app, Subset = "v1" }, Weight = 90 },
                    new HttpRouteDestination { Destination = new Destination { Host = app, Subset = "v2" }, Weight = 10 },
                ],
            },
        ];
        var dr = new DestinationRule { Name = app, Namespace = ns };
        dr.Spec.Host = app;
        dr.Spec.Subsets = [new Subset { Name = "v1", Labels = new() { ["version"] = "v1" } }, new Subset { Name = "v2", Labels = new() { ["version"] = "v2" } }];
        var policy = new AuthorizationPolicy { Name = app, Namespace = ns };
        policy.Spec.Selector = new WorkloadSelector { MatchLabels = new() { ["app"] = app } };
        policy.Spec.Rules = [new AuthorizationRule { From = [new RuleFrom { Source = new Source { Principals = [$"cluster.local/ns/ns{(i + 19) % 20}/sa/app{Math.Max(0, i - 1)}"] } }] }];
        resources.AddRange(new LabResource[] { service, deployment, vs, dr, policy }.Take(n - resources.Count));
    }

    return resources;
}
