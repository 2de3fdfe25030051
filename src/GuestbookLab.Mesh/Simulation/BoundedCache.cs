using System;
using System.Collections.Concurrent;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// Answers remembered for an immutable model: once it holds <see cref="Limit"/> answers it adds no more (a stream of
/// distinct hosts cannot grow it without limit) and computes the rest each time. Safe for concurrent use; a value
/// computed twice by a race is the same value.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    public const int Limit = 4096;

    private readonly ConcurrentDictionary<TKey, TValue> answers = new();

    /// <summary>The answer for <paramref name="key"/>, computed from it and <paramref name="state"/> the first time (a static lambda and the state allocate nothing on a hit).</summary>
    public TValue Get<TState>(TKey key, TState state, Func<TKey, TState, TValue> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        if (answers.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var value = compute(key, state);
        if (answers.Count < Limit)
        {
            answers.TryAdd(key, value);
        }

        return value;
    }
}
