using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Graph;

/// <summary>The picture's text: what a node and an edge say, shared by every format.</summary>
public static class MeshGraphText
{
    public const string Lock = "\U0001F512";

    /// <summary>A node's lines: its name, then what it holds.</summary>
    public static IReadOnlyList<string> NodeLines(MeshGraphNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var lines = new List<string> { node.Label };
        switch (node.Kind)
        {
            case MeshGraphNodeKind.IngressGateway:
                lines.Add("ingress gateway");
                if (node.Detail is not null)
                {
                    lines.AddRange(node.Detail.Split("; "));
                }

                break;
            case MeshGraphNodeKind.Service:
                lines.Add($"service, {Pods(node.Pods)}");
                break;
            case MeshGraphNodeKind.Subset:
                lines.Add($"subset, {Pods(node.Pods)}{(node.Detail is null ? string.Empty : $" ({node.Detail})")}");
                break;
            case MeshGraphNodeKind.Workload:
                lines.Add($"{Pods(node.Pods)}, {Mtls(node)}");
                break;
            case MeshGraphNodeKind.Pod:
                lines.Add(node.Sidecar == true ? "with a sidecar" : "no sidecar");
                break;
            default:
                if (node.Detail is not null)
                {
                    lines.Add(node.Detail);
                }

                break;
        }

        return lines;
    }

    /// <summary>An edge's label; empty for endpoints.</summary>
    public static string EdgeLabel(MeshGraphEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        var parts = new List<string>();
        switch (edge.Kind)
        {
            case MeshGraphEdgeKind.Route:
                if (edge.Weight is { } weight)
                {
                    parts.Add(weight.ToString(CultureInfo.InvariantCulture) + "%");
                }

                parts.AddRange(new[] { edge.Condition, edge.Fault, edge.Retries }.Where(p => p is not null)!);
                break;
            case MeshGraphEdgeKind.Mirror:
                parts.Add($"mirror {(edge.MirrorPercent ?? 100).ToString(CultureInfo.InvariantCulture)}%");
                break;
            case MeshGraphEdgeKind.Egress:
            case MeshGraphEdgeKind.Authorization:
                if (edge.Condition is not null)
                {
                    parts.Add(edge.Condition);
                }

                parts.Add(edge.Denied ? "denied" : "allowed");
                if (edge.Policy is not null)
                {
                    parts[^1] += " by " + edge.Policy;
                }

                break;
            default:
                break;
        }

        return string.Join(", ", parts);
    }

    private static string Pods(int? pods) => pods switch
    {
        null => "pods unknown",
        1 => "1 pod",
        var n => $"{n} pods",
    };

    private static string Mtls(MeshGraphNode node) => node.Sidecar != true
        ? "no sidecar"
        : node.Strict ? $"{Lock} mTLS STRICT" : $"mTLS {node.MtlsMode ?? "PERMISSIVE"}";
}

