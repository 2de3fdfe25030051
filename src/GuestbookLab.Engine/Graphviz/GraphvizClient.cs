using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using GuestbookLab.Engine.Kops;

namespace GuestbookLab.Engine.Graphviz;

/// <summary>Draws DOT as SVG; tests give a fake one.</summary>
public interface ISvgRenderer
{
    /// <summary>The SVG of <paramref name="dot"/>.</summary>
    string RenderSvg(string dot, CancellationToken cancellationToken);
}

/// <summary>Graphviz's dot could not be found.</summary>
public sealed class GraphvizNotFoundException : Exception
{
    public GraphvizNotFoundException()
        : base(Advice(null))
    {
    }

    public GraphvizNotFoundException(string? path)
        : base(Advice(path))
    {
    }

    public GraphvizNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How to get Graphviz on each system.</summary>
    public static string HowToInstall =>
        "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; Windows: winget install graphviz) and put dot on PATH, or give its path with -DotPath.";

    private static string Advice(string? path) =>
        (path is null ? "Graphviz's dot was not found on PATH." : $"Graphviz's dot was not found at '{path}'.") + " " + HowToInstall;
}

/// <summary>dot exited with an error: its exit code and the last lines it printed.</summary>
public sealed class GraphvizException : Exception
{
    public GraphvizException()
    {
    }

    public GraphvizException(string message)
        : base(message)
    {
    }

    public GraphvizException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GraphvizException(int exitCode, IReadOnlyList<string> lastLines)
        : base($"'dot -Tsvg' failed with exit code {exitCode.ToString(CultureInfo.InvariantCulture)}{(lastLines.Count > 0 ? ":" + Environment.NewLine + string.Join(Environment.NewLine, lastLines) : ".")}")
    {
        ExitCode = exitCode;
        LastLines = lastLines;
    }

    public int ExitCode { get; }

    public IReadOnlyList<string> LastLines { get; } = [];
}

/// <summary>Graphviz's dot as a child process: the DOT in a temporary file (removed afterwards), the SVG from its output.</summary>
public sealed class GraphvizClient : ISvgRenderer
{
    private const int LinesKept = 10;

    private readonly string dot;
    private readonly IProcessRunner runner;

    public GraphvizClient(string dotPath, IProcessRunner runner)
    {
        dot = dotPath ?? throw new ArgumentNullException(nameof(dotPath));
        this.runner = runner ?? throw new ArgumentNullException(nameof(runner));
    }

    /// <summary>dot from <paramref name="dotPath"/> (checked to exist), else the first on PATH.</summary>
    /// <exception cref="GraphvizNotFoundException">There is none.</exception>
    public static GraphvizClient Find(string? dotPath, IProcessRunner runner)
    {
        if (dotPath is not null)
        {
            return File.Exists(dotPath) ? new GraphvizClient(dotPath, runner) : throw new GraphvizNotFoundException(dotPath);
        }

        return Executable.OnPath("dot") is { } found ? new GraphvizClient(found, runner) : throw new GraphvizNotFoundException();
    }

    public string RenderSvg(string dot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dot);
        var file = Path.Combine(Path.GetTempPath(), $"guestbooklab-graph-{Guid.NewGuid():N}.dot");
        File.WriteAllText(file, dot, new UTF8Encoding(false));
        try
        {
            var output = new StringBuilder();
            var errors = new List<string>();
            var exit = runner.Run(new ProcessCall(this.dot, ["-Tsvg", file], new Dictionary<string, string>()), (line, isError) =>
            {
                if (isError)
                {
                    errors.Add(line);
                }
                else
                {
                    output.Append(line).Append('\n');
                }
            }, cancellationToken);
            if (exit != 0)
            {
                throw new GraphvizException(exit, errors.Skip(Math.Max(0, errors.Count - LinesKept)).ToList());
            }

            return output.ToString();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
