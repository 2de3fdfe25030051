using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;
using UnknownKindException = GuestbookLab.Engine.UnknownKindException;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// The session's state, kept per runspace: its default connection (set by Connect-LabCluster) and the targets it has
/// opened. Two runspaces of one process (ForEach-Object -Parallel, jobs, a host with several runspaces) never share
/// or overwrite each other's connection.
/// </summary>
internal static class LabSession
{
    private static readonly ConditionalWeakTable<Runspace, State> States = new();

    /// <summary>The connection of the runspace this thread runs (null without one, or outside a runspace).</summary>
    public static LabConnection? Current
    {
        get => StateOf(create: false)?.Current;
        set
        {
            if (StateOf(create: true) is { } state)
            {
                state.Current = value;
            }
        }
    }

    /// <summary>The connection a cmdlet uses: its -Connection, else the session's; an error when there is none.</summary>
    public static LabConnection Resolve(LabCmdlet cmdlet, LabConnection? given)
    {
        ArgumentNullException.ThrowIfNull(cmdlet);
        var connection = given ?? Current;
        if (connection is null)
        {
            cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.NotConnected, Messages.NotConnected, null));
        }

        return connection!;
    }

    /// <summary>The target of a connection, opened once per runspace (so a cluster's discovery is asked once).</summary>
    public static ILabTarget Open(LabConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var state = StateOf(create: true) ?? new State();
        lock (state)
        {
            if (!state.Targets.TryGetValue(connection, out var target))
            {
                target = connection.Kind == "Cluster" ? ClusterTarget.Open(connection.KubeConfig, connection.Context) : new DirectoryTarget(connection.Target);
                state.Targets.Add(connection, target);
            }

            return target;
        }
    }

    /// <summary>Forgets this runspace's connection and closes every target it opened (the module is being removed).</summary>
    public static void Release()
    {
        if (Runspace.DefaultRunspace is not { } runspace || !States.TryGetValue(runspace, out var state))
        {
            return;
        }

        Close(state);
        States.Remove(runspace);
    }

    private static State? StateOf(bool create)
    {
        if (Runspace.DefaultRunspace is not { } runspace)
        {
            return null;
        }

        return create ? States.GetValue(runspace, Track) : States.TryGetValue(runspace, out var state) ? state : null;
    }

    // A runspace's targets are closed with it (ForEach-Object -Parallel and jobs close theirs when they end).
    private static State Track(Runspace runspace)
    {
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken && States.TryGetValue(runspace, out var closing))
            {
                Close(closing);
                States.Remove(runspace);
            }
        };
        return new State();
    }

    private static void Close(State state)
    {
        List<ILabTarget> open;
        lock (state)
        {
            open = state.Targets.Select(t => t.Value).ToList();
            state.Targets.Clear();
            state.Current = null;
        }

        foreach (var target in open.OfType<IDisposable>())
        {
            target.Dispose();
        }
    }

    private sealed class State
    {
        public LabConnection? Current { get; set; }

        public ConditionalWeakTable<LabConnection, ILabTarget> Targets { get; } = new();
    }
}

/// <summary>Base of the cmdlets that talk to a target: they open it and pass it their own cancellation (Ctrl+C).</summary>
public abstract class TargetCmdlet : CancellableCmdlet
{
    /// <summary>The target (from Connect-LabCluster) to read from or apply to; by default the session's connection.</summary>
    [Parameter]
    public LabConnection? Connection { get; set; }

