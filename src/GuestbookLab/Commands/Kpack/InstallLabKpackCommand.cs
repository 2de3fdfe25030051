using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Installs kpack from its release manifest, as the codelab's 'kubectl apply -f release-0.10.1.yaml', and waits until it is ready.</summary>
/// <remarks>
/// Reads kpack's release manifest (by default the codelab's https://github.com/pivotal/kpack/releases/download/v0.10.1/release-0.10.1.yaml;
/// -Uri, -Path or -LiteralPath for another copy) and applies it through Publish-LabResource's machinery (dependency
/// order, server-side apply, one result per object). A manifest without kpack's CRDs or its kpack-controller and
/// kpack-webhook Deployments is refused (InvalidKpackRelease) before anything is applied. Then it watches until every
/// CRD of the release is Established and both Deployments (namespace kpack) have rolled out, and returns what was
/// installed: the version, the CRDs, the Deployments and each object's result. Running it again changes nothing
/// (every object Unchanged). -WhatIf names each object that would be applied. Past -Timeout (5 minutes) the error
/// WaitTimedOut names each CRD and Deployment that is not ready and why. A manifest folder has no controllers: there
/// the objects are written, the wait is skipped with a warning and Ready is false.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Get-LabError { Install-LabKpack -Path ./no-such-release.yaml }).FullyQualifiedErrorId</code>
/// <para>ManifestNotFound: nothing to install. Connected to the lab's cluster, Install-LabKpack applies the codelab's
/// release from GitHub and waits for kpack's controller and webhook; Install-LabKpack -WhatIf lists what it would apply.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Install, "LabKpack", SupportsShouldProcess = true, DefaultParameterSetName = UriSet)]
[OutputType(typeof(LabKpackInstall))]
public sealed class InstallLabKpackCommand : TargetCmdlet
{
    private const string UriSet = "Uri";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The release manifest's URL; the codelab's v0.10.1 release when no source is given.</summary>
    [Parameter(ParameterSetName = UriSet)]
    public Uri Uri { get; set; } = KpackRelease.DefaultUri;

    /// <summary>A release manifest file (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string Path { get; set; } = null!;

    /// <summary>A release manifest file, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    public string LiteralPath { get; set; } = null!;

    /// <summary>How long to wait for the CRDs and Deployments: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override void EndProcessing()
    {
        var source = ParameterSetName switch { PathSet => Path, LiteralPathSet => LiteralPath, _ => Uri.ToString() };
        var resources = ReadManifests(ParameterSetName == PathSet ? [Path] : null, ParameterSetName == LiteralPathSet ? [LiteralPath] : null, ParameterSetName == UriSet ? [Uri] : null, ManifestErrors.Stop);
        ThrowIfInvalid(KpackRelease.Validate(resources, source), source);
        var plan = KpackRelease.Plan(resources, source);
        var (connection, target) = OpenTarget();
        var applied = new List<ApplyResult>();
        foreach (var attempt in ApplyInRanks(target, resources, force: false, r => ShouldProcess(r.DisplayName, $"Apply kpack {plan.Version} to {connection}")))
        {
            if (attempt.Result is { } result)
            {
                WriteVerbose($"{result} ({result.Location})");
                applied.Add(result);
            }
            else
            {
                WriteError(LabErrors.FromTarget(attempt.Error!, attempt.Resource));
            }
        }

        if (applied.Count < resources.Count)
        {
            return;
        }

        WriteObject(new LabKpackInstall
        {
            Version = plan.Version, Source = source, CustomResourceDefinitions = plan.CustomResourceDefinitions,
            Deployments = plan.Deployments.Select(d => $"{d.Namespace}/{d.Name}").ToList(), Applied = applied, Ready = WaitUntilReady(target, connection, plan),
        });
    }

    // Each CRD Established, then each Deployment rolled out, within one -Timeout; false where nothing can be watched.
    private bool WaitUntilReady(Engine.ILabTarget target, LabConnection connection, KpackReleasePlan plan)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var waits = KpackRelease.Waits(plan);
        for (var i = 0; i < waits.Count; i++)
        {
            var wait = waits[i];
            var last = new WaitState(false, "nothing read yet");
            var progress = new ProgressRecord(3, $"Waiting for kpack {plan.Version} on {connection}", last.Message) { CurrentOperation = wait.What };
            try
            {
                Watch(target, progress, wait.Kind, wait.Namespace, wait.Name, wait.Test, Max(deadline - DateTime.UtcNow), state => last = state);
            }
            catch (TimeoutException)
            {
                // What is not ready: this one as last seen, and each one not waited for yet as it stands now.
                var notReady = new List<string> { $"{wait.What} ({last.Message})" };
                foreach (var rest in waits.Skip(i + 1))
                {
                    var found = Call(target.ListAsync(rest.Kind, rest.Namespace, rest.Name, null, CancellationToken), rest.What);
                    if (rest.Test(found.Count > 0 ? found[0] : null) is { Done: false } state)
                    {
                        notReady.Add($"{rest.What} ({state.Message})");
                    }
                }

                ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.KpackNotReady(plan.Version, Timeout, notReady), connection));
            }
            catch (NotSupportedException ex)
            {
                WriteWarning(Messages.AddonNotWaited($"kpack {plan.Version}", ex.Message));
                return false;
            }
            catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException)
            {
                ThrowTerminatingError(LabErrors.FromTarget(ex, wait.What));
            }
        }

        return true;
    }

    private static TimeSpan Max(TimeSpan left) => left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
}
