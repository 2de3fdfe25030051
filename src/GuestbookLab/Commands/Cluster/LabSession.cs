using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net.Http;
using System.Runtime.CompilerServices;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>The session's default connection (set by Connect-LabCluster), and the target a connection opens.</summary>
internal static class LabSession
{
    // One open target per connection, so a cluster's discovery is asked once.
    private static readonly ConditionalWeakTable<LabConnection, ILabTarget> Targets = new();

    public static LabConnection? Current { get; set; }

    /// <summary>The connection a cmdlet uses: its -Connection, else the session's; an error when there is none.</summary>
    public static LabConnection Resolve(LabCmdlet cmdlet, LabConnection? given)
    {
        var connection = given ?? Current;
        if (connection is null)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new PSInvalidOperationException("Not connected: run Connect-LabCluster (a kubeconfig context) or Connect-LabCluster -Directory ./cluster first, or give -Connection."),
                ErrorIds.NotConnected, ErrorCategory.InvalidOperation, null));
        }

        return connection!;
    }

    public static ILabTarget Open(LabConnection connection) =>
        Targets.GetValue(connection, c => c.Kind == "Cluster" ? ClusterTarget.Open(c.KubeConfig, c.Context) : new DirectoryTarget(c.Target));

    /// <summary>The error record for a failed call to a target: the server's Status, or an unreachable server.</summary>
    public static ErrorRecord ToErrorRecord(Exception exception, object? target) => exception switch
    {
        ApiStatusException { Code: 409, Reason: "Conflict" } conflict => new ErrorRecord(
            new InvalidOperationException($"{target}: {conflict.Message}. Give -Force to take ownership of the fields.", conflict), ErrorIds.ApplyConflict, ErrorCategory.ResourceExists, target),
        ApiStatusException status => new ErrorRecord(
            new InvalidOperationException($"{target}: {status.Message} ({status.Code} {status.Reason}){(status.Causes.Count > 0 ? ": " + string.Join("; ", status.Causes) : string.Empty)}", status),
            status.Code == 404 ? ErrorIds.ResourceNotFound : ErrorIds.ApiRequestFailed,
            status.Code switch { 404 => ErrorCategory.ObjectNotFound, 403 or 401 => ErrorCategory.PermissionDenied, 422 => ErrorCategory.InvalidData, 400 => ErrorCategory.InvalidArgument, _ => ErrorCategory.InvalidResult },
            target),
        HttpRequestException unreachable => new ErrorRecord(unreachable, ErrorIds.ClusterUnreachable, ErrorCategory.ConnectionError, target),
        _ => new ErrorRecord(exception, ErrorIds.ApplyFailed, ErrorCategory.WriteError, target),
    };
}

/// <summary>Base of the cmdlets that talk to a target: they open it with their own cancellation (Ctrl+C).</summary>
public abstract class TargetCmdlet : LabCmdlet, IDisposable
{
    private readonly System.Threading.CancellationTokenSource stop = new();

    /// <summary>The target; the session's connection (Connect-LabCluster) by default.</summary>
    [Parameter]
    public LabConnection? Connection { get; set; }

    public void Dispose()
    {
        stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected System.Threading.CancellationToken StopToken => stop.Token;

    protected override void StopProcessing() => stop.Cancel();

    /// <summary>The connection in use and its target, which cancels with this cmdlet.</summary>
    internal (LabConnection Connection, ILabTarget Target) OpenTarget()
    {
        var connection = LabSession.Resolve(this, Connection);
        var target = LabSession.Open(connection);
        target.Cancellation = stop.Token;
        return (connection, target);
    }

    /// <summary>
    /// Objects of a kind from the target ('default' namespace unless given, or every namespace). A failed call ends the
    /// command; a named object that is not there is a non-terminating ResourceNotFound error.
    /// </summary>
    protected IReadOnlyList<LabResource> ListFromTarget(string kind, string? name, string? ns, bool allNamespaces, string? selector)
    {
        var labels = ParseSelector(selector);
        var (_, target) = OpenTarget();
        IReadOnlyList<LabResource> found = [];
        try
        {
            found = target.List(kind, allNamespaces ? null : ns ?? "default", name, labels);
        }
        catch (Exception ex) when (ex is ApiStatusException or HttpRequestException)
        {
            ThrowTerminatingError(LabSession.ToErrorRecord(ex, kind));
        }

        if (name is not null && found.Count == 0)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"{kind} '{name}' was not found in namespace {ns ?? "default"}."), ErrorIds.ResourceNotFound, ErrorCategory.ObjectNotFound, name));
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
