using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// Lets a resource parameter take any object the module emits that carries a resource: a LabPod (Get-LabPod) or an
/// ApplyResult (Publish-LabResource) gives its Object, as the resource itself, from the pipeline or as an argument.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ResourceTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is IList list and not LabResource)
        {
            var items = new List<object?>(list.Count);
            foreach (var item in list)
            {
                items.Add(One(item));
            }

            return items.ToArray();
        }

        return One(inputData)!;
    }

    private static object? One(object? item) => (item is PSObject ps ? ps.BaseObject : item) switch
    {
        LabPod pod => pod.Object,
        ApplyResult result => result.Object,
        _ => item,
    };
}
