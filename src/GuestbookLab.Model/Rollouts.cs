namespace GuestbookLab.Model;

/// <summary>Where an object stands while something waits on it: whether it is done, and what kubectl would say.</summary>
/// <remarks>GuestbookLab.Mesh.Status.Readiness decides it.</remarks>
public sealed record WaitState(bool Done, string Message);
