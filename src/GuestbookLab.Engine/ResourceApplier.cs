using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>What applying one object came to: its result, or the error of a call that failed.</summary>
public sealed record ApplyAttempt(LabResource Resource, ApplyResult? Result, Exception? Error);

/// <summary>
/// The stored resource versions of objects about to be applied (null: not stored), read for a whole rank at once,
/// by API path; an object it does not know is read on its own before it is applied.
/// </summary>
public sealed class StoredVersions
{
    private readonly Dictionary<string, string?> versions;

    public StoredVersions(Dictionary<string, string?> versions) => this.versions = versions;

    /// <summary>Knows nothing: every object is read on its own.</summary>
    public static StoredVersions None { get; } = new(new Dictionary<string, string?>(StringComparer.Ordinal));

    /// <summary>How many objects it knows.</summary>
    public int Count => versions.Count;

    /// <summary>Whether the object at <paramref name="path"/> is known, and its stored version (null: not stored).</summary>
    public bool TryGet(string path, out string? version) => versions.TryGetValue(path, out version);
}

/// <summary>
/// A target that reads what is stored of many objects of one rank in a few calls (a list per collection), so that
/// applying each object takes one call to the target rather than a read and a write.
/// </summary>
public interface IRankReadingTarget : ILabTarget
{
    /// <summary>The stored versions of the objects of <paramref name="rank"/> that it could read together; never throws for a failed read (those objects are read on their own).</summary>
    Task<StoredVersions> ReadStoredVersionsAsync(IReadOnlyList<LabResource> rank, CancellationToken cancellationToken);

    /// <summary>As <see cref="ILabTarget.ApplyAsync"/>, with the stored version from <paramref name="known"/> when it has the object.</summary>
    Task<ApplyResult> ApplyAsync(LabResource resource, bool force, StoredVersions known, CancellationToken cancellationToken);
}

/// <summary>
/// Apply orchestration: objects in dependency order (CRDs and namespaces first, then accounts and configuration,
/// services, workloads, mesh configuration), the independent objects of one rank applied at once up to the target's
/// <see cref="ILabTarget.MaxConcurrency"/>, and one outcome per object, in input order. A failed call fails only its
/// object; an unexpected exception ends the apply. A target that reads a rank's stored objects together
/// (<see cref="IRankReadingTarget"/>) does so before the rank's objects are applied.
/// </summary>
public static class ResourceApplier
{
    /// <summary>The objects grouped by dependency rank, lowest first; input order kept within a rank.</summary>
    public static IReadOnlyList<IReadOnlyList<LabResource>> Ranks(IEnumerable<LabResource> resources) =>
        resources.GroupBy(r => KindInfo.Rank(r.Kind)).OrderBy(g => g.Key).Select(g => (IReadOnlyList<LabResource>)g.ToList()).ToList();

    /// <summary>Applies the independent objects of one rank; the outcomes come back in the order of <paramref name="rank"/>.</summary>
    public static async Task<IReadOnlyList<ApplyAttempt>> ApplyRankAsync(ILabTarget target, IReadOnlyList<LabResource> rank, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(rank);
        var outcomes = new ApplyAttempt[rank.Count];
        var reader = target as IRankReadingTarget;
        var known = reader is null ? StoredVersions.None : await reader.ReadStoredVersionsAsync(rank, cancellationToken).ConfigureAwait(false);
        await Parallel.ForAsync(0, rank.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, target.MaxConcurrency), CancellationToken = cancellationToken }, async (i, token) =>
        {
            try
            {
                var applied = reader is null ? target.ApplyAsync(rank[i], force, token) : reader.ApplyAsync(rank[i], force, known, token);
                outcomes[i] = new ApplyAttempt(rank[i], await applied.ConfigureAwait(false), null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ApiStatusException or HttpRequestException)
            {
                outcomes[i] = new ApplyAttempt(rank[i], null, ex);
            }
        }).ConfigureAwait(false);
        return outcomes;
    }
}