/// <summary>A <see cref="MeshGraph"/> as a Mermaid flowchart (renders on GitHub, GitLab and in VS Code).</summary>
public static class MermaidRenderer
{
    public static string Render(MeshGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var ids = Ids(graph);
        var text = new StringBuilder();
        text.Append("flowchart LR\n");
        if (graph.Step is not null || graph.Title is not null)
        {
            text.Append("  %% ").Append(Comment(string.Join(" ", new[] { graph.Step, graph.Title }.Where(t => t is not null)))).Append('\n');
        }

        var groupIndex = 0;
        foreach (var group in graph.Groups)
        {
            text.Append("  subgraph g").Append(groupIndex++.ToString(CultureInfo.InvariantCulture)).Append("[\"").Append(Escape(group)).Append("\"]\n");
            foreach (var node in graph.Nodes.Where(n => n.Namespace == group))
            {
                text.Append("    ").Append(Node(node, ids)).Append('\n');
            }

            text.Append("  end\n");
        }

        foreach (var node in graph.Nodes.Where(n => n.Namespace is null || !graph.Groups.Contains(n.Namespace)))
        {
            text.Append("  ").Append(Node(node, ids)).Append('\n');
        }

        var styles = new List<string>();
        var index = 0;
        foreach (var edge in graph.Edges)
        {
            if (!ids.TryGetValue(edge.From, out var from) || !ids.TryGetValue(edge.To, out var to))
            {
                continue;
            }

            var label = MeshGraphText.EdgeLabel(edge);
            var arrow = edge.Kind switch
            {
                MeshGraphEdgeKind.Mirror => "-.->",
                MeshGraphEdgeKind.Endpoint => "-->",
                MeshGraphEdgeKind.Authorization or MeshGraphEdgeKind.Egress => edge.Denied ? "-.-x" : "-.->",
                _ => "==>",
            };
            text.Append("  ").Append(from).Append(' ').Append(arrow);
            if (label.Length > 0)
            {
                text.Append("|\"").Append(Escape(label)).Append("\"|");
            }

            text.Append(' ').Append(to).Append('\n');
            var color = EdgeColor(edge);
            styles.Add($"  linkStyle {index.ToString(CultureInfo.InvariantCulture)} stroke:{color},color:{color}");
            index++;
        }

        foreach (var style in styles)
        {
            text.Append(style).Append('\n');
        }

        text.Append("  classDef gateway fill:#e8f0fe,stroke:#1a73e8\n");
        text.Append("  classDef service fill:#ffffff,stroke:#5f6368\n");
        text.Append("  classDef subset fill:#fef7e0,stroke:#f9ab00\n");
        text.Append("  classDef workload fill:#e6f4ea,stroke:#188038\n");
        text.Append("  classDef strict fill:#e6f4ea,stroke:#188038,stroke-width:3px\n");
        text.Append("  classDef outside fill:#f1f3f4,stroke:#80868b,stroke-dasharray:4 2\n");
        foreach (var node in graph.Nodes)
        {
            text.Append("  class ").Append(ids[node.Id]).Append(' ').Append(ClassOf(node)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Mermaid's entity codes for what would end or break a quoted label.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '#' => "#35;",
                '"' => "#quot;",
                '<' => "#lt;",
                '>' => "#gt;",
                '&' => "#amp;",
                '|' => "#124;",
                '\n' or '\r' => " ",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    internal static Dictionary<string, string> Ids(MeshGraph graph) =>
        graph.Nodes.Select((n, i) => (n.Id, Short: "n" + i.ToString(CultureInfo.InvariantCulture))).ToDictionary(x => x.Id, x => x.Short, StringComparer.Ordinal);

    internal static string EdgeColor(MeshGraphEdge edge) => edge.Kind switch
    {
        MeshGraphEdgeKind.Authorization or MeshGraphEdgeKind.Egress => edge.Denied ? "#d93025" : "#188038",
        MeshGraphEdgeKind.Mirror => "#9334e6",
        MeshGraphEdgeKind.Endpoint => "#80868b",
        _ => "#1a73e8",
    };

    private static string Comment(string text) => text.Replace('\n', ' ').Replace('\r', ' ');

    private static string ClassOf(MeshGraphNode node) => node.Kind switch
    {
        MeshGraphNodeKind.IngressGateway or MeshGraphNodeKind.Egress => "gateway",
        MeshGraphNodeKind.Service => "service",
        MeshGraphNodeKind.Subset => "subset",
        MeshGraphNodeKind.Workload => node.Strict ? "strict" : "workload",
        _ => "outside",
    };

    private static string Node(MeshGraphNode node, Dictionary<string, string> ids)
    {
        var label = string.Join("<br/>", MeshGraphText.NodeLines(node).Select(Escape));
        var (open, close) = node.Kind switch
        {
            MeshGraphNodeKind.IngressGateway or MeshGraphNodeKind.Egress => ("{{", "}}"),
            MeshGraphNodeKind.Service => ("([", "])"),
            MeshGraphNodeKind.Subset => ("[", "]"),
            MeshGraphNodeKind.Workload => ("[[", "]]"),
            MeshGraphNodeKind.Pod => ("(", ")"),
            MeshGraphNodeKind.External => ("[/", "/]"),
            _ => ("((", "))"),
        };
        return $"{ids[node.Id]}{open}\"{label}\"{close}";
    }
}

/// <summary>A <see cref="MeshGraph"/> in Graphviz's DOT language (dot -Tsvg draws it).</summary>
public static class DotRenderer
{
    public static string Render(MeshGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var ids = MermaidRenderer.Ids(graph);
        var text = new StringBuilder();
        text.Append("digraph mesh {\n");
        if (graph.Step is not null || graph.Title is not null)
        {
            text.Append("  label=").Append(Quote(string.Join(" ", new[] { graph.Step, graph.Title }.Where(t => t is not null)))).Append("; labelloc=t;\n");
        }

        text.Append("  rankdir=LR; compound=true; newrank=true;\n");
        text.Append("  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=white];\n");
        text.Append("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        var groupIndex = 0;
        foreach (var group in graph.Groups)
        {
            text.Append("  subgraph ").Append(Quote("cluster_" + groupIndex++.ToString(CultureInfo.InvariantCulture))).Append(" {\n");
            text.Append("    label=").Append(Quote("namespace " + group)).Append("; style=\"rounded,dashed\"; color=\"#80868b\";\n");
            foreach (var node in graph.Nodes.Where(n => n.Namespace == group))
            {
                text.Append("    ").Append(Node(node, ids)).Append('\n');
            }

            text.Append("  }\n");
        }

        foreach (var node in graph.Nodes.Where(n => n.Namespace is null || !graph.Groups.Contains(n.Namespace)))
        {
            text.Append("  ").Append(Node(node, ids)).Append('\n');
        }

        foreach (var edge in graph.Edges)
        {
            if (!ids.TryGetValue(edge.From, out var from) || !ids.TryGetValue(edge.To, out var to))
            {
                continue;
            }

            var attributes = new List<string>();
            var label = MeshGraphText.EdgeLabel(edge);
            if (label.Length > 0)
            {
                attributes.Add("label=" + Quote(label));
            }

            var color = MermaidRenderer.EdgeColor(edge);
            attributes.Add($"color=\"{color}\", fontcolor=\"{color}\"");
            attributes.Add(edge.Kind switch
            {
                MeshGraphEdgeKind.Mirror => "style=dashed",
                MeshGraphEdgeKind.Endpoint => "style=solid, arrowsize=0.6",
                MeshGraphEdgeKind.Authorization or MeshGraphEdgeKind.Egress => edge.Denied ? "style=dotted, arrowhead=tee, penwidth=1.5" : "style=dotted, penwidth=1.5",
                _ => "style=bold",
            });
            text.Append("  ").Append(from).Append(" -> ").Append(to).Append(" [").Append(string.Join(", ", attributes)).Append("];\n");
        }

        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>A DOT double-quoted string: backslashes and quotes escaped, line breaks as \n.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => string.Empty,
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static string Node(MeshGraphNode node, Dictionary<string, string> ids)
    {
        var label = Quote(string.Join("\n", MeshGraphText.NodeLines(node)));
        var shape = node.Kind switch
        {
            MeshGraphNodeKind.IngressGateway or MeshGraphNodeKind.Egress => "shape=hexagon, fillcolor=\"#e8f0fe\", color=\"#1a73e8\"",
            MeshGraphNodeKind.Service => "shape=box, style=\"rounded,filled\", color=\"#5f6368\"",
            MeshGraphNodeKind.Subset => "shape=box, fillcolor=\"#fef7e0\", color=\"#f9ab00\"",
            MeshGraphNodeKind.Workload => node.Strict ? "shape=box3d, fillcolor=\"#e6f4ea\", color=\"#188038\", penwidth=2.5" : "shape=box3d, fillcolor=\"#e6f4ea\", color=\"#188038\"",
            MeshGraphNodeKind.Pod => "shape=ellipse, fillcolor=\"#f1f3f4\", color=\"#80868b\"",
            MeshGraphNodeKind.External => "shape=parallelogram, style=\"dashed,filled\", fillcolor=\"#f1f3f4\", color=\"#80868b\"",
            _ => "shape=doublecircle, style=\"dashed,filled\", fillcolor=\"#f1f3f4\", color=\"#80868b\"",
        };
        return $"{ids[node.Id]} [label={label}, {shape}];";
    }
}

/// <summary>An HTML page with the picture (an SVG, or a Mermaid flowchart when there is no SVG) and a legend.</summary>
public static class MeshGraphPage
{
    /// <summary>The page for one or more graphs, each with its SVG (null: drawn as Mermaid) and a note shown above it.</summary>
    public static string Render(string title, IReadOnlyList<(MeshGraph Graph, string? Svg, string? Note)> pictures)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(pictures);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        html.Append("<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#202124}figure{margin:1em 0;border:1px solid #dadce0;padding:1em;overflow:auto}"
            + "table.legend td{padding:2px 8px}.swatch{display:inline-block;width:2.5em;border-top:3px solid}.note{color:#5f6368}</style>\n");
        var mermaid = pictures.Any(p => p.Svg is null);
        if (mermaid)
        {
            html.Append("<script type=\"module\">import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid@12.3.0/dist/mermaid.esm.min.mjs'; mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script>\n");
        }

        html.Append("</head>\n<body>\n<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        foreach (var (graph, svg, note) in pictures)
        {
            var id = graph.Step ?? "mesh";
            html.Append("<section class=\"step\" id=\"").Append(WebUtility.HtmlEncode(id)).Append("\">\n");
            if (graph.Step is not null || graph.Title is not null)
            {
                html.Append("<h2>").Append(WebUtility.HtmlEncode(string.Join(" ", new[] { graph.Step, graph.Title }.Where(t => t is not null)))).Append("</h2>\n");
            }

            if (note is not null)
            {
                html.Append("<p class=\"note\">").Append(WebUtility.HtmlEncode(note)).Append("</p>\n");
            }

            html.Append("<figure class=\"picture\">\n");
            if (svg is not null)
            {
                var start = svg.IndexOf("<svg", StringComparison.Ordinal);
                html.Append(start < 0 ? svg : svg[start..]).Append('\n');
            }
            else
            {
                html.Append("<pre class=\"mermaid\">\n").Append(WebUtility.HtmlEncode(MermaidRenderer.Render(graph))).Append("</pre>\n");
            }

            html.Append("</figure>\n</section>\n");
        }

        html.Append(Legend());
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string Legend() =>
        "<h2>Legend</h2>\n<table class=\"legend\">\n"
        + "<tr><td><span class=\"swatch\" style=\"border-color:#1a73e8\"></span></td><td>route (VirtualService): weight, match, fault, retries</td></tr>\n"
        + "<tr><td><span class=\"swatch\" style=\"border-color:#9334e6;border-top-style:dashed\"></span></td><td>mirror (a copy, its answer discarded; Host gets -shadow)</td></tr>\n"
        + "<tr><td><span class=\"swatch\" style=\"border-color:#80868b\"></span></td><td>endpoints: the pods a service or subset sends to</td></tr>\n"
        + "<tr><td><span class=\"swatch\" style=\"border-color:#188038;border-top-style:dotted\"></span></td><td>a request allowed (by the policy named), simulated as Test-MeshRequest does</td></tr>\n"
        + "<tr><td><span class=\"swatch\" style=\"border-color:#d93025;border-top-style:dotted\"></span></td><td>a request denied: AuthorizationPolicy, JWT, STRICT mTLS or REGISTRY_ONLY</td></tr>\n"
        + "<tr><td>" + MeshGraphText.Lock + "</td><td>the workload's sidecars accept only mTLS (PeerAuthentication STRICT)</td></tr>\n"
        + "<tr><td>boxes in a frame</td><td>a namespace; hosts outside the mesh are drawn outside every frame</td></tr>\n"
        + "</table>\n";
}
