using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// Tab completion from the session's connection. A slow or unreachable cluster gives no completions after two
/// seconds rather than an error or a hang.
/// </summary>
internal static class ConnectionCompletion
{
    /// <summary>Values read from the session's connection; none without one, or when it fails or is slow.</summary>
    public static List<string> Read(Func<Engine.ILabTarget, System.Threading.CancellationToken, System.Threading.Tasks.Task<IEnumerable<string>>> candidates)
    {
        if (LabSession.Current is not { } connection)
        {
            return [];
        }

        try
        {
            using var soon = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(2));
            var target = LabSession.Open(connection);
            return candidates(target, soon.Token).GetAwaiter().GetResult().ToList();
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException or OperationCanceledException or System.IO.IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }

    /// <summary>The values that start with what was typed, each once, in order.</summary>
    public static IEnumerable<CompletionResult> Match(IEnumerable<string> values, string? wordToComplete)
        => values.Distinct(StringComparer.Ordinal)
            .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(n => new CompletionResult(n));

    public static string? Bound(IDictionary fakeBoundParameters, string name)
        => fakeBoundParameters.Contains(name) ? fakeBoundParameters[name]?.ToString() : null;
}

/// <summary>Completes names of objects of the -Kind already typed (pods for the pod cmdlets), in -Namespace.</summary>
public sealed class NameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        var kind = commandName is "Get-LabPod" or "Get-LabLog" ? "Pod" : ConnectionCompletion.Bound(fakeBoundParameters, "Kind");
        if (kind is null)
        {
            return [];
        }

        var ns = ConnectionCompletion.Bound(fakeBoundParameters, "Namespace") ?? "default";
        return ConnectionCompletion.Match(ConnectionCompletion.Read(async (target, token) => (await target.ListAsync(kind, ns, token).ConfigureAwait(false)).Select(r => r.Name)), wordToComplete);
    }
}

/// <summary>Completes namespaces of the connected target.</summary>
public sealed class NamespaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => ConnectionCompletion.Match(ConnectionCompletion.Read(async (target, token) => (await target.ListAsync("Namespace", null, token).ConfigureAwait(false)).Select(r => r.Name).Append("default")), wordToComplete);
}

/// <summary>Completes kinds: the ones the module knows and the ones stored in the connected folder.</summary>
public sealed class KindCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => ConnectionCompletion.Match(KindInfo.Known.Concat(ConnectionCompletion.Read(async (target, token) => (await target.ListAllAsync(token).ConfigureAwait(false)).Select(r => r.Kind))), wordToComplete);
}

/// <summary>Completes Test-MeshRequest's -From: ingress, kubelet and the workloads of the connected target.</summary>
public sealed class SourceCompleter : IArgumentCompleter
{
    private static readonly string[] Fixed = ["ingress", "kubelet"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => ConnectionCompletion.Match(Fixed.Concat(ConnectionCompletion.Read(async (target, token) => (await target.ListAllAsync(token).ConfigureAwait(false)).OfType<Workload>().Select(w => w.Name))), wordToComplete);
}
