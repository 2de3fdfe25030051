using System.Threading;

namespace StandIn;

public sealed record Fault(int Status, int RetryAfter, bool Reset, int DelayMilliseconds);

/// <summary>The next N API requests get a fault; counts every request and every fault.</summary>
public sealed class Faults
{
    private readonly object gate = new();
    private Fault? fault;
    private int remaining;
    private int requests;
    private int faulted;

    public int Requests => Volatile.Read(ref requests);

    public int Faulted => Volatile.Read(ref faulted);

    public void Set(Fault next, int count)
    {
        lock (gate)
        {
            fault = next;
            remaining = count;
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
}
