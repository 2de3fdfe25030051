using System;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// Base of Wait-LabRollout and Wait-LabResource: watches one object until a readiness test passes, showing what kubectl
/// would say in a progress bar, and returns the object; the time-out is an error that says what was last seen.
/// </summary>
public abstract class WaitCmdlet : TargetCmdlet
{
    /// <summary>The name of the object (or of each piped object: Get-LabResource's, Publish-LabResource's results).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>The namespace (the connection's when left out: the kubeconfig context's, else 'default').</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>How long to wait: a duration (90s, 10m), a TimeSpan or a number of seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The kind of the object waited for, as the user gave it.</summary>
    protected abstract string WaitKind { get; }

    /// <summary>Where the object stands (null: it does not exist).</summary>
    protected abstract WaitState Test(LabResource? resource);

    /// <summary>What the wait ends with: the object (a failed object's cmdlet reports the failure instead).</summary>
    protected virtual void Finish(LabResource? found, WaitState last) => WriteObject(found);

    /// <summary>
    /// Follows the object until <see cref="Test"/> says it is done, showing its states in <paramref name="progress"/>
    /// and telling <paramref name="seen"/> each; a watch of the one object unless the kind has more to show.
    /// </summary>
    protected virtual LabResource? Follow(Engine.ILabTarget target, ProgressRecord progress, string ns, Action<WaitState> seen) =>
        Watch(target, progress, WaitKind, ns, Name, resource => Test(resource), Timeout, seen);

    /// <summary>The kind as the target names it, or null after writing why it cannot be waited for.</summary>
    protected virtual string? CheckKind() => WaitKind;

    protected override void ProcessRecord()
    {
        if (CheckKind() is null)
        {
            return;
        }

        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        var what = $"{WaitKind} {ns}/{Name}";
        var last = new WaitState(false, "nothing read yet");
        var progress = new ProgressRecord(1, $"Waiting for {what} on {connection}", last.Message);
        try
        {
            var found = Follow(target, progress, ns, state => last = state);
            Finish(found, last);
        }
        catch (TimeoutException)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.WaitTimedOut(what, Timeout, last.Message), Name));
        }
        catch (NotSupportedException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitNotPossible, Messages.WaitNotPossible(last.Message, ex.Message), Name, ex));
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, $"{WaitKind} {Name}"));
        }
    }
}
