using System;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Engine.Graphviz;
using GuestbookLab.Engine.Kops;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Graph;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Draws a mesh configuration offline: who can reach whom, by which route, with what weights and policies.</summary>
/// <remarks>
/// Reads a configuration as Test-MeshRequest does (pipeline objects, -Path or -Directory, or the connected target when
/// neither is given) and returns its graph. Nodes: the ingress gateway (with its Gateway servers), Services,
/// DestinationRule subsets (with their pods), workloads (pods, sidecar, mTLS mode: a lock where STRICT), hosts of
/// ServiceEntries, and, when there is egress to show, the sidecars' egress and 'any other host'; grouped by namespace.
/// Edges: VirtualService routes (weights such as 20%, matches such as user-agent ~ Chrome, faults such as abort 503 or
/// delay 5s, retries), mirrors, endpoints, egress (allowed by a ServiceEntry or blocked by REGISTRY_ONLY) and
/// authorization (a caller's request and the server's decision, with the AuthorizationPolicy or PeerAuthentication
/// that decided).
///
/// Egress and authorization edges are requests run through the same simulator as Test-MeshRequest; each edge keeps
/// the request (RequestFrom, RequestUri) so 'Test-MeshRequest -From $e.RequestFrom -Uri $e.RequestUri -Seed 0'
/// repeats it. Callers are the app's own calls, read from its containers' environment (MESSAGE_HOST=http://message-service,
/// REDIS_HOST=redis); the ingress gateway's requests are drawn when a policy decided them; a namespace without workloads
/// (the codelab's noistio) gets one pod that calls every service elsewhere; egress is simulated from a pod named
/// graph-client in the first injected namespace.
///
/// -Format Mermaid returns a flowchart (GitHub, GitLab and VS Code render it), -Format Dot Graphviz's DOT, -Format
/// Svg the SVG that Graphviz's dot draws (dot from -DotPath or PATH; without it, the error GraphvizNotFound says how to
/// install it). -OutFile writes the picture to a file (atomically) and returns the file: .html is a page with the
/// picture and a legend (the SVG when dot is found; otherwise a warning says how to get Graphviz and the page shows the
/// Mermaid flowchart, which mermaid.js from its CDN draws when the page is opened), .svg, .mmd and .dot are the formats
/// above.
/// </remarks>
/// <example>
/// <code>$base = (Get-Module GuestbookLab).ModuleBase
/// $app = ConvertFrom-LabYaml -Path (Join-Path $base 'Labs/App/guestbook-app.yaml'), (Join-Path $base 'Labs/App/ui-deployment-v2.yaml')
/// @($app; Enable-MeshInjection; New-MeshGateway guestbook-ui-gateway; Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateway guestbook-ui-gateway) |
///     ConvertTo-MeshGraph -Format Mermaid</code>
/// <para>The codelab's 20/80 split as a Mermaid flowchart: the ingress gateway routes 20% to ui v1 and 80% to ui v2, each subset to its workload's pods.</para>
/// </example>
/// <example>
/// <code>$base = (Get-Module GuestbookLab).ModuleBase
/// $app = ConvertFrom-LabYaml -Path (Join-Path $base 'Labs/App/guestbook-app.yaml')
/// $graph = @($app; Enable-MeshInjection; Enable-MeshStrictMtls -Namespace default; New-MeshAuthorizationPolicy -Name deny-all -Namespace default) | ConvertTo-MeshGraph
/// $graph.Edges | Where-Object Kind -EQ Authorization | Format-Table From, To, Allowed, Policy, RequestUri</code>
/// <para>Under deny-all every call of the app (ui to message-service, guestbook-service and redis; guestbook-service to mysql) is denied by default/deny-all.</para>
/// </example>
/// <example>
/// <code>$base = (Get-Module GuestbookLab).ModuleBase
/// ConvertFrom-LabYaml -Path (Join-Path $base 'Labs/App/guestbook-app.yaml') | ConvertTo-MeshGraph -OutFile ./mesh.html -Title 'The guestbook app' -WarningAction SilentlyContinue</code>
/// <para>Writes mesh.html, the picture with a legend, and returns the file (without Graphviz the page holds a Mermaid flowchart).</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "MeshGraph", SupportsShouldProcess = true)]
[OutputType(typeof(MeshGraph), typeof(string), typeof(FileInfo))]
public sealed class ConvertToMeshGraphCommand : MeshConfigurationCmdlet
{
    /// <summary>What to return: Object (the graph), Mermaid, Dot or Svg text. With -OutFile the file's extension decides instead.</summary>
    [Parameter]
    [ValidateSet("Object", "Mermaid", "Dot", "Svg")]
    public string Format { get; set; } = "Object";

