using System;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// Accepts an Istio duration string ('2s', '500ms', '5m') or a [TimeSpan] for a <see cref="MeshDuration"/>
/// parameter. Never fails: an unparsable value is kept so the cmdlet reports it with ErrorId InvalidDuration.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class MeshDurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            MeshDuration d => d,
            TimeSpan span => MeshDuration.FromTimeSpan(span),
            _ => MeshDuration.Parse(LabCmdlet.ToText(value)),
        };
    }
}
