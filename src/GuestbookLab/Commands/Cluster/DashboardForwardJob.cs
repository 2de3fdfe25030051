using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// Open-LabDashboard -AsJob: a port-forward that runs in the background until Stop-Job. The listener is open when the
/// job is made; its Output holds the dashboard (with the local URL), its Verbose stream each connection and error.
/// </summary>
public sealed class DashboardForwardJob : Job
{
    // How long Stop-Job waits for the open connections to close after the listener has stopped.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource stopping = new();
    private readonly Task completion;
    private readonly object gate = new();
    private bool finished;
    private bool disposed;

    internal DashboardForwardJob(string command, IPortForwardTarget forwarder, string ns, string pod, int remotePort, int localPort, Func<int, LabDashboard> describe)
        : base(command, null)
    {
        ArgumentNullException.ThrowIfNull(forwarder);
        ArgumentNullException.ThrowIfNull(describe);
        PSJobTypeName = "LabDashboardJob";
        PortForward forward;
        try
        {
            forward = forwarder.Forward(ns, pod, remotePort, localPort, AddVerbose, stopping.Token);
        }
        catch
        {
            stopping.Dispose();
            throw;
        }

        Dashboard = describe(forward.LocalPort);
        Output.Add(PSObject.AsPSObject(Dashboard));
        AddVerbose($"Forwarding from 127.0.0.1:{forward.LocalPort.ToString(CultureInfo.InvariantCulture)} -> {remotePort.ToString(CultureInfo.InvariantCulture)} (pod {ns}/{pod}); Stop-Job stops it");
        SetJobState(JobState.Running);
        completion = forward.Completion;
        _ = completion.ContinueWith(Finish, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The dashboard this job forwards to, with its local URL (also the job's output).</summary>
    public LabDashboard Dashboard { get; }

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Verbose.Count > 0 || Warning.Count > 0;

    public override string Location => "localhost";

    public override string StatusMessage => $"{Dashboard.Url} -> pod {Dashboard.Pod}";

    /// <summary>Closes the listener and every forwarded connection, then the job is Stopped.</summary>
    public override void StopJob()
    {
        lock (gate)
        {
            if (finished)
            {
                return;
            }
        }

        SetJobState(JobState.Stopping);
        Stop();
        Finish(completion);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            Stop();
            Finish(completion);
            stopping.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Stop()
    {
        stopping.Cancel();
        try
        {
            completion.Wait(StopGrace);
        }
        catch (AggregateException)
        {
            // The forward's own failure: Finish reports it.
        }
    }

    // The forward ended (stopped, or failed on its own): the streams are closed and the state says which.
    private void Finish(Task ended)
    {
        lock (gate)
        {
            if (finished)
            {
                return;
            }

            finished = true;
        }

        if (ended.IsFaulted && ended.Exception?.GetBaseException() is { } failure)
        {
            Error.Add(Errors.LabErrors.Create(ErrorIds.PortForwardFailed, Errors.Messages.PortForwardFailed(Dashboard.Name, failure.Message), Dashboard, failure));
        }

        Output.Complete();
        Error.Complete();
        Verbose.Complete();
        Warning.Complete();
        SetJobState(stopping.IsCancellationRequested ? JobState.Stopped : ended.IsFaulted ? JobState.Failed : JobState.Completed);
    }

    // The engine's events arrive on its threads; a collection closed by a finished job takes no more.
    private void AddVerbose(string message)
    {
        try
        {
            Verbose.Add(new VerboseRecord(message));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
        }
    }
}
