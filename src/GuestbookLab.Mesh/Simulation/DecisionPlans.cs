using System;
using System.Collections.Generic;
using System.Threading;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// The decisions already taken for a request, as a tree over its random draws. A simulation is a pure function of
/// the (immutable) model, the source, the request and the values it draws from the caller's random source, and it
/// draws at three places only: a fault's percentage (<c>NextDouble() * 100 &lt; p</c>, one of two ways), a weighted
/// destination (<c>Next(total)</c>) and a ready endpoint (<c>Next(count)</c>). So a simulation of a request records
/// its draws as a path of choice points ending in its result; a later simulation of the same request object from
/// the same source makes the same draws from the caller's source, in the same order, and follows the path while it
/// is known: a leaf is the result the full walk would build, without building it again. An unknown branch is
/// simulated in full with the draws already made replayed first, so the caller's random source ends where it would
/// have without the plan, and -Seed gives the same samples.
/// </summary>
/// <remarks>
/// Kept on the request object itself (<see cref="RequestSpec.Plans"/>), per simulator and source object (a
/// <see cref="RequestSpec"/> and a <see cref="RequestSource"/> are not changed once built): nothing is compared or
/// hashed per request, and a plan lives as long as its request. The first simulation of a request only marks it as
/// seen (nothing kept: a request sent once costs what it did), as does the first by another simulator; its plan
/// starts with the second. A request's plans are bounded (<see cref="MaxRoots"/> simulator and source pairs,
/// <see cref="MaxLeaves"/> results, <see cref="MaxDepth"/> draws, <see cref="MaxChoices"/> ways at one choice); past
/// the bounds a request is simulated in full every time. A result reached through a plan is the same object each
/// time: read-only to callers.
/// </remarks>
internal sealed class DecisionPlans
{
    internal const int MaxDepth = 16;

    internal const int MaxLeaves = 1024;

    internal const int MaxChoices = 4096;

    // Simulator and source pairs one request object keeps plans for.
    internal const int MaxRoots = 8;

    /// <summary>The result for the request, from its plan where the draws follow a known path, else by <paramref name="simulate"/>.</summary>
    public RequestResult Decide(RequestSource source, RequestSpec request, Random random, Func<RequestSource, RequestSpec, Random, RequestResult> simulate)
    {
        PlanEntry entry;
        while (true)
        {
            var current = Volatile.Read(ref request.Plans);
            if (current is PlanEntry known)
            {
                entry = known;
                break;
            }

            if (current is null)
            {
                // The first time: simulate as ever and only mark the request as seen, so a request sent once keeps
                // nothing alive; the second time starts its plan.
                if (Interlocked.CompareExchange(ref request.Plans, this, null) is null)
                {
                    return simulate(source, request, random);
                }

                continue;
            }

            if (!ReferenceEquals(current, this))
            {
                // Seen by another simulator only: this one's first time, the mark moves here.
                Interlocked.CompareExchange(ref request.Plans, this, current);
                return simulate(source, request, random);
            }

            Interlocked.CompareExchange(ref request.Plans, new PlanEntry(), current);
        }

        var root = entry.Root(this, source);
        Span<double> drawn = stackalloc double[MaxDepth];
        var depth = 0;
        PlanNode? node = root;
        PlanNode? parent = null;
        var branch = 0;
        while (node is PlanChoice choice)
        {
            double value;
            if (choice.Percentage is { } p)
            {
                value = random.NextDouble();
                branch = value * 100 < p ? 1 : 0;
            }
            else
            {
                value = random.Next(choice.Ways);
                branch = (int)value;
            }

            drawn[depth++] = value;
            parent = choice;
            node = Volatile.Read(ref choice.Children[branch]);
        }

        if (node is PlanLeaf leaf)
        {
            return leaf.Result;
        }

        // Unknown: simulate in full, the draws made so far replayed first, and remember the path.
        var recorder = new PlanRecorder(random, drawn[..depth].ToArray());
        var result = simulate(source, request, recorder);
        if (!recorder.Uncacheable && recorder.Path.Count >= depth && recorder.Path.Count <= MaxDepth)
        {
            entry.Add(this, source, recorder.Path, result, parent is null ? null : (PlanChoice)parent, depth, branch);
        }

        return result;
    }

    /// <summary>The draw of a fault's percentage, recorded when a plan is being made.</summary>
    internal static bool Chance(double percentage, Random random) =>
        random is DrawSource source ? source.Chance(percentage) : random.NextDouble() * 100 < percentage;

