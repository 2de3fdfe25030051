using System;
using System.Collections;
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
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        try
        {
            return value switch
            {
                LabelQuery selector => selector,
                string text => LabelQuery.Parse(text),
                IDictionary labels => LabelQuery.FromLabels(labels),
                _ => throw new FormatException("give a label selector such as 'app=ui' or 'app in (ui,redis)', or a hashtable of labels"),
            };
        }
        catch (FormatException ex)
        {
            throw new ArgumentTransformationMetadataException($"-Selector: '{LabCmdlet.ToText(value)}' is not a label selector: {ex.Message}.", ex);
        }
    }
}
