using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using GuestbookLab.Engine.Kops;
using GuestbookLab.Model;

namespace GuestbookLab.Engine.Istio;

/// <summary>istioctl exited with an error: its exit code and the last lines it printed.</summary>
public sealed class IstioctlException : Exception
{
    public IstioctlException()
    {
    }

    public IstioctlException(string message)
        : base(message)
    {
    }

    public IstioctlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IstioctlException(string command, int exitCode, IReadOnlyList<string> lastLines)
        : base($"'{command}' failed with exit code {exitCode.ToString(CultureInfo.InvariantCulture)}{(lastLines.Count > 0 ? ":" + Environment.NewLine + string.Join(Environment.NewLine, lastLines) : ".")}")
    {
        ExitCode = exitCode;
        LastLines = lastLines;
    }

    public int ExitCode { get; }

    public IReadOnlyList<string> LastLines { get; } = [];
}

/// <summary>istioctl could not be found.</summary>
public sealed class IstioctlNotFoundException : Exception
{
    public IstioctlNotFoundException()
        : base(Advice(null, "1.17.8"))
    {
    }

    public IstioctlNotFoundException(string? path, string version)
        : base(Advice(path, version))
    {
    }

    public IstioctlNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private static string Advice(string? path, string version) =>
        (path is null ? "istioctl was not found on PATH." : $"istioctl was not found at '{path}'.") +
        $" The configuration is for Istio {version}: download that istioctl (curl -L https://istio.io/downloadIstio | ISTIO_VERSION={version} sh -," +
        $" or istioctl-{version}-linux-amd64.tar.gz from https://github.com/istio/istio/releases/tag/{version}), put istio-{version}/bin on PATH, or give its path with -IstioctlPath.";
}

/// <summary>istioctl install and uninstall as a child process, its lines to <see cref="Output"/>, failures as <see cref="IstioctlException"/>.</summary>
public sealed partial class IstioctlClient
{
    private const int LinesKept = 15;

    private readonly string istioctl;
    private readonly IProcessRunner runner;
    private readonly IReadOnlyList<string> clusterArguments;

    /// <param name="istioctlPath">The executable.</param>
    /// <param name="runner">Runs it.</param>
    /// <param name="kubeConfig">The kubeconfig file of the session's connection (null: istioctl's own default).</param>
    /// <param name="context">Its context (null: the current one).</param>
    public IstioctlClient(string istioctlPath, IProcessRunner runner, string? kubeConfig, string? context)
    {
        istioctl = istioctlPath;
        this.runner = runner;
        var cluster = new List<string>();
        if (kubeConfig is not null)
        {
            cluster.AddRange(["--kubeconfig", kubeConfig]);
        }

        if (context is not null)
        {
            cluster.AddRange(["--context", context]);
        }

        clusterArguments = cluster;
    }

    /// <summary>Hears every line istioctl prints.</summary>
    public Action<string> Output { get; set; } = _ => { };

    /// <summary>Hears each command before it runs.</summary>
    public Action<string> Command { get; set; } = _ => { };

    /// <summary>The istioctl executable: <paramref name="given"/>, else the first istioctl on PATH.</summary>
    public static string Find(string? given, string version)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new IstioctlNotFoundException(given, version);
        }

        return Executable.OnPath("istioctl") ?? throw new IstioctlNotFoundException(null, version);
    }

    /// <summary>The command line of an install, as it will run (the file named as given).</summary>
    public string InstallCommand(string file) => Show(InstallArguments(file));

    /// <summary>The command line of the teardown.</summary>
    public string UninstallCommand() => Show(UninstallArguments());

    /// <summary>istioctl's own version (istioctl version --remote=false), e.g. 1.17.8; null when it does not say.</summary>
    public string? ClientVersion(CancellationToken cancellationToken)
    {
        string[] arguments = ["version", "--remote=false"];
        var (exit, lines) = Run(arguments, echo: false, cancellationToken);
        if (exit != 0)
        {
            throw new IstioctlException(Show(arguments), exit, lines.TakeLast(LinesKept).ToList());
        }

        return lines.Select(l => VersionPattern().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
    }

    /// <summary>A temporary file name for the configuration of one install.</summary>
    public static string TemporaryFile() => Path.Combine(Path.GetTempPath(), $"guestbooklab-istio-{Guid.NewGuid():N}.yaml");

    /// <summary>istioctl install -f FILE -y with the configuration written to <paramref name="file"/> (removed afterwards).</summary>
    public void Install(IstioOperator configuration, string file, CancellationToken cancellationToken)
    {
        File.WriteAllText(file, ManifestSerializer.Serialize([configuration]), new UTF8Encoding(false));
        try
        {
            RunChecked(InstallArguments(file), cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>istioctl uninstall --purge -y.</summary>
    public void Uninstall(CancellationToken cancellationToken) => RunChecked(UninstallArguments(), cancellationToken);

    private string[] InstallArguments(string file) => ["install", "-f", file, "-y", .. clusterArguments];

    private string[] UninstallArguments() => ["uninstall", "--purge", "-y", .. clusterArguments];

    private void RunChecked(string[] arguments, CancellationToken cancellationToken)
    {
        var (exit, lines) = Run(arguments, echo: true, cancellationToken);
        if (exit != 0)
        {
            throw new IstioctlException(Show(arguments), exit, lines.TakeLast(LinesKept).ToList());
        }
    }

    private (int Exit, List<string> Lines) Run(string[] arguments, bool echo, CancellationToken cancellationToken)
    {
        Command(Show(arguments));
        var lines = new List<string>();
        var exit = runner.Run(new ProcessCall(istioctl, arguments, new Dictionary<string, string>()), (line, _) =>
        {
            lines.Add(line);
            if (echo)
            {
                Output(line);
            }
        }, cancellationToken);
        return (exit, lines);
    }

    private string Show(IEnumerable<string> arguments) =>
        string.Join(' ', new[] { istioctl }.Concat(arguments).Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a));

    [GeneratedRegex(@"(?:^|version\W*|\s)(\d+\.\d+\.\d+[\w.-]*)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