    /// <summary>A file to write the picture to: .html (a page with a legend), .svg, .mmd or .dot; the file is returned.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>The lab step the graph shows (e.g. 20-split-20-80), kept on the graph and shown as its caption.</summary>
    [Parameter]
    public string? Step { get; set; }

    /// <summary>A title for the graph (and the page).</summary>
    [Parameter]
    public string? Title { get; set; }

    /// <summary>The path of Graphviz's dot (by default the first on PATH).</summary>
    [Parameter]
    public string? DotPath { get; set; }

    protected override void EndProcessing()
    {
        string? kind = null;
        string? path = null;
        if (OutFile is not null)
        {
            path = GetUnresolvedProviderPathFromPSPath(OutFile);
            kind = System.IO.Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".html" or ".htm" => "Html",
                ".svg" => "Svg",
                ".mmd" or ".mermaid" => "Mermaid",
                ".dot" or ".gv" => "Dot",
                _ => null,
            };
            if (kind is null)
            {
                ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidGraphFile, Messages.InvalidGraphFile(OutFile), OutFile));
                return;
            }
        }

        var graph = MeshGraphBuilder.Build(LoadModel(), Step, Title);
        WriteVerbose($"The graph has {graph}.");
        if (path is null)
        {
            WriteObject(Format switch
            {
                "Mermaid" => MermaidRenderer.Render(graph),
                "Dot" => DotRenderer.Render(graph),
                "Svg" => Svg(graph, required: true),
                _ => graph,
            });
            return;
        }

        var text = kind switch
        {
            "Mermaid" => MermaidRenderer.Render(graph),
            "Dot" => DotRenderer.Render(graph),
            "Svg" => Svg(graph, required: true)!,
            _ => Page(graph),
        };
        if (!ShouldProcess(path, $"Write the mesh graph ({kind})"))
        {
            return;
        }

        try
        {
            Await(AtomicFile.WriteAllTextAsync(path, text, CancellationToken));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.GraphWriteFailed, ex, path));
            return;
        }

        WriteObject(new FileInfo(path));
    }

    private string Page(MeshGraph graph)
    {
        var svg = Svg(graph, required: false);
        var note = svg is null ? "Graphviz's dot was not found: this picture is a Mermaid flowchart. " + GraphvizNotFoundException.HowToInstall : null;
        return MeshGraphPage.Render(Title ?? Step ?? "The mesh", [(graph, svg, note)]);
    }

    /// <summary>The SVG dot draws; null (after a warning) when dot is missing and not <paramref name="required"/>.</summary>
    private string? Svg(MeshGraph graph, bool required)
    {
        GraphvizClient client;
        try
        {
            client = GraphvizClient.Find(DotPath is null ? null : GetUnresolvedProviderPathFromPSPath(DotPath), SystemProcessRunner.Instance);
        }
        catch (GraphvizNotFoundException ex)
        {
            if (required)
            {
                ThrowTerminatingError(LabErrors.Create(ErrorIds.GraphvizNotFound, ex, DotPath ?? "dot"));
            }

            WriteWarning(Messages.GraphvizMissingForPage(ex.Message));
            return null;
        }

        var dot = DotRenderer.Render(graph);
        try
        {
            return Await(Task.Run(() => client.RenderSvg(dot, CancellationToken), CancellationToken));
        }
        catch (GraphvizException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.GraphvizFailed, ex, dot));
            throw;
        }
    }
}
