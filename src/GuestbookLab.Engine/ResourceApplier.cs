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
/// Apply orchestration: objects in dependency order (CRDs and namespaces first, then accounts and configuration,
/// services, workloads, mesh configuration), the independent objects of one rank applied at once up to the target's
/// <see cref="ILabTarget.MaxConcurrency"/>, and one outcome per object, in input order. A failed call fails only its
/// object; an unexpected exception ends the apply.
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
        await Parallel.ForAsync(0, rank.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, target.MaxConcurrency), CancellationToken = cancellationToken }, async (i, token) =>
        {
            try
            {
                outcomes[i] = new ApplyAttempt(rank[i], await target.ApplyAsync(rank[i], force, token).ConfigureAwait(false), null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ApiStatusException or HttpRequestException)
            {
                outcomes[i] = new ApplyAttempt(rank[i], null, ex);
            }
        }).ConfigureAwait(false);
        return outcomes;
    }
}
