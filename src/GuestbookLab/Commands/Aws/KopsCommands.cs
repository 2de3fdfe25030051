using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using GuestbookLab.Engine.Kops;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Aws;

/// <summary>
/// Base of the cmdlets that run kops: finds it (-KopsPath or PATH), runs it with the AWS parameters as its environment,
/// and relays what it prints (from kops's own threads) to the verbose stream or a progress bar on the pipeline thread.
/// </summary>
public abstract class KopsCmdlet : AwsCmdlet
{
    /// <summary>The kops executable; by default the first kops on PATH.</summary>
    [Parameter]
    public string? KopsPath { get; set; }

    /// <summary>Runs kops commands on a worker thread; their lines reach <paramref name="onLine"/> on this thread.</summary>
    protected T RunKops<T>(Func<KopsClient, T> work, Action<string> onLine)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(onLine);
        string path;
        try
        {
            path = KopsClient.Find(KopsPath is null ? null : GetUnresolvedProviderPathFromPSPath(KopsPath));
        }
        catch (KopsNotFoundException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.KopsNotFound, ex, KopsPath ?? "kops"));
            throw;
        }

        var environment = ChildEnvironment();
        try
        {
            return Pump(post =>
            {
                var client = new KopsClient(path, SystemProcessRunner.Instance, environment)
                {
                    Output = line => post(() => onLine(line)),
                    Command = command => post(() => WriteVerbose($"Running {command}")),
                };
                return Task.Run(() => work(client));
            });
        }
        catch (KopsException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.KopsFailed, ex, null));
            throw;
        }
        catch (KopsNotFoundException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.KopsNotFound, ex, path));
            throw;
        }
    }

    /// <summary>Checks a cluster name and state store as kops would, before kops runs.</summary>
    protected void CheckNameAndStore(string name, string stateStore)
    {
        var check = new ValidationResult();
        KopsClusterBuilder.ClusterName(check, name, warnWithoutGossip: false);
        AwsRules.StateStore(check, "-StateStore", stateStore);
        ThrowIfInvalid(check, name);
    }
}

/// <summary>Base of the kops cmdlets that name one cluster: -Name and -StateStore, bound from the pipeline by property name.</summary>
public abstract class KopsClusterCmdlet : KopsCmdlet
{
    /// <summary>The cluster's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The kops state store, s3://bucket.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string StateStore { get; set; } = null!;
}

/// <summary>Creates the cluster with kops from spec objects: kops create -f, then kops update cluster --yes --admin.</summary>
/// <remarks>
/// Takes New-LabCluster's objects (or kops YAML read with ConvertFrom-LabYaml) from the pipeline. The spec (Cluster,
/// InstanceGroups, SSHCredential) is written to the state store with `kops create -f` (or `kops replace -f` when the
/// cluster's spec is already there, so the step can be re-run), then `kops update cluster --yes --admin` builds the
/// AWS resources and exports the kubeconfig context named after the cluster. kops's output goes to the verbose stream;
/// a failure is the error KopsFailed with its last lines. Nothing runs with -WhatIf.
/// </remarks>
/// <example>
/// <code>New-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://your-name-state-store -Zones us-east-1a | Publish-LabCluster -WhatIf</code>
/// <para>Says what would be created; without -WhatIf, creates the cluster.</para>
/// </example>
[Cmdlet(VerbsData.Publish, "LabCluster", SupportsShouldProcess = true)]
[OutputType(typeof(LabClusterState))]
public sealed class PublishLabClusterCommand : KopsCmdlet
{
    private readonly List<LabResource> received = [];

    /// <summary>The kops objects: a Cluster and its InstanceGroups (and SSHCredential).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>The state store; by default the one in the Cluster's spec.configBase.</summary>
    [Parameter]
    public string? StateStore { get; set; }

    /// <summary>How long the exported admin credentials last (kops update --admin); 18h by default.</summary>
    [Parameter]
    [MeshDurationTransformation]
    public MeshDuration AdminTtl { get; set; } = MeshDuration.Parse("18h");

    protected override void ProcessRecord() => received.AddRange(InputObject);