    /// <summary>The connection in use and its target.</summary>
    internal (LabConnection Connection, ILabTarget Target) OpenTarget()
    {
        var connection = LabSession.Resolve(this, Connection);
        try
        {
            return (connection, LabSession.Open(connection));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidKubeConfig, Messages.KubeConfig(connection.ToString(), ex.Message), connection, ex));
            throw;
        }
    }

    /// <summary>The cancellation of this command, for helpers that work on its behalf.</summary>
    internal System.Threading.CancellationToken Cancellation => CancellationToken;

    /// <summary><see cref="Call{T}"/> for helpers that work on this command's behalf.</summary>
    internal T CallTarget<T>(System.Threading.Tasks.Task<T> call, object? target) => Call(call, target);

    /// <summary>Pump for helpers that work on this command's behalf: engine work that reports as it goes.</summary>
    internal T PumpWork<T>(Func<Action<Action>, System.Threading.Tasks.Task<T>> work) => Pump(work);

    /// <summary>Await for helpers that work on this command's behalf (Ctrl+C stops it).</summary>
    internal T AwaitTask<T>(System.Threading.Tasks.Task<T> task) => Await(task);

    /// <summary>
    /// Waits for a call to the target; a failed call ends the command with the server's Status (ResourceNotFound,
    /// ApiForbidden ...) or ClusterUnreachable, and Ctrl+C stops it.
    /// </summary>
    protected T Call<T>(System.Threading.Tasks.Task<T> call, object? target)
    {
        try
        {
            return Await(call);
        }
        catch (ManifestFormatException ex)
        {
            ThrowTerminatingError(LabErrors.FromManifest(ex, target));
            throw;
        }
        catch (Exception ex) when (ex is UnsafeObjectPathException or UnsafeObjectNameException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, target));
            throw;
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.ManifestReadFailed, ex, target));
            throw;
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, target));
            throw;
        }
    }

    // What kubectl get all lists.
    private static readonly string[] AllCategory = ["Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "Job", "CronJob"];

    /// <summary>
    /// Applies objects in dependency order, each rank's chosen objects at once (ResourceApplier), and yields one
    /// outcome per object as each rank completes; <paramref name="choose"/> (ShouldProcess) is asked on the pipeline
    /// thread, rank by rank.
    /// </summary>
    protected IEnumerable<ApplyAttempt> ApplyInRanks(ILabTarget target, IEnumerable<LabResource> resources, bool force, Func<LabResource, bool> choose)
    {
        ArgumentNullException.ThrowIfNull(choose);
        foreach (var rank in ResourceApplier.Ranks(resources))
        {
            foreach (var attempt in Await(ResourceApplier.ApplyRankAsync(target, rank.Where(choose).ToList(), force, CancellationToken)))
            {
                yield return attempt;
            }
        }
    }

    /// <summary>
    /// Watches one object until <paramref name="test"/> says it is done, showing each state it reaches in the progress
    /// bar and on the verbose stream (from the pipeline thread), and returns it; <paramref name="seen"/> hears every
    /// state, so a time-out can say what was last seen.
    /// </summary>
    protected LabResource? Watch(ILabTarget target, ProgressRecord progress, string kind, string? ns, string name, Func<LabResource?, WaitState> test, TimeSpan timeout, Action<WaitState> seen)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(seen);
        var found = Pump(post => target.WaitForAsync(kind, ns, name, resource =>
        {
            var state = test(resource);
            seen(state);
            post(() =>
            {
                progress.StatusDescription = state.Message;
                ShowProgress(progress);
                WriteVerbose(state.Message);
            });
            return state.Done;
        }, timeout, CancellationToken));
        progress.RecordType = ProgressRecordType.Completed;
        ShowProgress(progress);
        return found;
    }

    /// <summary>
    /// Objects of kinds from the target (the connection's namespace unless given, or every namespace). A kind is
    /// written as kubectl takes it: VirtualService, virtualservices, vs, kind/name, or all; a kind the target does not
    /// know ends the command with UnknownResourceType and the nearest kinds, before anything is written. A name may
    /// hold wildcards; a plain name that is not there is a non-terminating ResourceNotFound error. A failed call ends
    /// the command.
    /// </summary>
    protected IReadOnlyList<LabResource> ListFromTarget(IEnumerable<string> kinds, string? name, string? ns, bool allNamespaces, LabelQuery? selector)
    {
        var (connection, target) = OpenTarget();
        var inNamespace = allNamespaces ? null : ns ?? connection.DefaultNamespace;
        var found = new List<LabResource>();
        foreach (var written in kinds)
        {
            var slash = written.IndexOf('/', StringComparison.Ordinal);
            var kind = slash < 0 ? written : written[..slash];
            var named = slash < 0 ? name : written[(slash + 1)..];
            var pattern = named is not null && WildcardPattern.ContainsWildcardCharacters(named) ? new WildcardPattern(named, WildcardOptions.IgnoreCase) : null;
            var expanded = string.Equals(kind, "all", StringComparison.OrdinalIgnoreCase) ? AllCategory : [kind];
            foreach (var one in expanded)
            {
                IReadOnlyList<LabResource> listed;
                try
                {
                    listed = Call(target.ListAsync(one, inNamespace, pattern is null ? named : null, selector, CancellationToken), one);
                }
                catch (UnknownKindException ex) when (expanded.Length > 1)
                {
                    WriteDebug($"{one}: {ex.Message}");
                    continue;
                }
                catch (UnknownKindException ex)
                {
                    ThrowTerminatingError(LabErrors.Create(ErrorIds.UnknownResourceType, Messages.UnknownResourceType(ex.Kind, ex.Suggestions), written, ex));
                    throw;
                }

                found.AddRange(pattern is null ? listed : listed.Where(r => pattern.IsMatch(r.Name)));
                if (named is not null && pattern is null && listed.Count == 0)
                {
                    WriteError(LabErrors.Create(ErrorIds.ResourceNotFound, Messages.ResourceNotFound(one, named, inNamespace ?? "any namespace"), named));
                }
            }
        }

        return found;
    }
}
