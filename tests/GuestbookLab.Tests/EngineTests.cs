using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>The engine's apply orchestration, manifest reader and atomic writer, against fakes and a temporary folder.</summary>
public sealed class EngineTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gbl-engine-" + Guid.NewGuid().ToString("N"));

    public EngineTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static LabResource Object(string kind, string name, string apiVersion = "v1") =>
        ManifestReader.ReadText($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: {name}\n")[0];

    [Fact]
    public void Json_trees_keep_whole_numbers_as_longs_and_write_back_as_the_serializer_does()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("{\"replicas\": 3, \"ratio\": 0.5, \"big\": 1e300, \"items\": [1, \"x\", true, null], \"nested\": {\"k\": -7}}");
        var tree = JsonTree.Mapping(doc.RootElement);
        Assert.IsType<long>(tree["replicas"]);
        Assert.IsType<double>(tree["ratio"]);
        Assert.IsType<long>(((List<object?>)tree["items"]!)[0]);
        Assert.IsType<long>(((Dictionary<string, object?>)tree["nested"]!)["k"]);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(tree), System.Text.Encoding.UTF8.GetString(JsonTree.Utf8(tree)));
    }

    [Fact]
    public void Ranks_put_crds_and_namespaces_first_and_keep_input_order_within_a_rank()
    {
        var input = new[]
        {
            Object("ConfigMap", "b"), Object("Namespace", "lab"), Object("ConfigMap", "a"),
            Object("CustomResourceDefinition", "things.example.com", "apiextensions.k8s.io/v1"),
        };
        var ranks = ResourceApplier.Ranks(input);
        var flat = ranks.SelectMany(r => r).Select(r => r.Name).ToList();
        Assert.Equal("things.example.com", flat[0]);
        Assert.Equal("lab", flat[1]);
        Assert.Equal(["b", "a"], flat.Skip(2));
    }

    [Fact]
    public async Task A_rank_is_applied_at_most_max_concurrency_at_once_with_outcomes_in_input_order()
    {
        var target = new FakeTarget(maxConcurrency: 3) { Delay = TimeSpan.FromMilliseconds(20) };
        var rank = Enumerable.Range(0, 20).Select(i => Object("ConfigMap", $"cm-{i}")).ToList();
        var outcomes = await ResourceApplier.ApplyRankAsync(target, rank, force: false, CancellationToken.None);
        Assert.Equal(rank.Select(r => r.Name), outcomes.Select(o => o.Result!.Name));
        Assert.InRange(target.MaxInFlight, 2, 3);
    }

    [Fact]
    public async Task A_failed_object_fails_alone()
    {
        var target = new FakeTarget(maxConcurrency: 4) { FailOn = "cm-2" };
        var rank = Enumerable.Range(0, 5).Select(i => Object("ConfigMap", $"cm-{i}")).ToList();
        var outcomes = await ResourceApplier.ApplyRankAsync(target, rank, force: true, CancellationToken.None);
        Assert.IsType<ApiStatusException>(outcomes[2].Error);
        Assert.Null(outcomes[2].Result);
        Assert.All(outcomes.Where((_, i) => i != 2), o => Assert.Equal(ApplyOutcome.Created, o.Result!.Result));
        Assert.True(target.SawForce);
    }

    [Fact]
    public async Task Cancellation_stops_the_rank()
    {
        var target = new FakeTarget(maxConcurrency: 2) { Delay = TimeSpan.FromSeconds(30) };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var rank = Enumerable.Range(0, 4).Select(i => Object("ConfigMap", $"cm-{i}")).ToList();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ResourceApplier.ApplyRankAsync(target, rank, false, cancel.Token));
    }

    [Fact]
    public async Task A_folder_is_read_recursively_yaml_and_yml_in_path_order()
    {
        Write("b/two.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n");
        Write("a/one.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one-b\n");
        Write("c/notes.txt", "not a manifest");
        Write("0.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: first\n");
        var read = await ManifestReader.ReadPathAsync(root, CancellationToken.None);
        Assert.Equal(["first", "one", "one-b", "two"], read.Select(r => r.Name));
    }

    [Fact]
    public async Task A_bad_document_names_its_file()
    {
        Write("bad.yaml", "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  http:\n  - route:\n    - weight: twenty\n");
        var ex = await Assert.ThrowsAsync<ManifestFormatException>(() => ManifestReader.ReadPathAsync(Path.Combine(root, "bad.yaml"), CancellationToken.None));
        Assert.Contains("bad.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_uri_must_be_http()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ManifestReader.ReadUriAsync(new Uri("file:///etc/passwd"), CancellationToken.None));
    }

    [Fact]
    public async Task The_atomic_writer_replaces_a_file_whole_and_leaves_no_temporary_file()
    {
        var file = Path.Combine(root, "deep", "x.yaml");
        await AtomicFile.WriteAllTextAsync(file, "first\n", CancellationToken.None);
        await AtomicFile.WriteAllTextAsync(file, "second\n", CancellationToken.None);
        Assert.Equal("second\n", await File.ReadAllTextAsync(file));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(file)!));
        Assert.NotEqual(0xEF, File.ReadAllBytes(file)[0]);
    }

    [Fact]
    public async Task The_directory_target_reads_what_it_wrote_and_answers_without_state()
    {
        var target = new DirectoryTarget(Path.Combine(root, "cluster"));
        var first = await target.ApplyAsync(Object("ConfigMap", "settings"), false, CancellationToken.None);
        var again = await target.ApplyAsync(Object("ConfigMap", "settings"), false, CancellationToken.None);
        Assert.Equal(ApplyOutcome.Created, first.Result);
        Assert.Equal(ApplyOutcome.Unchanged, again.Result);
        var listed = await target.ListAsync("cm", "default", CancellationToken.None);
        Assert.Equal("settings", Assert.Single(listed).Name);
        Assert.True(await target.DeleteAsync(listed[0], CancellationToken.None));
        Assert.False(await target.DeleteAsync(listed[0], CancellationToken.None));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => target.ApplyAsync(Object("ConfigMap", "late"), false, cancelled.Token));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private sealed class FakeTarget(int maxConcurrency) : ILabTarget
    {
        private int inFlight;
        private int maxInFlight;

        public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(1);

        public string? FailOn { get; init; }

        public bool SawForce { get; private set; }

        public int MaxInFlight => maxInFlight;

        public int MaxConcurrency => maxConcurrency;

        public async Task<ApplyResult> ApplyAsync(LabResource resource, bool force, CancellationToken cancellationToken)
        {
            SawForce |= force;
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            try
            {
                await Task.Delay(Delay, cancellationToken);
                if (resource.Name == FailOn)
                {
                    throw new ApiStatusException(500, "InternalError", "boom", []);
                }

                return new ApplyResult { Kind = resource.Kind, Namespace = resource.Namespace, Name = resource.Name, Result = ApplyOutcome.Created, Object = resource, Location = "fake" };
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        public Task<IReadOnlyList<LabResource>> ListAsync(string? kind, string? ns, string? name, LabelQuery? selector, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ResourcePreview> PreviewAsync(LabResource resource, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(LabResource resource, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<string> ReadLogAsync(string ns, string pod, string? container, int? tail, bool follow, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<LabResource?> WaitForAsync(string kind, string? ns, string name, Func<LabResource?, bool> done, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

        private static void InterlockedMax(ref int location, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref location)) < value && Interlocked.CompareExchange(ref location, value, seen) != seen)
            {
            }
        }
    }
}