    protected override void EndProcessing()
    {
        var check = new ValidationResult();
        Rules.Duration(check, "-AdminTtl", AdminTtl);
        ThrowIfInvalid(check, AdminTtl);
        foreach (var other in received.Where(r => r is not KopsResource))
        {
            WriteError(LabErrors.Create(ErrorIds.InvalidResource, Messages.NotKops(other.DisplayName), other));
        }

        var groups = received.OfType<KopsResource>().GroupBy(r => r.ClusterName, StringComparer.Ordinal).ToList();
        if (groups.Count == 0)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.NoApplicableInput, Messages.NoKopsObjects, null));
        }

        foreach (var group in groups)
        {
            var objects = group.ToList();
            var clusters = objects.OfType<KopsCluster>().ToList();
            if (clusters.Count != 1)
            {
                WriteError(LabErrors.Create(ErrorIds.InvalidClusterSpec,
                    Messages.ClusterCount(group.Key, clusters.Count, KopsKinds.ClusterLabel), group.Key));
                continue;
            }

            var cluster = clusters[0];
            var store = StateStore ?? cluster.StateStore ?? string.Empty;
            CheckNameAndStore(cluster.Name, store);
            if (cluster.StateStore != store)
            {
                // kops keeps the cluster's files where spec.configBase says: it must name the store the spec goes to.
                var moved = ApiObjectMapper.Clone(cluster);
                moved.Spec["configBase"] = store.TrimEnd('/') + "/" + cluster.Name;
                objects[objects.IndexOf(cluster)] = moved;
                cluster = moved;
            }
            var groupsCount = objects.OfType<KopsInstanceGroup>().Count();
            if (!objects.OfType<KopsSshCredential>().Any())
            {
                WriteWarning($"The spec of {cluster.Name} has no SSH key, so its instances will have none: the codelab makes one with ssh-keygen; give New-LabCluster -SshPublicKey ~/.ssh/id_rsa.pub to install it.");
            }

            if (!ShouldProcess($"cluster {cluster.Name} ({groupsCount} instance groups) in {store}", "Create with kops and build its AWS resources"))
            {
                continue;
            }

            var ttl = AdminTtl.TimeSpan;
            var state = RunKops(kops =>
            {
                var stored = kops.Store(cluster.Name, store, objects, CancellationToken);
                kops.Update(cluster.Name, store, ttl, CancellationToken);
                return stored;
            }, WriteVerbose);
            WriteObject(new LabClusterState(cluster.Name, store, state) { Context = cluster.Name });
        }
    }
}

/// <summary>Waits until kops validates the cluster: kops validate cluster --wait, with a progress bar.</summary>
/// <remarks>
/// Runs `kops validate cluster --wait TIMEOUT -o json` (it needs the kubeconfig context Publish-LabCluster exported)
/// and shows kops's progress as it polls. The result lists the nodes and any failures; a cluster that is not ready
/// when the time is up is the error ClusterNotReady, naming each failure. Pipe Publish-LabCluster's output to it.
/// </remarks>
/// <example>
/// <code>Wait-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://your-name-state-store -Timeout 10m</code>
/// <para>The codelab's kops validate cluster --wait 10m. (Needs kops and AWS credentials.)</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "LabCluster")]
[OutputType(typeof(LabClusterValidation))]
public sealed class WaitLabClusterCommand : KopsClusterCmdlet
{
    /// <summary>How long to wait: a duration (10m, 15m), a TimeSpan or a number of seconds; 10 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many consecutive successful validations are needed (kops --count).</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int? Count { get; set; }

    protected override void ProcessRecord()
    {
        CheckNameAndStore(Name, StateStore);
        var timeout = Timeout;
        var clock = Stopwatch.StartNew();
        var progress = new ProgressRecord(1, $"Validating cluster {Name}", "Waiting for kops validate cluster");
        var result = RunKops(kops => kops.Validate(Name, StateStore, timeout, Count, CancellationToken), line =>
        {
            WriteVerbose(line);
            progress.StatusDescription = line.Length > 120 ? line[..120] : line;
            progress.PercentComplete = (int)Math.Min(99, 100 * clock.Elapsed.TotalSeconds / Math.Max(1, timeout.TotalSeconds));
            ShowProgress(progress);
        });
        progress.RecordType = ProgressRecordType.Completed;
        ShowProgress(progress);
        if (result.Ready)
        {
            WriteVerbose($"Your cluster {Name} is ready.");
            WriteObject(result);
            return;
        }

        WriteError(LabErrors.Create(ErrorIds.ClusterNotReady,
            Messages.ClusterNotReady(Name, MeshDuration.FromTimeSpan(Timeout).ToString(), result.Failures.Select(f => $"{f.Kind} {f.Name}: {f.Message}")), result));
    }
}

/// <summary>Deletes the cluster and every AWS resource kops made for it: kops delete cluster --yes.</summary>
/// <remarks>
/// A cluster that is not in the state store is not an error (it is reported on the verbose stream), so teardown can be
/// re-run. ConfirmImpact is High. Binds Name and StateStore from New-LabCluster's Cluster or Publish-LabCluster's output.
/// </remarks>
/// <example>
/// <code>Remove-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://your-name-state-store -WhatIf</code>
/// <para>Says what would be deleted; with -Confirm:$false instead, deletes it.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "LabCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLabClusterCommand : KopsClusterCmdlet
{
    protected override void ProcessRecord()
    {
        CheckNameAndStore(Name, StateStore);
        if (!ShouldProcess($"cluster {Name} in {StateStore} and every AWS resource kops made for it", "Delete with kops"))
        {
            return;
        }

        var deleted = RunKops(kops => kops.Delete(Name, StateStore, CancellationToken), WriteVerbose);
        WriteVerbose(deleted ? $"Deleted cluster {Name}." : $"The cluster {Name} is not in {StateStore}: nothing to delete.");
    }
}
