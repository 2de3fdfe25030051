using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>PowerShell input (hashtables, PSObjects) as the plain types the builders' options records take.</summary>
internal static class Binding
{
    /// <summary>A hashtable's entries as text, in the user's order (sorted for a plain hashtable); empty for none.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(IDictionary? table) =>
        table is null ? [] : LabCmdlet.Entries(table).Select(e => KeyValuePair.Create(e.Key, LabCmdlet.ToText(e.Value))).ToList();

    /// <summary>A hashtable's entries as text, or null when it was not given.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? PairsOrNull(IDictionary? table) => table is null ? null : Pairs(table);

    /// <summary>A hashtable's entries with their values unwrapped (not converted), in the user's order.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> RawPairs(IDictionary table) =>
        LabCmdlet.Entries(table).Select(e => KeyValuePair.Create(e.Key, LabCmdlet.Unwrap(e.Value))).ToList();

    /// <summary>A hashtable of labels as strings (see <see cref="LabCmdlet.ToStringMap"/>).</summary>
    public static IReadOnlyDictionary<string, string>? Labels(IDictionary? table) => LabCmdlet.ToStringMap(table);

    /// <summary>The labels of a -Selector bound with [SelectorTransformation(LabelsOnly = true)] (matchLabels).</summary>
    public static IReadOnlyDictionary<string, string>? Labels(LabelQuery? selector) => selector?.AsMatchLabels();

    /// <summary>Values given as one item or a list, as text.</summary>
    public static IReadOnlyList<string> Values(object? value) => LabCmdlet.Unwrap(value) switch
    {
        string s => [s],
        IEnumerable items => items.Cast<object?>().Select(LabCmdlet.ToText).ToList(),
        var other => [LabCmdlet.ToText(other)],
    };

    /// <summary>Keys compared as PowerShell compares hashtable keys (case-insensitively).</summary>
    public static StringComparer KeyComparer => StringComparer.OrdinalIgnoreCase;
}
