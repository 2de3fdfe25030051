using System;
using System.Globalization;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// Accepts an Istio duration string ('2s', '500ms', '5m') or a [TimeSpan] for a <see cref="MeshDuration"/>
/// parameter. Never fails: an unparsable value is kept so the cmdlet reports it with ErrorId InvalidDuration.
/// PowerShell reads an unquoted <c>5s</c> as the [short] literal 5 and <c>5us</c> as a [ushort]; those suffixes
/// are the units the user wrote, so a short is taken as seconds and a ushort as microseconds.
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
            short seconds => MeshDuration.Parse(string.Create(CultureInfo.InvariantCulture, $"{seconds}s")),
            ushort microseconds => MeshDuration.Parse(string.Create(CultureInfo.InvariantCulture, $"{microseconds}us")),
            _ => MeshDuration.Parse(LabCmdlet.ToText(value)),
        };
    }
}
