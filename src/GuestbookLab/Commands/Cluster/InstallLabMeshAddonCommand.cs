using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Installs Istio's telemetry addons (Prometheus, Grafana, Kiali, Zipkin) as the codelab applies them.</summary>
/// <remarks>
/// Applies Istio 1.17.8's addon manifests, shipped inside the module (Addons/istio-1.17.8, Apache-2.0, licence beside
/// them), to the connected target, as the codelab's 'kubectl apply -f samples/addons/...' does (through
/// Publish-LabResource's machinery: dependency order, server-side apply, one result per object), then watches each
/// addon's Deployment in istio-system until it has rolled out (as kubectl rollout status). -Uri applies other copies
/// instead, for example the official ones at https://raw.githubusercontent.com/istio/istio/release-1.17/samples/addons/.
/// Running it again changes nothing (every object is Unchanged). zipkin is the codelab's extras/zipkin.yaml; it and
/// jaeger.yaml define the same Services (istio-system/tracing and istio-system/zipkin), so asking for both, or for one
/// while the other runs, is the error AddonConflict and nothing is applied. A rollout that does not finish within
/// -Timeout is the non-terminating error WaitTimedOut for that addon; a manifest folder target has no controllers, so
/// there the objects are written and the wait is skipped with a warning.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Install-LabMeshAddon -Name zipkin, prometheus, grafana, kiali -WarningAction SilentlyContinue | Format-Table Name, Service, Port</code>
/// <para>The codelab's four addons, written to a manifest folder (on a cluster, each is also waited for).</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Install-LabMeshAddon -Name kiali -WarningAction SilentlyContinue | Out-Null
/// (Install-LabMeshAddon -Name kiali -WarningAction SilentlyContinue).Applied | Format-Table Kind, Name, Result</code>
/// <para>A second run changes nothing: every object is Unchanged. With a connection to a cluster that can reach GitHub,
/// -Uri https://raw.githubusercontent.com/istio/istio/release-1.17/samples/addons/kiali.yaml applies Istio's own copy.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Install, "LabMeshAddon", SupportsShouldProcess = true)]
[OutputType(typeof(MeshAddon))]
public sealed class InstallLabMeshAddonCommand : TargetCmdlet
{
    /// <summary>The addons: prometheus, grafana, kiali, zipkin (or jaeger, instead of zipkin).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("prometheus", "grafana", "kiali", "zipkin", "jaeger")]
    public string[] Name { get; set; } = null!;

    /// <summary>Manifest URLs to apply instead of the copies shipped in the module, one per -Name, in the same order.</summary>
    [Parameter]
    public Uri[] Uri { get; set; } = [];

    /// <summary>How long to wait for each addon's rollout: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override void EndProcessing()
    {
        var options = new AddonOptions { Name = Name, Uri = Uri };
        ThrowIfInvalid(MeshAddons.Validate(options), Name);
        var (connection, target) = OpenTarget();
        var running = Call(target.ListAsync("Deployment", MeshAddons.Namespace, CancellationToken), connection)
            .Select(d => d.Name).Where(n => n is "jaeger" or "zipkin" && !Name.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        ThrowIfInvalid(MeshAddons.Validate(options with { Installed = running }), Name);

        var folder = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(InstallLabMeshAddonCommand).Assembly.Location)!, "Addons", "istio-" + MeshAddons.IstioVersion);
        for (var i = 0; i < Name.Length; i++)
        {
            var addon = MeshAddons.Find(Name[i])!;
            var source = Uri.Length > 0 ? Uri[i].ToString() : System.IO.Path.Combine(folder, addon.File);
            var resources = Uri.Length > 0 ? ReadManifests(null, null, [Uri[i]], ManifestErrors.Stop) : ReadManifests(null, [source], null, ManifestErrors.Stop);
            if (!ShouldProcess($"{addon.Name}: {resources.Count} objects from {source}", $"Apply to {connection}"))
            {
                continue;
            }

            var applied = Apply(target, resources);
            if (applied is null)
            {
                continue;
            }

            WriteObject(new MeshAddon
            {
                Name = addon.Name,
                IstioVersion = MeshAddons.IstioVersion,
                Source = source,
                Applied = applied,
                Deployment = WaitForRollout(target, connection, addon),
                Service = addon.Service,
                Port = addon.Port,
            });
        }
    }

    // The results of applying every object, or null when one failed (its error written).
    private List<ApplyResult>? Apply(ILabTarget target, IReadOnlyList<LabResource> resources)
    {
        var results = new List<ApplyResult>();
        var failed = false;
        foreach (var attempt in ApplyInRanks(target, resources, force: false, _ => true))
        {
            if (attempt.Result is { } result)
            {
                WriteVerbose($"{result} ({result.Location})");
                results.Add(result);
            }
            else
            {
                failed = true;
                WriteError(LabErrors.FromTarget(attempt.Error!, attempt.Resource));
            }
        }

        return failed ? null : results;
    }

    private LabResource? WaitForRollout(ILabTarget target, LabConnection connection, AddonInfo addon)
    {
        var what = $"Deployment {MeshAddons.Namespace}/{addon.Deployment}";
        var last = new WaitState(false, "nothing read yet");
        var progress = new ProgressRecord(2, $"Waiting for {what} on {connection}", last.Message);
        try
        {
            var found = Watch(target, progress, "Deployment", MeshAddons.Namespace, addon.Deployment, resource => Readiness.Rollout(resource, "Deployment", addon.Deployment), Timeout, state => last = state);
            return found;
        }
        catch (TimeoutException)
        {
            WriteError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.WaitTimedOut(what, Timeout, last.Message), addon.Name));
        }
        catch (NotSupportedException ex)
        {
            WriteWarning(Messages.AddonNotWaited(addon.Name, ex.Message));
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException or IOException)
        {
            WriteError(LabErrors.FromTarget(ex, what));
        }

        return null;
    }
}
