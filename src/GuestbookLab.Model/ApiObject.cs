using System;
using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>Names the API field a property maps to (camelCase, as in the Kubernetes/Istio API).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ApiFieldAttribute : Attribute
{
    public ApiFieldAttribute(string name) => Name = name;

    public string Name { get; }

    /// <summary>Leave the field out of the manifest when it is an empty mapping.</summary>
    public bool OmitWhenEmpty { get; init; }
}

/// <summary>
/// Base of every typed API object. Fields the module does not model are kept in
/// <see cref="AdditionalFields"/> so that a YAML round trip loses nothing.
/// </summary>
public abstract class ApiObject
{
    /// <summary>API fields of this object that have no typed property, by field name.</summary>
    public IDictionary<string, object?> AdditionalFields { get; } = new SortedDictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>The object's API fields on one line, in YAML's flow style (what Format-List shows of a spec).</summary>
    public override string ToString() => FlowText.Write(this);
}
