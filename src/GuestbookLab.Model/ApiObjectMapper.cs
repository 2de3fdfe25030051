using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace GuestbookLab.Model;

/// <summary>
/// Converts between typed API objects and the generic tree that YAML is read into and written from.
/// The tree holds only BCL types: <see cref="IDictionary{TKey,TValue}"/> of string to value, <see cref="IList"/>,
/// string, long, double, bool and null.
/// </summary>
public static class ApiObjectMapper
{
    private static readonly ConcurrentDictionary<Type, FieldMap[]> Maps = new();

    /// <summary>Reads a typed object of type <paramref name="type"/> from a mapping.</summary>
    public static ApiObject ToObject(Type type, IDictionary<string, object?> tree, string path)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(tree);
        var target = (ApiObject)Activator.CreateInstance(type)!;
        Fill(target, tree, path);
        return target;
    }

    /// <summary>Fills an already created object (used for resources whose constructor fixes kind and apiVersion).</summary>
    public static void Fill(ApiObject target, IDictionary<string, object?> tree, string path)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(tree);
        var fields = NamesOf(target.GetType());
        foreach (var (key, value) in tree)
        {
            var field = fields.GetValueOrDefault(key);
            var fieldPath = Join(path, key);
            if (field is null)
            {
                target.AdditionalFields[key] = CopyTree(value);
            }
            else if (value is null && field.Property.GetValue(target) is ApiObject)
            {
                // "metadata:" or "spec:" with nothing after it: a field set to null is a field not set (as the API
                // server reads it), and the object keeps its empty metadata or spec rather than none.
            }
            else if (field.Property.CanWrite)
            {
                field.Property.SetValue(target, ConvertIn(field.Property.PropertyType, value, fieldPath));
            }
            else if (!Equals(field.Property.GetValue(target), value))
            {
                throw new ManifestFormatException(
                    $"{fieldPath}: expected '{field.Property.GetValue(target)}', found '{value}'.", fieldPath);
            }
        }
    }

    /// <summary>Writes a typed object to a mapping; null properties are left out.</summary>
    public static Dictionary<string, object?> ToTree(ApiObject source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tree = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in source.AdditionalFields)
        {
            tree[key] = CopyTree(value);
        }

        foreach (var field in MapOf(source.GetType()))
        {
            var value = field.Property.GetValue(source);
            if (value is null)
            {
                continue;
            }

            var converted = ConvertOut(value);
            if (!(field.OmitWhenEmpty && converted is IDictionary { Count: 0 }))
            {
                tree[field.Name] = converted;
            }
        }

        return tree;
    }

    /// <summary>A deep copy of a typed object, through its tree.</summary>
    public static T Clone<T>(T source)
        where T : ApiObject
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = (T)Activator.CreateInstance(source.GetType())!;
        Fill(copy, ToTree(source), string.Empty);
        if (source is LabResource from && copy is LabResource to)
        {
            to.Source = from.Source;
        }

        return copy;
    }

    /// <summary>A deep copy of a generic tree value (mappings, lists, scalars).</summary>
    public static object? CopyTree(object? value) => value switch
    {
        null => null,
        string or bool or long or double or SecretValue => value,
        int i => (long)i,
        float f => (double)f,
        ApiObject o => ToTree(o),
        IDictionary map => CopyMap(map),
        IList list => CopyList(list, CopyTree),
        _ => throw new ManifestFormatException($"A value of type {value.GetType().Name} cannot be written to a manifest.", field: null),
    };

    /// <summary>
    /// A canonical text of an object or tree (keys sorted, numbers invariant): two values that would write the same
    /// manifest have the same key.
    /// </summary>
    public static string CanonicalKey(object? value) => value switch
    {
        null => "null",
        SecretValue => $"\"{SecretValue.Redacted}\"",
        ApiObject o => CanonicalKey(ToTree(o)),
        string s => $"\"{s}\"",
        IDictionary map => "{" + string.Join(",", Entries(map)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"{e.Key}:{CanonicalKey(e.Value)}")) + "}",
        IList list => "[" + string.Join(",", list.Cast<object?>().Select(CanonicalKey)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    private static List<object?> CopyList(IList list, Func<object?, object?> copy)
    {
        var result = new List<object?>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            result.Add(copy(list[i]));
        }

        return result;
    }

    private static Dictionary<string, object?> CopyMap(IDictionary map)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(map))
        {
            copy[key] = CopyTree(value);
        }

        return copy;
    }

    // IDictionary's own enumerator yields DictionaryEntry; a generic dictionary's IEnumerable does not.
    private static IEnumerable<(string Key, object? Value)> Entries(IDictionary map)
    {
        var enumerator = map.GetEnumerator();
        while (enumerator.MoveNext())
        {
            yield return (Convert.ToString(enumerator.Key, CultureInfo.InvariantCulture)!, enumerator.Value);
        }
    }

    private static object? ConvertOut(object value) => value switch
    {
        ApiObject o => ToTree(o),
        string or bool or long or double => value,
        int i => (long)i,
        IDictionary map => CopyMap(map),
        IList list => CopyList(list, v => v is null ? null : ConvertOut(v)),
        _ => CopyTree(value),
    };

    private static object? ConvertIn(Type type, object? value, string path)
    {
        if (value is null)
        {
            return null;
        }

        var shape = ShapeOf(type);
        switch (shape.Kind)
        {
            case ShapeKind.Object:
                return CopyTree(value);
            case ShapeKind.String:
                return value as string ?? throw Mismatch(path, "a string", value);
            case ShapeKind.Secret:
                return value switch
                {
                    SecretValue secret => secret,
                    string text => SecretValue.FromText(text),
                    _ => throw Mismatch(path, "a string", value),
                };
            case ShapeKind.Int:
                return value switch
                {
                    long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
                    double d when Math.Abs(d % 1) < double.Epsilon && d is >= int.MinValue and <= int.MaxValue => (int)d,
                    _ => throw Mismatch(path, "an integer", value),
                };
            case ShapeKind.Long:
                return value is long l2 ? l2 : throw Mismatch(path, "an integer", value);
            case ShapeKind.Double:
                return value switch
                {
                    long l => (double)l,
                    double d => d,
                    _ => throw Mismatch(path, "a number", value),
                };
            case ShapeKind.Bool:
                return value is bool b ? b : throw Mismatch(path, "true or false", value);
            case ShapeKind.ApiObject:
                return value is IDictionary<string, object?> fields
                    ? ToObject(shape.Type, fields, path)
                    : throw Mismatch(path, "a mapping", value);
            case ShapeKind.List:
            {
                if (value is not IList list)
                {
                    throw Mismatch(path, "a list", value);
                }

                var itemType = shape.Item!;
                var result = (IList)Activator.CreateInstance(shape.Type)!;
                for (var i = 0; i < list.Count; i++)
                {
                    var itemPath = $"{path}[{i}]";
                    result.Add(ConvertIn(itemType, NotNull(itemType, list[i], itemPath), itemPath));
                }

                return result;
            }

            case ShapeKind.Map:
            {
                if (value is not IDictionary<string, object?> map)
                {
                    throw Mismatch(path, "a mapping", value);
                }

                var valueType = shape.Item!;
                var result = (IDictionary)Activator.CreateInstance(shape.Type, StringComparer.Ordinal)!;
                // In key order, as they are written (and as kubectl writes Go's maps): an object read from a document and
                // the same object read back from what the module wrote then hold their entries in one order.
                var keys = new string[map.Count];
                map.Keys.CopyTo(keys, 0);
                Array.Sort(keys, StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    var itemPath = Join(path, key);
                    result[key] = ConvertIn(valueType, NotNull(valueType, map[key], itemPath), itemPath);
                }

                return result;
            }

            default:
                throw new InvalidOperationException($"The model type {shape.Type.Name} at {path} has no mapping.");
        }
    }

    private enum ShapeKind
    {
        None,
        Object,
        String,
        Secret,
        Int,
        Long,
        Double,
        Bool,
        ApiObject,
        List,
        Map,
    }

    // What a property's type is read as, found once per type (the reflection below is most of a read's time otherwise).
    private sealed record Shape(ShapeKind Kind, Type Type, Type? Item);

    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    private static Shape ShapeOf(Type type) => Shapes.GetOrAdd(type, static t =>
    {
        var underlying = Nullable.GetUnderlyingType(t) ?? t;
        if (underlying == typeof(object))
        {
            return new Shape(ShapeKind.Object, underlying, null);
        }

        if (underlying == typeof(string))
        {
            return new Shape(ShapeKind.String, underlying, null);
        }

        if (underlying == typeof(SecretValue))
        {
            return new Shape(ShapeKind.Secret, underlying, null);
        }

        if (underlying == typeof(int))
        {
            return new Shape(ShapeKind.Int, underlying, null);
        }

        if (underlying == typeof(long))
        {
            return new Shape(ShapeKind.Long, underlying, null);
        }

        if (underlying == typeof(double))
        {
            return new Shape(ShapeKind.Double, underlying, null);
        }

        if (underlying == typeof(bool))
        {
            return new Shape(ShapeKind.Bool, underlying, null);
        }

        if (typeof(ApiObject).IsAssignableFrom(underlying))
        {
            return new Shape(ShapeKind.ApiObject, underlying, null);
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            return new Shape(ShapeKind.List, underlying, underlying.GetGenericArguments()[0]);
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return new Shape(ShapeKind.Map, underlying, underlying.GetGenericArguments()[1]);
        }

        return new Shape(ShapeKind.None, underlying, null);
    });

    // A list item or map value of a typed list or map ("- " or "key:" with nothing after it) cannot be null: the API's
    // lists of strings and objects have no null items (found by ManifestFuzzTests: validation met a null host).
    private static object? NotNull(Type type, object? value, string path) =>
        value is null && type != typeof(object) && Nullable.GetUnderlyingType(type) is null
            ? throw new ManifestFormatException($"{path}: expected {(type == typeof(string) ? "a string" : typeof(ApiObject).IsAssignableFrom(type) ? "a mapping" : "a value")}, found null.", path)
            : value;

    private static ManifestFormatException Mismatch(string path, string expected, object value)
    {
        var shown = value switch
        {
            string s => $"the string '{s}'",
            IDictionary => "a mapping",
            IList => "a list",
            bool b => b ? "true" : "false",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
        return new ManifestFormatException($"{path}: expected {expected}, found {shown}.", path);
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static FieldMap[] MapOf(Type type) => Maps.GetOrAdd(type, t => t
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (Property: p, Field: p.GetCustomAttribute<ApiFieldAttribute>()))
        .Where(x => x.Field is not null)
        .Select(x => new FieldMap(x.Field!.Name, x.Property, x.Field.OmitWhenEmpty))
        .ToArray());

    private static readonly ConcurrentDictionary<Type, Dictionary<string, FieldMap>> Names = new();

    // A type's fields by name (the first of a name, as a search of MapOf finds it).
    private static Dictionary<string, FieldMap> NamesOf(Type type) => Names.GetOrAdd(type, t =>
    {
        var byName = new Dictionary<string, FieldMap>(StringComparer.Ordinal);
        foreach (var field in MapOf(t))
        {
            byName.TryAdd(field.Name, field);
        }

        return byName;
    });

    private sealed record FieldMap(string Name, PropertyInfo Property, bool OmitWhenEmpty);
}
