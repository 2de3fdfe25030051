using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>
/// What a run of the analysis ends with, as istioctl analyze's exit status: the findings written (those at or above
/// --output-threshold) and the findings that fail the run. With no -FailOn an Error finding fails it without stopping
/// (istioctl's non-zero exit); -FailOn LEVEL makes every finding at that level or worse stop it; -FailOn None never fails.
/// The threshold does not change the verdict: -FailOn weighs every finding, written or not.
/// </summary>
public sealed record AnalysisVerdict(IReadOnlyList<AnalysisMessage> Shown, IReadOnlyList<AnalysisMessage> Failing, bool Stops)
{
    /// <summary>Judges <paramref name="messages"/>; <paramref name="failOn"/> is Error, Warning, Info, None or null, <paramref name="outputThreshold"/> Info, Warning or Error (case-insensitive).</summary>
    public static AnalysisVerdict Of(IReadOnlyList<AnalysisMessage> messages, string? failOn, string outputThreshold)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var lowest = Enum.Parse<AnalysisLevel>(outputThreshold, ignoreCase: true);
        var shown = messages.Where(m => m.Level >= lowest).ToList();
        if (string.Equals(failOn, "None", StringComparison.OrdinalIgnoreCase))
        {
            return new AnalysisVerdict(shown, [], Stops: false);
        }

        return failOn is null
            ? new AnalysisVerdict(shown, messages.Where(m => m.Level == AnalysisLevel.Error).ToList(), Stops: false)
            : new AnalysisVerdict(shown, messages.Where(m => m.Level >= Enum.Parse<AnalysisLevel>(failOn, ignoreCase: true)).ToList(), Stops: true);
    }
}
