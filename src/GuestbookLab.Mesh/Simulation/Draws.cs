using System;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// A random source the simulator knows: besides Random's draws it takes a fault's percentage draw
/// (<see cref="DecisionPlans.Chance"/>) itself, so it can note or replay the outcome.
/// </summary>
internal abstract class DrawSource : Random
{
    public abstract bool Chance(double percentage);
}

/// <summary>
/// The caller's random source as an unexplained simulation sees it: each draw is passed on and its outcome noted, so
/// the explanation, when it is read, replays the same decisions (<see cref="DrawReplay"/>). One per thread, reused:
/// taking a decision does not allocate one.
/// </summary>
internal sealed class DrawLog : DrawSource
{
    [ThreadStatic]
    private static DrawLog? spare;

    private Random inner = Shared;

    private double[] drawn = new double[8];

    private int count;

    /// <summary>A log in front of <paramref name="random"/>; <see cref="Finish"/> gives it back.</summary>
    public static DrawLog Start(Random random)
    {
        var log = spare ?? new DrawLog();
        spare = null;
        log.inner = random;
        log.count = 0;
        return log;
    }

    /// <summary>
    /// The outcomes drawn, packed into <paramref name="packed"/> where they fit (<see cref="PackedDraws"/>; null is
    /// returned then), else as an array; the log is given back for the thread's next simulation.
    /// </summary>
    public double[]? Finish(out long packed)
    {
        var values = drawn.AsSpan(0, count);
        var result = PackedDraws.TryPack(values, out packed) ? null : values.ToArray();
        inner = Shared;
        spare = this;
        return result;
    }

    public override bool Chance(double percentage) => Note(DecisionPlans.Chance(percentage, inner) ? 1 : 0) != 0;

    public override int Next(int maxValue) => (int)Note(inner.Next(maxValue));

    public override int Next() => (int)Note(inner.Next());

    public override int Next(int minValue, int maxValue) => (int)Note(inner.Next(minValue, maxValue));

    public override double NextDouble() => Note(inner.NextDouble());

    public override long NextInt64() => (long)Note(inner.NextInt64());

    public override long NextInt64(long maxValue) => (long)Note(inner.NextInt64(maxValue));

    public override long NextInt64(long minValue, long maxValue) => (long)Note(inner.NextInt64(minValue, maxValue));

    public override float NextSingle() => (float)Note(inner.NextSingle());

    public override void NextBytes(byte[] buffer) => throw new NotSupportedException("the simulator draws numbers, not bytes");

    public override void NextBytes(Span<byte> buffer) => throw new NotSupportedException("the simulator draws numbers, not bytes");

    protected override double Sample() => Note(inner.NextDouble());

    private double Note(double value)
    {
        if (count == drawn.Length)
        {
            Array.Resize(ref drawn, count * 2);
        }

        drawn[count++] = value;
        return value;
    }
}

/// <summary>The outcomes a <see cref="DrawLog"/> noted, given back in the same order: the same decisions again.</summary>
internal sealed class DrawReplay(double[] drawn) : DrawSource
{
    private int next;

    public override bool Chance(double percentage) => Take() != 0;

    public override int Next(int maxValue) => (int)Take();

    public override int Next() => (int)Take();

    public override int Next(int minValue, int maxValue) => (int)Take();

    public override double NextDouble() => Take();

    public override long NextInt64() => (long)Take();

    public override long NextInt64(long maxValue) => (long)Take();

    public override long NextInt64(long minValue, long maxValue) => (long)Take();

    public override float NextSingle() => (float)Take();

    public override void NextBytes(byte[] buffer) => throw new NotSupportedException("the simulator draws numbers, not bytes");

    public override void NextBytes(Span<byte> buffer) => throw new NotSupportedException("the simulator draws numbers, not bytes");

    protected override double Sample() => Take();

    private double Take() => next < drawn.Length
        ? drawn[next++]
        : throw new InvalidOperationException("the explanation drew more than the decision it explains: the simulation is not a function of its draws");
}

/// <summary>
/// A decision's draws in one long, so keeping them for its explanation allocates nothing: the simulator's draws are
/// whole numbers (a fault's outcome 0 or 1, a weighted pick, an endpoint), and up to four below 2^15 fit, with their
/// count in the top bits.
/// </summary>
internal static class PackedDraws
{
    private const int Bits = 15;

    private const int MaxCount = 4;

    private const int CountShift = Bits * MaxCount;

    private const long Mask = (1L << Bits) - 1;

    /// <summary>Packs <paramref name="values"/> when there are at most four, each a whole number from 0 to 32,767.</summary>
    public static bool TryPack(ReadOnlySpan<double> values, out long packed)
    {
        packed = 0;
        if (values.Length > MaxCount)
        {
            return false;
        }

        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (value < 0 || value > Mask || value != Math.Floor(value))
            {
                packed = 0;
                return false;
            }

            packed |= (long)value << (Bits * i);
        }

        packed |= (long)values.Length << CountShift;
        return true;
    }

    /// <summary>The values <see cref="TryPack"/> packed, in order.</summary>
    public static double[] Unpack(long packed)
    {
        var count = (int)(packed >> CountShift);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (packed >> (Bits * i)) & Mask;
        }

        return values;
    }
}
