using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace GuestbookLab;

/// <summary>
/// Base of every cmdlet that does I/O: one <see cref="System.Threading.CancellationToken"/> per command, cancelled
/// by Ctrl+C (StopProcessing), handed to every engine call; and the bridge that runs the engine's asynchronous work
/// while PowerShell's streams are written on the pipeline thread only.
/// </summary>
public abstract partial class CancellableCmdlet : LabCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private bool disposed;

    /// <summary>Cancelled when the user presses Ctrl+C (or the pipeline is stopped).</summary>
    protected CancellationToken CancellationToken => stopping.Token;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposed)
        {
            return;
        }

        if (disposing)
        {
            // Whatever still listens to the token (a late callback of finished work) hears that the command is over.
            Cancel();
            stopping.Dispose();
        }

        disposed = true;
    }

    protected override void StopProcessing()
    {
        Cancel();
        base.StopProcessing();
    }

    /// <summary>
    /// Writes the progress bar as <paramref name="record"/> stands now: a copy, since a host may keep the records it is
    /// given (PowerShell.Streams.Progress does), and the cmdlets update one record as their work goes on.
    /// </summary>
    protected void ShowProgress(ProgressRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        WriteProgress(new ProgressRecord(record.ActivityId, record.Activity, record.StatusDescription)
        {
            ParentActivityId = record.ParentActivityId,
            PercentComplete = record.PercentComplete,
            SecondsRemaining = record.SecondsRemaining,
            CurrentOperation = record.CurrentOperation,
            RecordType = record.RecordType,
        });
    }

    /// <summary>Waits for an engine call on the pipeline thread; Ctrl+C ends the command as PowerShell's own cmdlets end.</summary>
    protected T Await<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Waits for an engine call that returns nothing.</summary>
    protected void Await(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// Runs engine work that reports as it goes: the work posts actions (WriteProgress, WriteVerbose ...) that this
    /// method runs on the pipeline thread, in order, until the work ends; then its result is returned. When an action
    /// throws (a stream set to Stop, the pipeline stopped), the command's token is cancelled and the work is waited
    /// for before the exception goes on, so no call is left running behind a finished command.
    /// </summary>
    protected T Pump<T>(Func<Action<Action>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var actions = new BlockingCollection<Action>();
        void Post(Action action)
        {
            try
            {
                actions.Add(action);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // Posted after the work ended (a late callback): there is no one left to show it to.
            }
        }

        var task = Task.Run(async () =>
        {
            try
            {
                return await work(Post).ConfigureAwait(false);
            }
            finally
            {
                actions.CompleteAdding();
            }
        });
        try
        {
            foreach (var action in actions.GetConsumingEnumerable())
            {
                action();
            }
        }
        catch
        {
            Cancel();
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
            actions.Dispose();
            throw;
        }

        actions.Dispose();
        return Await(task);
    }

    private void Cancel()
    {
        try
        {
            stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command has finished already: nothing is left to stop.
        }
    }
}
