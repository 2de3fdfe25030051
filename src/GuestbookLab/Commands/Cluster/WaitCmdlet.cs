using System;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// Base of Wait-LabRollout and Wait-LabResource: watches one object until a readiness test passes, showing what kubectl
/// would say in a progress bar, and returns the object; the time-out is an error that says what was last seen.
/// </summary>
public abstract class WaitCmdlet : TargetCmdlet
{
    /// <summary>The name of the object.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>The namespace ('default' when left out).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>How long to wait, in seconds (300 when left out), as Invoke-RestMethod -TimeoutSec.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>The kind of the object waited for, as the user gave it.</summary>
    protected abstract string WaitKind { get; }

    /// <summary>Where the object stands (null: it does not exist).</summary>
    protected abstract WaitState Test(LabResource? resource);

    protected override void EndProcessing()
    {
        var (connection, target) = OpenTarget();
        var activity = $"Waiting for {WaitKind} {Namespace ?? "default"}/{Name} on {connection}";
        var last = new WaitState(false, "nothing read yet");
        var progress = new ProgressRecord(1, activity, last.Message);
        try
        {
            var found = target.WaitFor(WaitKind, Namespace ?? "default", Name, resource =>
            {
                last = Test(resource);
                progress.StatusDescription = last.Message;
                WriteProgress(progress);
                WriteVerbose(last.Message);
                return last.Done;
            }, TimeSpan.FromSeconds(TimeoutSec));
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            WriteObject(found);
        }
        catch (TimeoutException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new TimeoutException($"{WaitKind} {Namespace ?? "default"}/{Name} was not ready within {TimeoutSec} s. Last seen: {last.Message}"),
                ErrorIds.WaitTimedOut, ErrorCategory.OperationTimeout, Name));
        }
        catch (NotSupportedException ex)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"{last.Message.TrimEnd('.')}. {ex.Message}", ex), ErrorIds.WaitNotPossible, ErrorCategory.InvalidOperation, Name));
        }
        catch (OperationCanceledException) when (Stopping)
        {
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabSession.ToErrorRecord(ex, $"{WaitKind} {Name}"));
        }
    }
}
