using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GuestbookLab.Model;

/// <summary>
/// The one reader of untyped object trees (maps, lists and scalars as YAML or JSON give them: status fields the model
/// does not type, Pods, ConfigMaps, the mesh config, the fields a rule checks as read). Absent or mistyped is null or
/// empty, never an exception.
/// </summary>
internal static class Tree
{
    /// <summary>The node at the path of <paramref name="keys"/> through nested maps, or null when any step is missing.</summary>
    public static object? Path(object? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (node is IDictionary<string, object?> map && map.TryGetValue(key, out var next))
            {
                node = next;
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The value of <paramref name="key"/>, or null when the map or the key is missing.</summary>
    public static object? Get(IDictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;

    /// <summary>The map at <paramref name="key"/>, or null when it is missing or not a map.</summary>
    public static IDictionary<string, object?>? Map(IDictionary<string, object?>? map, string key) =>
        Get(map, key) as IDictionary<string, object?>;

    /// <summary>The maps of the list at <paramref name="key"/> (other items left out), or an empty list.</summary>
    public static List<IDictionary<string, object?>> Maps(IDictionary<string, object?>? map, string key) =>
        Get(map, key) is IEnumerable items and not string ? items.OfType<IDictionary<string, object?>>().ToList() : [];

    /// <summary>The list at <paramref name="key"/>, or an empty one when it is missing or not a list.</summary>
    public static IList Items(IDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is IList list ? list : Array.Empty<object?>();

    /// <summary>The items of a list node, or none when the node is not a list.</summary>
    public static IEnumerable<object?> Seq(object? node) => node as IEnumerable<object?> is { } seq && node is not string ? seq : [];

    /// <summary>The string at <paramref name="key"/>; null when it is missing or not a string.</summary>
    public static string? Text(IDictionary<string, object?>? map, string key) => Get(map, key) as string;

    /// <summary>A scalar node as text, spelled as YAML and JSON spell it (true, false, numbers in the invariant culture); null for maps and null.</summary>
    public static string? Str(object? node) => node switch
    {
        null or IDictionary<string, object?> => null,
        string s => s,
        bool b => b ? "true" : "false",
        _ => Convert.ToString(node, CultureInfo.InvariantCulture),
    };

    /// <summary>Whether a node is true (the boolean, or the string "true" in any case).</summary>
    public static bool Bool(object? node) => node is true || (node is string s && string.Equals(s, "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The number at <paramref name="key"/> as a long (a double truncated); null when it is not a number.</summary>
    public static long? Number(IDictionary<string, object?>? map, string key) =>
        Get(map, key) switch { long l => l, int i => i, double d => (long)d, _ => null };

    /// <summary>A whole number however it was read (long, int, or a double without a fraction); null otherwise.</summary>
    public static long? Whole(object? value) => value switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) => (long)d,
        _ => null,
    };

    /// <summary>The boolean at <paramref name="key"/>; null when it is missing or not a boolean.</summary>
    public static bool? Flag(IDictionary<string, object?>? map, string key) => Get(map, key) as bool?;

    /// <summary>The time at <paramref name="key"/> (RFC 3339 text, UTC when it has no offset); null when it is not one.</summary>
    public static DateTimeOffset? Time(IDictionary<string, object?>? map, string key) =>
        Text(map, key) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
