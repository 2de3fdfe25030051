using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

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
            ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidManifest, ex, target));
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

    /// <summary>
    /// Objects of a kind from the target ('default' namespace unless given, or every namespace). A failed call ends the
    /// command; a named object that is not there is a non-terminating ResourceNotFound error.
    /// </summary>
    protected IReadOnlyList<LabResource> ListFromTarget(string kind, string? name, string? ns, bool allNamespaces, string? selector)
    {
        var labels = ParseSelector(selector);
        var (_, target) = OpenTarget();
        var found = Call(target.ListAsync(kind, allNamespaces ? null : ns ?? "default", name, labels, CancellationToken), kind);
        if (name is not null && found.Count == 0)
        {
            WriteError(LabErrors.Create(ErrorIds.ResourceNotFound, Messages.ResourceNotFound(kind, name, ns ?? "default"), name));
        }

        return found;
    }

    /// <summary>Reads a label selector, 'app=ui,version=v1'; a part that is not key=value is an error naming it.</summary>
    private Dictionary<string, string>? ParseSelector(string? selector)
    {
        if (selector is null)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                ThrowInvalid(ErrorIds.InvalidSelector, "-Selector", selector, $"'{part}' is not key=value: write a selector like 'app=ui,version=v1'");
            }

            map[part[..eq].Trim()] = part[(eq + 1)..].TrimStart('=').Trim();
        }

        return map;
    }
}
