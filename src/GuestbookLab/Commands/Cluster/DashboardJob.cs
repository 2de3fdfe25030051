using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// Open-LabDashboard -AsJob: a port-forward kept open in the background as a PowerShell job. Its output holds the
/// dashboard (with the local URL), its verbose stream each forwarded connection; Stop-Job closes the listener (and
/// waits until it is closed), Remove-Job disposes it. The job is Running while it forwards, Stopped after Stop-Job,
/// Failed if the forward ends with an error.
/// </summary>
public sealed class DashboardJob : Job
{
    private readonly CancellationTokenSource stopping = new();
    private readonly string location;
    private Task? completion;

    internal DashboardJob(string command, string name, string location)
        : base(command, name)
    {
        this.location = location;
        PSJobTypeName = "GuestbookLab.DashboardJob";
    }

    /// <summary>The dashboard as the job's output holds it.</summary>
    public LabDashboard? Dashboard { get; private set; }

    public override bool HasMoreData => Output.Count > 0 || Verbose.Count > 0 || Error.Count > 0 || Warning.Count > 0;

    public override string Location => location;

    public override string StatusMessage => Dashboard is { } dashboard ? $"forwarding {dashboard.Url} to {dashboard.Pod}" : string.Empty;

    /// <summary>The token the forward runs under: cancelled by Stop-Job.</summary>
    internal CancellationToken Token => stopping.Token;

    /// <summary>Starts the job with the forward running: the dashboard goes to the output, and the job ends with the forward.</summary>
    internal void Start(PortForward forward, LabDashboard dashboard)
    {
        Dashboard = dashboard;
        Output.Add(PSObject.AsPSObject(dashboard));
        SetJobState(JobState.Running);
        completion = forward.Completion.ContinueWith(Ended, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>A line for the job's verbose stream (from the engine's threads).</summary>
    internal void Say(string message) => Verbose.Add(new VerboseRecord(message));

    public override void StopJob()
    {
        if (IsFinishedState(JobStateInfo.State))
        {
            return;
        }

        SetJobState(JobState.Stopping);
        stopping.Cancel();
        completion?.Wait(TimeSpan.FromSeconds(10));
        if (!IsFinishedState(JobStateInfo.State))
        {
            SetJobState(JobState.Stopped);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!stopping.IsCancellationRequested)
            {
                stopping.Cancel();
            }

            completion?.Wait(TimeSpan.FromSeconds(10));
            stopping.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private void Ended(Task forward)
    {
        if (forward.IsFaulted && !stopping.IsCancellationRequested)
        {
            var problem = forward.Exception?.GetBaseException() ?? new InvalidOperationException("the port-forward ended");
            Error.Add(Errors.LabErrors.Create(ErrorIds.PortForwardNotAvailable, problem, Dashboard?.Url));
            SetJobState(JobState.Failed);
        }
        else
        {
            SetJobState(stopping.IsCancellationRequested ? JobState.Stopped : JobState.Completed);
        }
    }

}
