using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;
using System.Threading;
using GuestbookLab.Engine;
using GuestbookLab.Engine.Kops;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

public class SecretTests
{
    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        return secure;
    }

    private static string Decoded(KubernetesSecret secret) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(secret.Data![RegistrySecretBuilder.DataKey].Reveal()));

    [Fact]
    public void The_dockerconfigjson_is_gos_compact_json_in_kubectls_field_order()
    {
        var secret = RegistrySecretBuilder.Build("ecr-secret", null, "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", "AWS", Secure("TOKEN"), null);
        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "kubectl", "create-secret-docker-registry.dockerconfigjson.decoded")).TrimEnd();
        Assert.Equal(golden, Decoded(secret));
        Assert.Equal(KubernetesSecret.DockerConfigJson, secret.Type);
        Assert.Null(secret.Namespace);
    }

    [Fact]
    public void Go_escapes_html_characters_but_not_base64_ones()
    {
        var secret = RegistrySecretBuilder.Build("s", "ns", "r<&>", "u\"\\", Secure("a+b/c=\n\u2028"), "e@x");
        Assert.Equal(
            "{\"auths\":{\"r\\u003c\\u0026\\u003e\":{\"username\":\"u\\\"\\\\\",\"password\":\"a+b/c=\\n\\u2028\",\"email\":\"e@x\",\"auth\":\"" +
            Convert.ToBase64String(Encoding.UTF8.GetBytes("u\"\\:a+b/c=\n\u2028")) + "\"}}}",
            Decoded(secret));
    }

    [Fact]
    public void Secret_values_survive_cloning_but_are_redacted_in_manifests_unless_included()
    {
        var secret = RegistrySecretBuilder.Build("ecr-secret", "default", "https://r", "AWS", Secure("SECRET-VALUE"), null);
        var clone = ApiObjectMapper.Clone(secret);
        Assert.Contains("SECRET-VALUE", Decoded(clone), StringComparison.Ordinal);
        var redacted = ManifestSerializer.Serialize([clone]);
        Assert.Contains(".dockerconfigjson: <redacted>", redacted, StringComparison.Ordinal);
        var included = ManifestSerializer.Serialize([clone], includeSecrets: true);
        var read = Assert.IsType<KubernetesSecret>(ManifestSerializer.Deserialize(included).Single());
        Assert.Contains("SECRET-VALUE", Decoded(read), StringComparison.Ordinal);
        Assert.Equal(SecretValue.Redacted, read.Data![RegistrySecretBuilder.DataKey].ToString());
        Assert.Equal([RegistrySecretBuilder.DataKey], read.Keys);
    }

    [Fact]
    public void Resolve_reveals_or_redacts_every_secret_in_a_tree()
    {
        var tree = new Dictionary<string, object?> { ["a"] = new List<object?> { SecretValue.FromText("x"), "plain" } };
        Assert.True(SecretValue.Holds(tree));
        Assert.Equal("{a:[\"<redacted>\",\"plain\"]}", ApiObjectMapper.CanonicalKey(SecretValue.Resolve(tree, reveal: false)));
        Assert.Equal("{a:[\"x\",\"plain\"]}", ApiObjectMapper.CanonicalKey(SecretValue.Resolve(tree, reveal: true)));
    }
}

public class KopsClientTests
{
    // Records each call and answers from a table keyed by the subcommand (the words before the first flag).
    private sealed class FakeRunner : IProcessRunner
    {
        public List<ProcessCall> Calls { get; } = [];

        public Dictionary<string, (int Exit, string[] Stdout, string[] Stderr)> Replies { get; } = [];

        public int Run(ProcessCall call, Action<string, bool> onLine, CancellationToken cancellation)
        {
            Calls.Add(call);
            var command = string.Join(' ', call.Arguments.TakeWhile(a => !a.StartsWith('-')));
            if (!Replies.TryGetValue(command, out var reply))
            {
                return 0;
            }

            foreach (var line in reply.Stderr)
            {
                onLine(line, true);
            }

            foreach (var line in reply.Stdout)
            {
                onLine(line, false);
            }

            return reply.Exit;
        }
    }

    private static (KopsClient Client, FakeRunner Runner, List<string> Output) Client()
    {
        var runner = new FakeRunner();
        var output = new List<string>();
        var client = new KopsClient("/bin/kops", runner, new Dictionary<string, string> { ["AWS_REGION"] = "us-east-1" }) { Output = output.Add };
        return (client, runner, output);
    }

    [Fact]
    public void Store_creates_a_new_cluster_and_replaces_an_existing_one()
    {
        var (client, runner, _) = Client();
        var spec = KopsClusterBuilder.Build(new KopsClusterOptions { Name = "a.k8s.local", StateStore = "s3://lab-state", Zones = ["us-east-1a"] });
        runner.Replies["get cluster"] = (1, [], ["Error: cluster not found \"a.k8s.local\""]);
        Assert.Equal("Created", client.Store("a.k8s.local", "s3://b", spec, CancellationToken.None));
        Assert.Equal(["create", "-f"], runner.Calls[1].Arguments.Take(2));
        Assert.False(File.Exists(runner.Calls[1].Arguments[2]));
        Assert.Equal("us-east-1", runner.Calls[1].Environment["AWS_REGION"]);
        runner.Replies.Clear();
        Assert.Equal("Replaced", client.Store("a.k8s.local", "s3://b", spec, CancellationToken.None));
        Assert.Equal("replace", runner.Calls[3].Arguments[0]);
        Assert.Equal("--force", runner.Calls[3].Arguments[^1]);
    }

