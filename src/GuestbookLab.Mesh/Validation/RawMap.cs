using System;
using System.Collections;
using System.Collections.Generic;

namespace GuestbookLab.Mesh.Validation;

/// <summary>Reading the untyped fields of a resource the rules check as read (maps, lists and numbers as YAML gives them).</summary>
internal static class RawMap
{
    /// <summary>The value of <paramref name="key"/>, or null when the map or the key is missing.</summary>
    public static object? Get(IDictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;

    /// <summary>The list at <paramref name="key"/>, or an empty one when it is missing or not a list.</summary>
    public static IList Items(IDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is IList list ? list : Array.Empty<object?>();

    /// <summary>A whole number however it was read (long, int, or a double without a fraction); null otherwise.</summary>
    public static long? Whole(object? value) => value switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) => (long)d,
        _ => null,
    };
}
