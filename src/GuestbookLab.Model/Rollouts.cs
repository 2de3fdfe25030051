namespace GuestbookLab.Model;

/// <summary>Where an object stands while something waits on it: whether it is done, and what kubectl would say.</summary>
/// <remarks>GuestbookLab.Mesh.Status.Readiness decides it.</remarks>
public sealed record WaitState(bool Done, string Message)
{
    /// <summary>When the wait is over because the object failed (a kpack Image's Ready=False): the reason.</summary>
    public string? Failure { get; init; }
}
