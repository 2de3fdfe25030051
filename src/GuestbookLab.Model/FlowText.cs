using System;
using System.Collections;
using System.Globalization;
using System.Text;

namespace GuestbookLab.Model;

/// <summary>
/// An API object's fields on one line in YAML's flow style (<c>{port: {number: 80, protocol: HTTP}, hosts: ['*']}</c>),
/// what Format-List and string interpolation show of a spec instead of its type name.
/// </summary>
public static class FlowText
{
    /// <summary>The object's API fields, in flow style.</summary>
    public static string Write(ApiObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder();
        Append(text, ApiObjectMapper.ToTree(value));
        return text.ToString();
    }

    /// <summary>A tree value (a mapping, a list or a scalar, as <see cref="ApiObjectMapper.ToTree"/> gives), in flow style.</summary>
    public static string Value(object? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case string s:
                text.Append(Scalar(s));
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case IFormattable number when value is not Enum:
                text.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IDictionary map:
                text.Append('{');
                var first = true;
                foreach (DictionaryEntry entry in map)
                {
                    text.Append(first ? string.Empty : ", ").Append(Scalar(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty)).Append(": ");
                    Append(text, entry.Value);
                    first = false;
                }

                text.Append('}');
                break;
            case IEnumerable items:
                text.Append('[');
                var firstItem = true;
                foreach (var item in items)
                {
                    text.Append(firstItem ? string.Empty : ", ");
                    Append(text, item);
                    firstItem = false;
                }

                text.Append(']');
                break;
            default:
                text.Append(Scalar(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
                break;
        }
    }

    // Plain when YAML would read it back as the same string, else single-quoted ('' escapes a quote).
    private static string Scalar(string s)
    {
        var plain = s.Length > 0
            && s.Trim() == s
            && s.IndexOfAny([':', '{', '}', '[', ']', ',', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\n', '\r', '\t']) < 0
            && s[0] is not ('-' or '?')
            && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && s.ToUpperInvariant() is not ("TRUE" or "FALSE" or "NULL" or "~" or "YES" or "NO" or "ON" or "OFF");
        return plain ? s : "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
