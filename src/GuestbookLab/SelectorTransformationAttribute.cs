using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// The one -Selector convention: a Kubernetes label selector in its full syntax ('app=ui', 'app in (ui,redis)',
/// 'tier!=web', '!canary'), or a hashtable of labels (@{ app = 'ui' }), which is the equality selector. Text that is
/// not a selector is refused with a message naming the part.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SelectorTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>
    /// Takes only equality requirements ('app=ui,version=v1' or a hashtable): an Istio workload selector is
    /// matchLabels, which has no other operator.
    /// </summary>
    public bool LabelsOnly { get; init; }

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        try
        {
            var query = value switch
            {
                LabelQuery selector => selector,
                string text => LabelQuery.Parse(text),
                // The mesh builders check a workload selector's labels against Istio's rules (InvalidSelector, the field named).
                IDictionary labels when LabelsOnly => new LabelQuery((LabCmdlet.ToStringMap(labels) ?? new Dictionary<string, string>())
                    .Select(l => new SelectorRequirement(l.Key, SelectorOperator.Equals, [l.Value]))),
                IDictionary labels => LabelQuery.FromLabels(labels),
                _ => throw new FormatException("give a label selector such as 'app=ui' or 'app in (ui,redis)', or a hashtable of labels"),
            };
            if (LabelsOnly && query.AsMatchLabels() is null)
            {
                throw new ArgumentTransformationMetadataException(
                    $"-Selector: '{LabCmdlet.ToText(value)}' is not a workload selector: Istio's workload selector is matchLabels, which takes labels only; give key=value pairs ('app=ui,version=v1') or a hashtable.");
            }

            return query;
        }
        catch (FormatException ex)
        {
            throw new ArgumentTransformationMetadataException($"-Selector: '{LabCmdlet.ToText(value)}' is not a label selector: {ex.Message}.", ex);
        }
    }
}
