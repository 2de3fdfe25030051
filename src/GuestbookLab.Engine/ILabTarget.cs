using System.Collections.Generic;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>Where Publish-, Get- and Remove-LabResource act: a manifest folder or a cluster.</summary>
public interface ILabTarget
{
    /// <summary>Cancels the calls in flight (set by the cmdlet for each run; Ctrl+C cancels it).</summary>
    System.Threading.CancellationToken Cancellation { get; set; }

    /// <summary>How many independent objects may be applied at once.</summary>
    int MaxConcurrency { get; }

    /// <summary>Applies one object (labelled as the lab's); <paramref name="force"/> takes field ownership on conflict.</summary>
    ApplyResult Apply(LabResource resource, bool force);

    /// <summary>Stored objects, optionally of a kind (kind, plural or short name), a namespace, a name and labels.</summary>
    IReadOnlyList<LabResource> List(string? kind = null, string? ns = null, string? name = null, IReadOnlyDictionary<string, string>? selector = null);

    /// <summary>Removes an object; false when it was not there.</summary>
    bool Delete(LabResource resource);

    /// <summary>
    /// A container's log lines (the last <paramref name="tail"/> only when given); with <paramref name="follow"/> the
    /// lines keep coming until the pod goes or <see cref="Cancellation"/> is cancelled. A folder has no logs:
    /// <see cref="System.NotSupportedException"/>.
    /// </summary>
    IEnumerable<string> ReadLog(string ns, string pod, string? container, int? tail, bool follow);

    /// <summary>
    /// Follows one object (null while it does not exist) until <paramref name="done"/> accepts it, and returns it: a
    /// cluster is watched (not polled), resuming after dropped streams and relisting after an expired resume point.
    /// A <see cref="System.TimeoutException"/> when <paramref name="timeout"/> passes first; a folder, where nothing
    /// changes by itself, answers at once with <see cref="System.NotSupportedException"/> unless already done.
    /// </summary>
    LabResource? WaitFor(string kind, string? ns, string name, System.Func<LabResource?, bool> done, System.TimeSpan timeout);
}

/// <summary>An error the API server answered with (its Status), or a conflict over field ownership.</summary>
public sealed class ApiStatusException : System.Exception
{
    public ApiStatusException()
    {
    }

    public ApiStatusException(string message)
        : base(message)
    {
    }

    public ApiStatusException(string message, System.Exception innerException)
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
