using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Wait-LabRollout and Wait-LabResource judge objects as kubectl 1.35's rollout status and wait do.</summary>
public sealed class ReadinessTests
{
    private static LabResource Read(string kind, string spec, string status, long generation = 1)
        => ManifestSerializer.Deserialize($"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: w, generation: {generation}}}\nspec: {spec}\nstatus: {status}").Single();

    [Theory]
    [InlineData("{}", false, "Waiting for deployment spec update to be observed...")]
    [InlineData("{observedGeneration: 1, replicas: 1, updatedReplicas: 1}", false, "Waiting for deployment \"w\" rollout to finish: 1 out of 2 new replicas have been updated...")]
    [InlineData("{observedGeneration: 1, replicas: 3, updatedReplicas: 2}", false, "Waiting for deployment \"w\" rollout to finish: 1 old replicas are pending termination...")]
    [InlineData("{observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1}", false, "Waiting for deployment \"w\" rollout to finish: 1 of 2 updated replicas are available...")]
    [InlineData("{observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2}", true, "deployment \"w\" successfully rolled out")]
    [InlineData("{observedGeneration: 1, conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]}", false, "deployment \"w\" exceeded its progress deadline")]
    public void Deployments_roll_out_as_kubectl_says(string status, bool done, string message)
        => Assert.Equal(new WaitState(done, message), Readiness.Rollout(Read("Deployment", "{replicas: 2, template: {spec: {containers: [{name: a}]}}}", status), "Deployment", "w"));

    [Fact]
    public void StatefulSets_and_DaemonSets_roll_out_as_kubectl_says()
    {
        Assert.Equal("Waiting for 1 pods to be ready...", Readiness.Rollout(Read("StatefulSet", "{replicas: 1}", "{observedGeneration: 1}"), "StatefulSet", "w").Message);
        Assert.Equal(new WaitState(false, "waiting for statefulset rolling update to complete 0 pods at revision w-2..."),
            Readiness.Rollout(Read("StatefulSet", "{replicas: 1}", "{observedGeneration: 1, readyReplicas: 1, currentRevision: w-1, updateRevision: w-2}"), "StatefulSet", "w"));
        Assert.True(Readiness.Rollout(Read("StatefulSet", "{replicas: 1}", "{observedGeneration: 1, readyReplicas: 1, currentReplicas: 1, currentRevision: w-1, updateRevision: w-1}"), "StatefulSet", "w").Done);
        Assert.Equal("Waiting for daemon set \"w\" rollout to finish: 2 of 4 updated pods are available...",
            Readiness.Rollout(Read("DaemonSet", "{}", "{observedGeneration: 1, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 2}"), "DaemonSet", "w").Message);
        Assert.False(Readiness.Rollout(null, "Deployment", "w").Done);
    }

    [Fact]
    public void Workloads_read_back_show_kubectl_get_columns()
    {
        var now = System.DateTimeOffset.Parse("2026-12-02T12:10:00Z", System.Globalization.CultureInfo.InvariantCulture);
        LabResource Created(string kind, string spec, string status) => ManifestSerializer.Deserialize(
            $"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: w, creationTimestamp: '2026-12-02T12:00:00Z'}}\nspec: {spec}\nstatus: {status}").Single();
        Assert.Equal(new WorkloadColumns("1/3", 2, 1, "10m"), WorkloadStatus.Columns(Created("Deployment", "{replicas: 3}", "{readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1}"), now));
        Assert.Equal(new WorkloadColumns("0/1", 0, 0, "10m"), WorkloadStatus.Columns(Created("Deployment", "{}", "{}"), now));
        Assert.Equal("ready 1/1; age 10m", WorkloadStatus.Columns(Created("StatefulSet", "{replicas: 1}", "{readyReplicas: 1}"), now)!.ToString());
        Assert.Equal(new WorkloadColumns("2/4", 4, 2, "10m"), WorkloadStatus.Columns(Created("DaemonSet", "{}", "{desiredNumberScheduled: 4, numberReady: 2, updatedNumberScheduled: 4, numberAvailable: 2}"), now));
        Assert.Null(WorkloadStatus.Columns(ManifestSerializer.Deserialize("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {replicas: 1}").Single(), now));
        Assert.Equal("<unknown>", WorkloadStatus.Columns(Read("Deployment", "{}", "{}"), now)!.Age);
    }

    [Fact]
    public void Conditions_are_met_by_type_and_status()
    {
        var deploy = Read("Deployment", "{}", "{conditions: [{type: Available, status: 'True', reason: MinimumReplicasAvailable}, {type: Progressing, status: 'False'}]}");
        Assert.Equal(new WaitState(true, "Deployment \"w\" condition met: Available=True (MinimumReplicasAvailable)"), Readiness.Condition(deploy, "Deployment", "w", "available", "True"));
        Assert.False(Readiness.Condition(deploy, "Deployment", "w", "Progressing", "True").Done);
        Assert.True(Readiness.Condition(deploy, "Deployment", "w", "Progressing", "False").Done);
        Assert.Equal("Deployment \"w\" has no condition Ready yet", Readiness.Condition(deploy, "Deployment", "w", "Ready", "True").Message);
    }
}
