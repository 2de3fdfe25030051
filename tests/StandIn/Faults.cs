using System.Threading;

namespace StandIn;

public sealed record Fault(int Status, int RetryAfter, bool Reset, int DelayMilliseconds);

/// <summary>
/// The next N API requests get a fault; counts every request and every fault, and the most requests in flight at
/// once since faults were last set (how the tests see that applies run concurrently, and within their bound).
/// </summary>
public sealed class Faults
{
    private readonly object gate = new();
    private Fault? fault;
    private int remaining;
    private int requests;
    private int faulted;
    private int inFlight;
    private int maxInFlight;

    public int Requests => Volatile.Read(ref requests);

    public int Faulted => Volatile.Read(ref faulted);

    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    /// <summary>Counts a request in flight until the returned scope is disposed.</summary>
    public Scope Track()
    {
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
        {
        }

        return new Scope(this);
    }

    public void Set(Fault next, int count)
    {
        lock (gate)
        {
            fault = next;
            remaining = count;
            Volatile.Write(ref maxInFlight, 0);
        }
    }

    public Fault? Next()
    {
        Interlocked.Increment(ref requests);
        lock (gate)
        {
            if (remaining <= 0 || fault is null)
            {
                return null;
            }

            remaining--;
            faulted++;
            return fault;
        }
    }

    public readonly struct Scope(Faults owner) : System.IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner.inFlight);
    }
}
