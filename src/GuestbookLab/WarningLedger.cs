using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// The validation warnings already shown about each resource object, so a later cmdlet (Export-LabManifest,
/// Publish-LabResource) that validates the same object again does not repeat them. Keyed by the object itself and
/// forgotten with it; a copy made by a modifying cmdlet carries the warnings it was validated with.
/// </summary>
internal static class WarningLedger
{
    private static readonly ConditionalWeakTable<LabResource, HashSet<string>> Shown = new();

    /// <summary>Records that every warning in <paramref name="issues"/> has been shown about <paramref name="resource"/>.</summary>
    public static void Record(LabResource resource, IEnumerable<ValidationIssue> issues)
    {
        var keys = Shown.GetValue(resource, _ => []);
        lock (keys)
        {
            keys.UnionWith(issues.Where(i => i.Severity == IssueSeverity.Warning).Select(Key));
        }
    }

    /// <summary>Whether <paramref name="warning"/> has already been shown about <paramref name="resource"/>.</summary>
    public static bool WasShown(LabResource resource, ValidationIssue warning)
    {
        if (!Shown.TryGetValue(resource, out var keys))
        {
            return false;
        }

        lock (keys)
        {
            return keys.Contains(Key(warning));
        }
    }

    private static string Key(ValidationIssue issue) => $"{issue.ErrorId}|{issue.Field}|{issue.Message}";
}
