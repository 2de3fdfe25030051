using System.Collections.Generic;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Validation;

namespace GuestbookLab.Mesh.Analysis;

// IST0130/IST0131 as Istio 1.17's VirtualService validation reports them (Validation.UnreachableRules, which
// Test-MeshResource's warnings come from too), and GBL0009: the rules after a match-less rule that is not last, which
// Istio's validation does not report although no request reaches them.
public static partial class MeshAnalyzer
{
    private static void UnreachableRules(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var vs in model.VirtualServices)
        {
            foreach (var found in Validation.UnreachableRules.Find(vs.Spec))
            {
                messages.Add(found.Kind == UnreachableKind.Unused
                    ? new("IST0130", "VirtualServiceUnreachableRule", AnalysisLevel.Warning, Ref(vs), $"VirtualService rule {found.Rule} not used ({found.Detail}).") { Field = found.Field }
                    : new("IST0131", "VirtualServiceIneffectiveMatch", AnalysisLevel.Info, Ref(vs), $"VirtualService rule {found.Rule} match {found.Detail} is not used (duplicate/overlapping match in rule {found.Duplicate}).") { Field = found.Field });
            }
        }
    }

    private static void RulesAfterCatchAll(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var vs in model.VirtualServices)
        {
            if (Validation.UnreachableRules.CatchAllBeforeLast(vs.Spec) is { } catchAll)
            {
                var after = vs.Spec.Http!.Count - catchAll - 1;
                messages.Add(new("GBL0009", "RulesAfterCatchAll", AnalysisLevel.Warning, Ref(vs),
                    $"spec.http[{catchAll}] has no match and takes every request, so the {after} rule(s) after it (from spec.http[{catchAll + 1}]) are never used: move it last.") { Field = $"spec.http[{catchAll + 1}]" });
            }
        }
    }
}
