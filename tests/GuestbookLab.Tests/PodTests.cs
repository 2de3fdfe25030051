using System;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Get-LabPod's columns follow kubectl 1.35's pod printer (READY, STATUS, RESTARTS, AGE).</summary>
public sealed class PodTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static LabPod Pod(string spec, string status, string metadata = "")
    {
        var yaml = $"apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: default, creationTimestamp: '2026-11-30T11:59:13Z'{metadata}}}\nspec: {spec}\nstatus: {status}";
        return PodStatus.From(ManifestSerializer.Deserialize(yaml).Single(), Now);
    }

    private const string TwoContainers = "{containers: [{name: guestbook-service}, {name: istio-proxy}]}";

    [Fact]
    public void A_running_pod_with_its_sidecar_reads_like_the_codelab()
    {
        var pod = Pod(TwoContainers, "{phase: Running, containerStatuses: [{name: guestbook-service, ready: true, restartCount: 0, state: {running: {}}}, {name: istio-proxy, ready: true, restartCount: 0, state: {running: {}}}]}");
        Assert.Equal(("2/2", "Running", "0", "47s", true), (pod.Ready, pod.Status, pod.RestartsText, pod.Age, pod.SidecarInjected));
    }

    [Fact]
    public void A_container_failing_its_probe_is_one_of_two_ready()
    {
        var pod = Pod(TwoContainers, "{phase: Running, containerStatuses: [{name: guestbook-service, ready: false, restartCount: 0, state: {running: {}}}, {name: istio-proxy, ready: true, restartCount: 0, state: {running: {}}}]}");
        Assert.Equal(("1/2", "Running"), (pod.Ready, pod.Status));
    }

    [Fact]
    public void A_waiting_reason_is_the_status_and_restarts_say_when()
    {
        var pod = Pod(TwoContainers, "{phase: Running, containerStatuses: [{name: guestbook-service, ready: false, restartCount: 3, lastState: {terminated: {exitCode: 1, finishedAt: '2026-11-30T11:55:00Z'}}, state: {waiting: {reason: CrashLoopBackOff}}}, {name: istio-proxy, ready: true, restartCount: 0, state: {running: {}}}]}");
        Assert.Equal(("1/2", "CrashLoopBackOff", 3, "3 (5m ago)"), (pod.Ready, pod.Status, pod.Restarts, pod.RestartsText));
    }

    [Fact]
    public void Init_containers_show_progress_then_their_failure()
    {
        const string spec = "{initContainers: [{name: istio-init}, {name: setup}], containers: [{name: app}, {name: istio-proxy}]}";
        var running = Pod(spec, "{phase: Pending, initContainerStatuses: [{name: istio-init, state: {terminated: {exitCode: 0}}}, {name: setup, state: {running: {}}}]}");
        Assert.Equal(("Init:1/2", "0/2"), (running.Status, running.Ready));
        var failed = Pod(spec, "{phase: Pending, initContainerStatuses: [{name: istio-init, state: {terminated: {exitCode: 126}}}]}");
        Assert.Equal("Init:ExitCode:126", failed.Status);
        var waiting = Pod(spec, "{phase: Pending, initContainerStatuses: [{name: istio-init, state: {waiting: {reason: ImagePullBackOff}}}]}");
        Assert.Equal("Init:ImagePullBackOff", waiting.Status);
    }

    [Fact]
    public void A_sidecar_init_container_counts_as_a_container()
    {
        var pod = Pod("{initContainers: [{name: istio-proxy, restartPolicy: Always}], containers: [{name: app}]}",
            "{phase: Running, initContainerStatuses: [{name: istio-proxy, started: true, ready: true, state: {running: {}}}], containerStatuses: [{name: app, ready: true, state: {running: {}}}]}");
        Assert.Equal(("2/2", "Running", true), (pod.Ready, pod.Status, pod.SidecarInjected));
    }

    [Fact]
    public void Deletion_and_completion_read_as_kubectl_shows_them()
    {
        Assert.Equal("Terminating", Pod(TwoContainers, "{phase: Running}", ", deletionTimestamp: '2026-11-30T11:59:50Z'").Status);
        Assert.Equal("Completed", Pod("{containers: [{name: job}]}", "{phase: Succeeded, containerStatuses: [{name: job, state: {terminated: {exitCode: 0, reason: Completed}}}]}").Status);
        Assert.Equal("ExitCode:2", Pod("{containers: [{name: job}]}", "{phase: Failed, containerStatuses: [{name: job, state: {terminated: {exitCode: 2}}}]}").Status);
        Assert.Equal("Evicted", Pod("{containers: [{name: app}]}", "{phase: Failed, reason: Evicted}").Status);
        var fresh = Pod("{containers: [{name: app}]}", "{phase: Pending}");
        Assert.Equal(("0/1", "Pending", false), (fresh.Ready, fresh.Status, fresh.SidecarInjected));
    }

    [Theory]
    [InlineData(-5, "<invalid>")]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(143, "2m23s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 20 * 60, "3h20m")]
    [InlineData(9 * 3600, "9h")]
    [InlineData(3 * 86400 + 4 * 3600, "3d4h")]
    [InlineData(30 * 86400, "30d")]
    [InlineData(3 * 365 * 86400 + 86400, "3y1d")]
    [InlineData(9 * 365 * 86400, "9y")]
    public void Ages_are_written_as_kubectl_writes_them(long seconds, string expected)
        => Assert.Equal(expected, PodStatus.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Only_pods_are_summarized()
        => Assert.Throws<ArgumentException>(() => PodStatus.From(ManifestSerializer.Deserialize("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}").Single(), Now));
}
