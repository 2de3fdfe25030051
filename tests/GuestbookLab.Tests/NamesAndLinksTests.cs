using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>
/// Names before URL paths, symbolic links in folders, a folder's limits, and limits changed by name (issue 16).
/// </summary>
public sealed class NamesAndLinksTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "names-links-" + Guid.NewGuid().ToString("N"));

    public NamesAndLinksTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("ConfigMap", "default", "../secrets", "metadata.name")]
    [InlineData("ConfigMap", "default", "a/b", "metadata.name")]
    [InlineData("ConfigMap", "default", "..", "metadata.name")]
    [InlineData("ConfigMap", "default", "a%2Fb", "metadata.name")]
    [InlineData("ConfigMap", "default", "a?watch=true", "metadata.name")]
    [InlineData("ConfigMap", "default", "a#b", "metadata.name")]
    [InlineData("ConfigMap", "default", "a\0b", "metadata.name")]
    [InlineData("ConfigMap", "default", "Upper", "metadata.name")]
    [InlineData("ConfigMap", "default", "", "metadata.name")]
    [InlineData("ConfigMap", "../kube-system", "a", "metadata.namespace")]
    [InlineData("ConfigMap", "a.b", "a", "metadata.namespace")]
    [InlineData("ClusterRole", null, "a/b", "metadata.name")]
    [InlineData("ClusterRole", null, "..", "metadata.name")]
    public void Names_that_would_change_the_URL_path_are_refused_with_the_field(string kind, string? ns, string name, string field)
    {
        var problem = ApiNames.Problem(kind, ns, name);
        Assert.NotNull(problem);
        Assert.Equal(field, problem.Value.Field);
        var ex = Assert.Throws<UnsafeObjectNameException>(() => ApiNames.Check(kind, ns, name, "https://127.0.0.1:6443"));
        Assert.Equal(field, ex.Field);
        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing is sent to https://127.0.0.1:6443", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', ex.Message);
    }

    [Theory]
    [InlineData("ConfigMap", "default", "guestbook-ui.v2")]
    [InlineData("Namespace", null, "istio-system")]
    [InlineData("ClusterRole", null, "system:controller:guestbook")]
    [InlineData("Gateway", "default", "guestbook-ui-gateway")]
    public void Kubernetes_names_pass(string kind, string? ns, string name) => Assert.Null(ApiNames.Problem(kind, ns, name));

    [Fact]
    public void A_look_up_by_short_kind_name_holds_the_name_to_the_path_segment_rule()
    {
        Assert.Null(ApiNames.Problem("clusterroles", null, "system:controller:x", strict: false));
        Assert.NotNull(ApiNames.Problem("cm", null, "../x", strict: false));
    }

    [Fact]
    public void Limits_change_by_name_and_refuse_unknown_names_and_bad_values()
    {
        var limits = ManifestLimits.Default.With("maxbytes", 64L * 1024 * 1024).With("MaxFolderFiles", 3).With("DownloadTimeout", 5);
        Assert.Equal(64L * 1024 * 1024, limits.MaxBytes);
        Assert.Equal(3, limits.MaxFolderFiles);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.DownloadTimeout);
        Assert.Equal(ManifestLimits.DefaultMaxDepth, limits.MaxDepth);
        Assert.Contains("MaxFolderBytes", Assert.Throws<ArgumentException>(() => ManifestLimits.Default.With("MaxSize", 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ManifestLimits.Default.With("MaxDepth", 0));
        Assert.Throws<ArgumentException>(() => ManifestLimits.Default.With("MaxDepth", 1.5));
        Assert.Throws<ArgumentException>(() => ManifestLimits.Default.With("MaxDepth", "many"));
        Assert.Throws<ArgumentException>(() => ManifestLimits.Default.With("DownloadTimeout", -1));
    }

    [Fact]
    public async Task A_folder_over_its_file_count_or_total_size_is_refused_before_any_file_is_read()
    {
        for (var i = 0; i < 4; i++)
        {
            File.WriteAllText(Path.Combine(root, $"cm{i}.yaml"), $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}}}\n");
        }

        var many = await Assert.ThrowsAsync<ManifestFormatException>(() => ManifestReader.ReadPathAsync(root, ManifestLimits.Default with { MaxFolderFiles = 3 }, CancellationToken.None));
        Assert.Equal(nameof(ManifestLimits.MaxFolderFiles), many.Limit);
        Assert.Contains("more than 3 manifest files", many.Message, StringComparison.Ordinal);
        var large = await Assert.ThrowsAsync<ManifestFormatException>(() => ManifestReader.ReadPathAsync(root, ManifestLimits.Default with { MaxFolderBytes = 100 }, CancellationToken.None));
        Assert.Equal(nameof(ManifestLimits.MaxFolderBytes), large.Limit);
        Assert.Contains("100 bytes", large.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await ManifestReader.ReadPathAsync(root, ManifestLimits.Default with { MaxFolderFiles = 4 }, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_folder_read_does_not_follow_links_out_of_it()
    {
        var outside = Path.Combine(root, "outside");
        var folder = Path.Combine(root, "lab");
        Directory.CreateDirectory(Path.Combine(outside, "deep"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(outside, "deep", "secret.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside-dir}\n");
        File.WriteAllText(Path.Combine(outside, "file.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside-file}\n");
        File.WriteAllText(Path.Combine(folder, "own.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n");
        Directory.CreateSymbolicLink(Path.Combine(folder, "linked"), Path.Combine(outside, "deep"));
        File.CreateSymbolicLink(Path.Combine(folder, "linked.yaml"), Path.Combine(outside, "file.yaml"));
        File.CreateSymbolicLink(Path.Combine(folder, "alias.yaml"), Path.Combine(folder, "own.yaml"));
        var skipped = new List<string>();
        var read = await ManifestReader.ReadPathAsync(folder, ManifestLimits.Default, skipped, CancellationToken.None);
        Assert.Equal(["own", "own"], read.Select(r => r.Name).ToArray());
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, s => s.StartsWith("linked is a symbolic link to a folder", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("linked.yaml is a symbolic link to a file", StringComparison.Ordinal) && s.Contains("outside the folder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_directory_target_never_writes_or_removes_through_a_planted_link()
    {
        var outside = Path.Combine(root, "outside");
        var folder = Path.Combine(root, "cluster");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(folder);
        Directory.CreateSymbolicLink(Path.Combine(folder, "default"), outside);
        Directory.CreateDirectory(Path.Combine(folder, "other"));
        var victim = Path.Combine(outside, "victim.txt");
        File.WriteAllText(victim, "keep");
        File.CreateSymbolicLink(Path.Combine(folder, "other", "configmap-settings.yaml"), victim);
        var target = new DirectoryTarget(folder);
        var inDefault = ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\n")[0];
        var inOther = ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: other}\n")[0];
        var ex = await Assert.ThrowsAsync<UnsafeObjectPathException>(() => target.ApplyAsync(inDefault, force: false, CancellationToken.None));
        Assert.Contains("is a symbolic link", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnsafeObjectPathException>(() => target.ApplyAsync(inOther, force: false, CancellationToken.None));
        await Assert.ThrowsAsync<UnsafeObjectPathException>(() => target.DeleteAsync(inOther, CancellationToken.None));
        Assert.Equal([victim], Directory.GetFiles(outside));
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.True(File.Exists(Path.Combine(folder, "other", "configmap-settings.yaml")), "the link itself is left");
        Assert.Empty(await target.ListAsync(null, null, null, null, CancellationToken.None));
    }
}
