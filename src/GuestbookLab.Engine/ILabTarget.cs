using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// Where Publish-, Get- and Remove-LabResource act: a manifest folder or a cluster. Every call takes the caller's
/// cancellation (the cmdlet's Ctrl+C), as KubernetesClient's own API does; a target holds no per-call state, so
/// commands (and runspaces) can use one target at once.
/// </summary>
public interface ILabTarget
{
    /// <summary>How many independent objects may be applied at once.</summary>
    int MaxConcurrency { get; }

    /// <summary>Applies one object (labelled as the lab's); <paramref name="force"/> takes field ownership on conflict.</summary>
    Task<ApplyResult> ApplyAsync(LabResource resource, bool force, CancellationToken cancellationToken);

    /// <summary>
    /// Stored objects, optionally of a kind (kind, plural or short name), a namespace, a name and a label selector
    /// (its full syntax, evaluated as the API server does). A kind the target does not know is an
    /// <see cref="UnknownKindException"/> naming the nearest kinds it knows.
    /// </summary>
    Task<IReadOnlyList<LabResource>> ListAsync(string? kind, string? ns, string? name, LabelQuery? selector, CancellationToken cancellationToken);

    /// <summary>
    /// What applying <paramref name="resource"/> would store, beside what is stored now (null when nothing is): a
    /// server-side dry run on a cluster, as kubectl diff does; nothing changes.
    /// </summary>
    Task<ResourcePreview> PreviewAsync(LabResource resource, CancellationToken cancellationToken);

    /// <summary>Removes an object; false when it was not there.</summary>
    Task<bool> DeleteAsync(LabResource resource, CancellationToken cancellationToken);

    /// <summary>
    /// A container's log lines (the last <paramref name="tail"/> only when given); with <paramref name="follow"/> the
    /// lines keep coming until the pod goes or <paramref name="cancellationToken"/> is cancelled. A folder has no
    /// logs: <see cref="NotSupportedException"/>.
    /// </summary>
    IAsyncEnumerable<string> ReadLogAsync(string ns, string pod, string? container, int? tail, bool follow, CancellationToken cancellationToken);

    /// <summary>
    /// Follows one object (null while it does not exist) until <paramref name="done"/> accepts it, and returns it: a
    /// cluster is watched (not polled), resuming after dropped streams and relisting after an expired resume point.
    /// A <see cref="TimeoutException"/> when <paramref name="timeout"/> passes first; a folder, where nothing
    /// changes by itself, answers at once with <see cref="NotSupportedException"/> unless already done.
    /// <paramref name="done"/> is called on the engine's threads.
    /// </summary>
    Task<LabResource?> WaitForAsync(string kind, string? ns, string name, Func<LabResource?, bool> done, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>The stored object (null when there is none), what applying would store, and where.</summary>
public sealed record ResourcePreview(LabResource? Live, LabResource Applied, string Location);

/// <summary>The list calls most callers make.</summary>
public static class LabTargetExtensions
{
    /// <summary>Every stored object (events and pods aside, on a cluster).</summary>
    public static Task<IReadOnlyList<LabResource>> ListAllAsync(this ILabTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.ListAsync(null, null, null, null, cancellationToken);
    }

    /// <summary>Objects of one kind, in a namespace (every namespace when null).</summary>
    public static Task<IReadOnlyList<LabResource>> ListAsync(this ILabTarget target, string kind, string? ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.ListAsync(kind, ns, null, null, cancellationToken);
    }
}

/// <summary>A kind (as the user wrote it) that the target has no resource type for, with the nearest ones it has.</summary>
public sealed class UnknownKindException : Exception
{
    public UnknownKindException()
    {
    }

    public UnknownKindException(string message)
        : base(message)
    {
    }

    public UnknownKindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnknownKindException(string kind, IReadOnlyList<string> suggestions)
        : base($"the server doesn't have a resource type \"{kind.ToLowerInvariant()}\"")
    {
        Kind = kind;
        Suggestions = suggestions;
    }

    public string Kind { get; } = string.Empty;

    /// <summary>The nearest names the target knows (kinds, plurals, short names), nearest first.</summary>
    public IReadOnlyList<string> Suggestions { get; } = [];
}

/// <summary>An error the API server answered with (its Status), or a conflict over field ownership.</summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException()
    {
    }

    public ApiStatusException(string message)
        : base(message)
    {
    }

    public ApiStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiStatusException(int code, string reason, string message, IReadOnlyList<string> causes)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Causes = causes;
    }

    public int Code { get; }

    public string? Reason { get; }

    /// <summary>The Status's causes: 'field: message'.</summary>
    public IReadOnlyList<string> Causes { get; } = [];
}
