using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GuestbookLab.Model;

/// <summary>Reading values out of an object tree (status fields the model does not type): absent or mistyped is null.</summary>
internal static class TreeRead
{
    public static IDictionary<string, object?>? Map(IDictionary<string, object?>? map, string key)
        => map is not null && map.TryGetValue(key, out var value) ? value as IDictionary<string, object?> : null;

    public static List<IDictionary<string, object?>> Maps(IDictionary<string, object?>? map, string key)
        => map is not null && map.TryGetValue(key, out var value) && value is IEnumerable items and not string
            ? items.OfType<IDictionary<string, object?>>().ToList()
            : [];

    public static string? Text(IDictionary<string, object?>? map, string key)
        => map is not null && map.TryGetValue(key, out var value) ? value as string : null;

    public static long? Number(IDictionary<string, object?>? map, string key)
        => map is not null && map.TryGetValue(key, out var value) ? value switch { long l => l, int i => i, double d => (long)d, _ => null } : null;

    public static bool? Flag(IDictionary<string, object?>? map, string key)
        => map is not null && map.TryGetValue(key, out var value) ? value as bool? : null;

    public static DateTimeOffset? Time(IDictionary<string, object?>? map, string key)
        => Text(map, key) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