    [Fact]
    public void A_state_store_bucket_that_is_gone_holds_no_cluster()
    {
        var (client, runner, _) = Client();
        runner.Replies["get cluster"] = (1, [], ["Error: error reading cluster configuration: NoSuchBucket: The specified bucket does not exist"]);
        Assert.False(client.Exists("a.k8s.local", "s3://lab-state", CancellationToken.None));
    }

    [Fact]
    public void A_failing_lookup_that_is_not_not_found_is_an_error()
    {
        var (client, runner, _) = Client();
        runner.Replies["get cluster"] = (1, [], ["Error: NoCredentialProviders: no valid providers in chain"]);
        var error = Assert.Throws<KopsException>(() => client.Exists("a.k8s.local", "s3://b", CancellationToken.None));
        Assert.Equal(1, error.ExitCode);
        Assert.Contains("NoCredentialProviders", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(600, "10m0s")]
    [InlineData(90, "1m30s")]
    [InlineData(5400, "1h30m0s")]
    [InlineData(45, "45s")]
    public void Durations_are_written_as_go_writes_them(int seconds, string expected)
    {
        var (client, runner, _) = Client();
        runner.Replies["validate cluster"] = (0, ["{\"failures\":[],\"nodes\":[]}"], []);
        client.Validate("a.k8s.local", "s3://b", TimeSpan.FromSeconds(seconds), null, CancellationToken.None);
        Assert.Equal(expected, runner.Calls[0].Arguments[runner.Calls[0].Arguments.ToList().IndexOf("--wait") + 1]);
    }

    [Fact]
    public void Validate_reads_kops_json_and_relays_progress_lines()
    {
        var (client, runner, output) = Client();
        runner.Replies["validate cluster"] = (2, ["{\"failures\":[{\"type\":\"Pod\",\"name\":\"kube-system/kube-flannel-ds-x\",\"message\":\"not ready\"}],", "\"nodes\":[{\"name\":\"i-1\",\"role\":\"node\",\"zone\":\"us-east-1a\",\"status\":\"False\"}]}"], ["Validation failed: pods not ready"]);
        var result = client.Validate("a.k8s.local", "s3://b", TimeSpan.FromMinutes(1), 2, CancellationToken.None);
        Assert.False(result.Ready);
        Assert.Equal(new LabClusterFailure("Pod", "kube-system/kube-flannel-ds-x", "not ready"), Assert.Single(result.Failures));
        Assert.False(Assert.Single(result.Nodes).Ready);
        Assert.Equal(["Validation failed: pods not ready", "kops validate: 1 failure(s): Pod kube-system/kube-flannel-ds-x: not ready"], output);
        Assert.Equal(["--count", "2"], runner.Calls[0].Arguments.TakeLast(2));
    }

    [Fact]
    public void Validate_reports_each_attempt_and_answers_with_the_last()
    {
        // kops -o json writes one object per attempt, with no separator; braces and quotes inside strings do not count.
        var (client, runner, output) = Client();
        runner.Replies["validate cluster"] = (0,
            ["{\"failures\":[{\"type\":\"Node\",\"name\":\"i-2\",\"message\":\"node \\\"i-2\\\" {not} ready\"}]}{\"nodes\":[{\"name\":\"i-1\",", "\"status\":\"True\"}]}"],
            []);
        var result = client.Validate("a.k8s.local", "s3://b", TimeSpan.FromMinutes(1), null, CancellationToken.None);
        Assert.True(result.Ready);
        Assert.Equal("i-1", Assert.Single(result.Nodes).Name);
        Assert.Equal(["kops validate: 1 failure(s): Node i-2: node \"i-2\" {not} ready", "kops validate: 1 node(s), no failures"], output);
    }

    [Fact]
    public void Validate_without_json_is_an_error_with_the_last_lines()
    {
        var (client, runner, _) = Client();
        runner.Replies["validate cluster"] = (1, [], Enumerable.Range(1, 30).Select(i => $"line {i}").ToArray());
        var error = Assert.Throws<KopsException>(() => client.Validate("a.k8s.local", "s3://b", TimeSpan.FromMinutes(1), null, CancellationToken.None));
        Assert.Equal(15, error.LastLines.Count);
        Assert.Equal("line 30", error.LastLines[^1]);
    }

    [Fact]
    public void Delete_runs_only_when_the_cluster_is_there()
    {
        var (client, runner, _) = Client();
        runner.Replies["get cluster"] = (1, [], ["cluster not found"]);
        Assert.False(client.Delete("a.k8s.local", "s3://b", CancellationToken.None));
        Assert.Single(runner.Calls);
        runner.Replies.Clear();
        Assert.True(client.Delete("a.k8s.local", "s3://b", CancellationToken.None));
        Assert.Equal(["delete", "cluster", "--name", "a.k8s.local", "--state", "s3://b", "--yes"], runner.Calls[^1].Arguments);
    }

    [Fact]
    public void A_missing_kops_says_how_to_install_it()
    {
        var error = Assert.Throws<KopsNotFoundException>(() => KopsClient.Find("/no/such/kops"));
        Assert.Contains("github.com/kubernetes/kops/releases", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_system_runner_streams_lines_and_kills_the_process_on_cancellation()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var lines = new List<string>();
        var exit = SystemProcessRunner.Instance.Run(new ProcessCall("/bin/sh", ["-c", "echo one; echo two >&2; exit 3"], new Dictionary<string, string>()), (l, _) => lines.Add(l), CancellationToken.None);
        Assert.Equal(3, exit);
        Assert.Equal(["one", "two"], lines.Order(StringComparer.Ordinal));

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => SystemProcessRunner.Instance.Run(new ProcessCall("/bin/sh", ["-c", "sleep 30"], new Dictionary<string, string>()), (_, _) => { }, stop.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }
}
