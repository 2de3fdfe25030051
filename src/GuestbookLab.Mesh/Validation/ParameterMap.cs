using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// The one mapping from the fields a builder checks (its options' properties, e.g. <c>Weights</c>, or the fields of
/// the object it builds, e.g. <c>audiences</c>) to the cmdlet parameters the user set them with (<c>-Weight</c>).
/// A field not listed is the parameter of the same name. An index or key stays on: <c>Weights[v1]</c> is
/// <c>-Weight[v1]</c>; a field list (<c>Abort, Delay</c>) maps each field.
/// </summary>
public sealed class ParameterMap
{
    private readonly Dictionary<string, string> parameters;

    public ParameterMap(params (string Field, string Parameter)[] renamed)
    {
        ArgumentNullException.ThrowIfNull(renamed);
        parameters = renamed.ToDictionary(r => r.Field, r => r.Parameter, StringComparer.Ordinal);
    }

    /// <summary>The parameter of a field: <c>-Name</c> for <c>Name</c> unless the map says otherwise.</summary>
    public string Of(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return string.Join(", ", field.Split(", ").Select(One));
    }

    private string One(string field)
    {
        var end = field.IndexOf('[', StringComparison.Ordinal);
        var name = end < 0 ? field : field[..end];
        var suffix = end < 0 ? string.Empty : field[end..];
        return (parameters.TryGetValue(name, out var parameter) ? parameter : "-" + name) + suffix;
    }
}
