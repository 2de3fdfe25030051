using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GuestbookLab.Engine;

/// <summary>JSON to the generic tree the model reads (mappings, lists, string, long, double, bool, null).</summary>
public static class JsonTree
{
    public static object? From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => From(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(From).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static Dictionary<string, object?> Mapping(JsonElement element) => (Dictionary<string, object?>)From(element)!;
}
