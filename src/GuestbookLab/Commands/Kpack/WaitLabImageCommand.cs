using System;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Engine.Kpack;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Waits until a kpack Image has been built: its Ready condition True for its current generation.</summary>
/// <remarks>
/// The Image is watched (not polled) on the connected cluster, the progress bar showing the build number and kpack's
/// message, and a second bar under it the step the build's pod is in (found by kpack's labels, then watched: 'step 3
/// of 7: detect', with the kubelet's reason when a step is stuck, such as ImagePullBackOff); each new step is also
/// written to the verbose stream, and a time-out says the step last seen. Readiness is judged as kpack does: the
/// status must be about the Image's current generation (status.observedGeneration caught up with metadata.generation, so a Ready=True from before an update is not taken
/// for success); Ready=Unknown while a build runs; True ends the wait and the Image comes out, with its LatestImage
/// (the digest reference); False is the error ImageNotReady with the condition's reason and message (BuildFailed,
/// BuilderNotReady, ...). After -Timeout (5 minutes) the error WaitTimedOut says what was last seen. A manifest folder
/// has no controllers: waiting there is WaitNotPossible unless the stored Image is already ready.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml "apiVersion: kpack.io/v1alpha2`nkind: Image`nmetadata: {name: ui-image, generation: 1}`nspec: {tag: r.example/ui:v1, builder: {kind: Builder, name: builder}, source: {git: {url: 'https://g.example/ui.git', revision: main}}}`nstatus: {observedGeneration: 1, buildCounter: 1, latestImage: 'r.example/ui@sha256:0123456789abcdef0123456789abcdef', conditions: [{type: Ready, status: 'True'}]}" |
///     Publish-LabResource | Out-Null
/// Wait-LabImage -Name ui-image -Timeout 10m</code>
/// <para>At once here, since the stored Image is ready; on a cluster it follows the build until the Image is ready.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "LabImage")]
[OutputType(typeof(KpackImage))]
public sealed class WaitLabImageCommand : WaitCmdlet
{
    protected override string WaitKind => KpackImage.KindName;

    protected override WaitState Test(LabResource? resource) => Readiness.Image(resource, Name);

    protected override LabResource? Follow(ILabTarget target, ProgressRecord progress, string ns, Action<WaitState> seen)
    {
        var gate = new object();
        var stepBar = new ProgressRecord(2, $"Build of Image {ns}/{Name}", "waiting for the build's pod") { ParentActivityId = progress.ActivityId };
        var image = new WaitState(false, "nothing read yet");
        BuildProgress? step = null;
        long build = 0;
        WaitState Combined() => step?.Describe(image, build) ?? image;
        var found = Pump(post => ImageWatcher.WaitAsync(target, ns, Name, resource =>
        {
            var state = Test(resource);
            WaitState shown;
            lock (gate)
            {
                image = state;
                shown = Combined();
            }

            seen(shown);
            post(() =>
            {
                progress.StatusDescription = shown.Message;
                ShowProgress(progress);
                WriteVerbose(state.Message);
            });
            return state.Done;
        }, (number, now) =>
        {
            WaitState shown;
            lock (gate)
            {
                build = number;
                step = now;
                shown = Combined();
            }

            seen(shown);
            post(() =>
            {
                stepBar.Activity = $"Build {number.ToString(System.Globalization.CultureInfo.InvariantCulture)} of Image {ns}/{Name} (pod {now.Pod})";
                stepBar.StatusDescription = now.ToString();
                stepBar.PercentComplete = now.PercentComplete;
                ShowProgress(stepBar);
                WriteVerbose($"Build {number.ToString(System.Globalization.CultureInfo.InvariantCulture)} (pod {now.Pod}): {now}");
            });
        }, Timeout, CancellationToken));
        stepBar.RecordType = ProgressRecordType.Completed;
        ShowProgress(stepBar);
        progress.RecordType = ProgressRecordType.Completed;
        ShowProgress(progress);
        return found;
    }

    protected override void Finish(LabResource? found, WaitState last)
    {
        if (last.Failure is not null)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.ImageNotReady, last.Message, Name));
        }

        WriteObject(found);
    }
}
