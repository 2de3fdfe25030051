using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security;

namespace GuestbookLab.Model;

/// <summary>
/// A secret value (a Secret's base64 <c>data</c> entry) held in a <see cref="SecureString"/>. It prints as
/// <c>&lt;redacted&gt;</c> everywhere: formatting, ToString, manifests written without <c>-IncludeSecrets</c>.
/// Only the cluster target and an explicit <see cref="Reveal"/> read the value.
/// </summary>
public sealed class SecretValue
{
    /// <summary>What a secret value is written as when secrets are not included. Not valid base64, so an API server refuses it.</summary>
    public const string Redacted = "<redacted>";

    private readonly SecureString value;

    public SecretValue(SecureString value)
    {
        ArgumentNullException.ThrowIfNull(value);
        this.value = value.Copy();
        this.value.MakeReadOnly();
    }

    /// <summary>The number of characters (of the base64 text).</summary>
    public int Length => value.Length;

    /// <summary>Wraps a text; the caller should drop its own copy.</summary>
    public static SecretValue FromText(string text)
    {
        using var secure = SecureText.Protect(text);
        return new SecretValue(secure);
    }

    /// <summary>The value itself. Only for writing it where it belongs (the API server, or a file the user asked for).</summary>
    public string Reveal() => SecureText.Reveal(value);

    public override string ToString() => Redacted;

    /// <summary>
    /// The tree of a resource to write out, its secret values revealed (<paramref name="reveal"/>) or redacted. Only a
    /// Secret's typed fields hold secret values, so every other tree is returned as it is, without another copy.
    /// </summary>
    public static Dictionary<string, object?> TreeOf(LabResource resource, bool reveal)
    {
        var tree = ApiObjectMapper.ToTree(resource);
        return resource is KubernetesSecret ? (Dictionary<string, object?>)Resolve(tree, reveal)! : tree;
    }

    /// <summary>A copy of a tree in which every secret value is revealed (<paramref name="reveal"/>) or redacted.</summary>
    public static object? Resolve(object? tree, bool reveal) => tree switch
    {
        SecretValue s => reveal ? s.Reveal() : Redacted,
        IDictionary<string, object?> map => ResolveMap(map, reveal),
        IList list => ResolveList(list, reveal),
        _ => tree,
    };

    /// <summary>Whether a tree holds any secret value.</summary>
    public static bool Holds(object? tree) => tree switch
    {
        SecretValue => true,
        IDictionary<string, object?> map => HoldsAny(map.Values),
        IList list => HoldsAny(list),
        _ => false,
    };

    private static Dictionary<string, object?> ResolveMap(IDictionary<string, object?> map, bool reveal)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, item) in map)
        {
            copy[key] = Resolve(item, reveal);
        }

        return copy;
    }

    private static List<object?> ResolveList(IList list, bool reveal)
    {
        var copy = new List<object?>(list.Count);
        foreach (var item in list)
        {
            copy.Add(Resolve(item, reveal));
        }

        return copy;
    }

    private static bool HoldsAny(IEnumerable values)
    {
        foreach (var item in values)
        {
            if (Holds(item))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The one place SecureStrings are made from text and read back.</summary>
public static class SecureText
{
    /// <summary>A read-only SecureString holding <paramref name="text"/>.</summary>
    public static SecureString Protect(ReadOnlySpan<char> text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>The text a SecureString holds; only for sending it where it belongs.</summary>
    public static string Reveal(SecureString secure)
    {
        ArgumentNullException.ThrowIfNull(secure);
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(pointer, secure.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}

/// <summary>A v1 Secret. Its <c>data</c> and <c>stringData</c> values are <see cref="SecretValue"/>s: they never print.</summary>
public sealed class KubernetesSecret : LabResource
{
    public const string KindName = "Secret";

    /// <summary>The type kubectl create secret docker-registry gives.</summary>
    public const string DockerConfigJson = "kubernetes.io/dockerconfigjson";

    public KubernetesSecret()
        : base("v1", KindName)
    {
    }

    [ApiField("type")] public string? Type { get; set; }

    /// <summary>Base64-encoded values by key.</summary>
    [ApiField("data")] public Dictionary<string, SecretValue>? Data { get; set; }

    /// <summary>Plain-text values by key (the API server encodes them into data).</summary>
    [ApiField("stringData")] public Dictionary<string, SecretValue>? StringData { get; set; }

    /// <summary>The keys the Secret holds (the values never show).</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            keys.UnionWith(Data?.Keys ?? (IEnumerable<string>)[]);
            keys.UnionWith(StringData?.Keys ?? (IEnumerable<string>)[]);
            return [.. keys];
        }
    }
}