    private sealed class PlanEntry
    {
        private readonly object gate = new();

        // Most requests are simulated by one simulator from one source; each pair keeps its root.
        private (DecisionPlans Owner, RequestSource Source, PlanNode Root)[] roots = [];

        private int leaves;

        public PlanNode? Root(DecisionPlans owner, RequestSource source)
        {
            var known = Volatile.Read(ref roots);
            foreach (var (o, s, root) in known)
            {
                if (ReferenceEquals(o, owner) && ReferenceEquals(s, source))
                {
                    return root;
                }
            }

            return null;
        }

        public void Add(DecisionPlans owner, RequestSource source, List<(double? Percentage, int Ways, int Branch)> path, RequestResult result, PlanChoice? parent, int depth, int branch)
        {
            lock (gate)
            {
                if (leaves >= MaxLeaves)
                {
                    return;
                }

                // Build the path's new part below the deepest known choice, then publish it with one write.
                PlanNode tail = new PlanLeaf(result);
                for (var i = path.Count - 1; i >= depth; i--)
                {
                    var step = path[i];
                    var choice = new PlanChoice(step.Percentage, step.Ways);
                    choice.Children[step.Branch] = tail;
                    tail = choice;
                }

                if (parent is null)
                {
                    if (Root(owner, source) is null && roots.Length < MaxRoots)
                    {
                        Volatile.Write(ref roots, [.. roots, (owner, source, tail)]);
                        leaves++;
                    }
                }
                else if (parent.Children[branch] is null)
                {
                    Volatile.Write(ref parent.Children[branch], tail);
                    leaves++;
                }
            }
        }
    }

    private abstract class PlanNode;

    private sealed class PlanLeaf(RequestResult result) : PlanNode
    {
        public RequestResult Result { get; } = result;
    }

    /// <summary>A draw: a percentage (two ways: not taken, taken) or a pick among <see cref="Ways"/>.</summary>
    private sealed class PlanChoice(double? percentage, int ways) : PlanNode
    {
        public double? Percentage { get; } = percentage;

        public int Ways { get; } = ways;

        public readonly PlanNode?[] Children = new PlanNode?[percentage is null ? ways : 2];
    }

    /// <summary>
    /// The caller's random source as a simulation being recorded sees it: the draws already made replayed first,
    /// then the caller's own, each noted with what it chose.
    /// </summary>
    private sealed class PlanRecorder(Random random, double[] replay) : DrawSource
    {
        public List<(double? Percentage, int Ways, int Branch)> Path { get; } = [];

        public bool Uncacheable { get; private set; }

        public override bool Chance(double percentage)
        {
            var value = Path.Count < replay.Length ? replay[Path.Count] : random.NextDouble();
            var taken = value * 100 < percentage;
            Path.Add((percentage, 2, taken ? 1 : 0));
            return taken;
        }

        public override int Next(int maxValue)
        {
            var value = Path.Count < replay.Length ? (int)replay[Path.Count] : random.Next(maxValue);
            Uncacheable |= maxValue > MaxChoices || maxValue < 1;
            Path.Add((null, maxValue, value));
            return value;
        }

        // A draw the plans do not know: the result is passed on, not remembered.
        public override int Next()
        {
            Uncacheable = true;
            return random.Next();
        }

        public override int Next(int minValue, int maxValue)
        {
            Uncacheable = true;
            return random.Next(minValue, maxValue);
        }

        public override double NextDouble()
        {
            Uncacheable = true;
            return random.NextDouble();
        }

        public override long NextInt64()
        {
            Uncacheable = true;
            return random.NextInt64();
        }

        public override long NextInt64(long maxValue)
        {
            Uncacheable = true;
            return random.NextInt64(maxValue);
        }

        public override long NextInt64(long minValue, long maxValue)
        {
            Uncacheable = true;
            return random.NextInt64(minValue, maxValue);
        }

        public override float NextSingle()
        {
            Uncacheable = true;
            return random.NextSingle();
        }

        public override void NextBytes(byte[] buffer)
        {
            Uncacheable = true;
            random.NextBytes(buffer);
        }

        public override void NextBytes(Span<byte> buffer)
        {
            Uncacheable = true;
            random.NextBytes(buffer);
        }

        protected override double Sample()
        {
            Uncacheable = true;
            return random.NextDouble();
        }
    }
}
