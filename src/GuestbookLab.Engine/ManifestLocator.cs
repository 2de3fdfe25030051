using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Analysis;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;
using YamlDotNet.RepresentationModel;

namespace GuestbookLab.Engine;

/// <summary>
/// Finds the line of a field (<c>spec.http[0].route[1].destination.host</c>, <c>metadata.annotations[key]</c>) in the
/// manifest file a resource was read from, so a finding can name the line of the field it is about, as istioctl
/// analyze does. The file is read again (once per locator) only when a finding asks; a URL, a file that cannot be read
/// or no longer has the document at its line, and a field the document does not have all give the best place known:
/// the deepest part of the field found, else the line the document starts on.
/// </summary>
public sealed class ManifestLocator(ManifestLimits limits)
{
    // The files read again at once: past this many, the oldest are let go (a finding's file is usually one of a few).
    private const int FilesKept = 8;

    private readonly Dictionary<string, (long Text, Dictionary<int, YamlMappingNode> Roots)?> files = new(StringComparer.Ordinal);

    public ManifestLocator()
        : this(ManifestLimits.Default)
    {
    }

    /// <summary>The fingerprint a source keeps of the text it was read from (length and hash, stable within the process).</summary>
    public static long Fingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ((long)text.Length << 32) ^ (uint)text.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>Each finding with the line of its field, when it has a field and came from a file.</summary>
    public async Task<IReadOnlyList<AnalysisMessage>> PlaceAsync(IReadOnlyList<AnalysisMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var placed = new List<AnalysisMessage>(messages.Count);
        foreach (var message in messages)
        {
            placed.Add(message.Source is null || message.Field is null
                ? message
                : message with { Source = await LocateAsync(message.Source, message.Field, cancellationToken).ConfigureAwait(false) });
        }

        return placed;
    }

    /// <summary>Each issue about <paramref name="resource"/> with the place of its field, when the resource came from a manifest.</summary>
    public async Task<IReadOnlyList<ValidationIssue>> PlaceAsync(LabResource resource, IReadOnlyList<ValidationIssue> issues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(issues);
        if (resource.Source is null)
        {
            return issues;
        }

        var placed = new List<ValidationIssue>(issues.Count);
        foreach (var issue in issues)
        {
            placed.Add(issue with { Source = await LocateAsync(resource.Source, issue.Field, cancellationToken).ConfigureAwait(false) });
        }

        return placed;
    }

    /// <summary>The place of <paramref name="field"/> in the document at <paramref name="document"/>; the document's own place when the field cannot be found.</summary>
    public async Task<ManifestSource?> LocateAsync(ManifestSource? document, string? field, CancellationToken cancellationToken)
    {
        if (document is null || string.IsNullOrEmpty(field) || field.StartsWith('-'))
        {
            return document;
        }

        // A URL is not downloaded again, and only a file whose text is the one read is used.
        if (!System.IO.Path.IsPathFullyQualified(document.Path) || Uri.TryCreate(document.Path, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            return document;
        }

        if (!files.TryGetValue(document.Path, out var read))
        {
            if (files.Count >= FilesKept)
            {
                files.Clear();
            }

            read = await ReadRootsAsync(document.Path, limits, cancellationToken).ConfigureAwait(false);
            files[document.Path] = read;
        }

        if (read is not { } file || file.Text != document.Text || !file.Roots.TryGetValue(document.Line, out var root))
        {
            return document;
        }

        YamlNode node = root;

        // A mapping's field is named by its key's line (a block value starts below it); a list item by the item's.
        var line = document.Line;
        foreach (var segment in Segments(field))
        {
            YamlNode? at = null;
            if (node is YamlMappingNode map)
            {
                foreach (var (key, value) in map.Children)
                {
                    if (key is YamlScalarNode { Value: var name } && string.Equals(name, segment, StringComparison.Ordinal))
                    {
                        (at, line) = (value, Line(key));
                        break;
                    }
                }
            }
            else if (node is YamlSequenceNode list && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Children.Count)
            {
                at = list.Children[index];
                line = Line(at);
            }

            if (at is null)
            {
                break;
            }

            node = at;
        }

        return document with { Line = line };
    }

    private static int Line(YamlNode node) => (int)Math.Min(node.Start.Line, int.MaxValue);

    /// <summary>The segments of a field path: names split at '.', and each [x] a segment of its own (an index, or a key such as an annotation's).</summary>
    public static IReadOnlyList<string> Segments(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var segments = new List<string>();
        var i = 0;
        while (i < field.Length)
        {
            if (field[i] == '.')
            {
                i++;
                continue;
            }

            if (field[i] == '[')
            {
                var end = field.IndexOf(']', i + 1);
                end = end < 0 ? field.Length : end;
                segments.Add(field[(i + 1)..end]);
                i = end + 1;
                continue;
            }

            var stop = field.IndexOfAny(['.', '['], i);
            stop = stop < 0 ? field.Length : stop;
            segments.Add(field[i..stop]);
            i = stop;
        }

        return segments;
    }

    // Each document's root mapping by the line it starts on, and the text's fingerprint; null when the file cannot be read or parsed.
    private static async Task<(long, Dictionary<int, YamlMappingNode>)?> ReadRootsAsync(string path, ManifestLimits limits, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var text = await ManifestReader.ReadFileTextAsync(path, limits, cancellationToken).ConfigureAwait(false);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var roots = new Dictionary<int, YamlMappingNode>();
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode mapping)
                {
                    roots.TryAdd(Line(mapping), mapping);
                }
            }

            return (Fingerprint(text), roots);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever the file has become, the finding keeps its document's place.
            return null;
        }
    }
}
