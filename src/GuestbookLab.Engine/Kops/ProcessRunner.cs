using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace GuestbookLab.Engine.Kops;

/// <summary>One run of an external program: what to run, its arguments (never joined into one string) and extra environment.</summary>
public sealed record ProcessCall(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>Runs external programs; tests give a fake one.</summary>
public interface IProcessRunner
{
    /// <summary>Runs <paramref name="call"/>, handing each output line as it comes (<c>isError</c> for stderr); returns the exit code.</summary>
    int Run(ProcessCall call, Action<string, bool> onLine, CancellationToken cancellation);
}

/// <summary>Runs programs with System.Diagnostics.Process; on cancellation the whole process tree is killed.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    public static SystemProcessRunner Instance { get; } = new();

    public int Run(ProcessCall call, Action<string, bool> onLine, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(onLine);
        var start = new ProcessStartInfo(call.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in call.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in call.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        var gate = new object();
        process.OutputDataReceived += (_, e) => Deliver(e.Data, false);
        process.ErrorDataReceived += (_, e) => Deliver(e.Data, true);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => Kill(process)))
        {
            process.WaitForExit();
        }

        cancellation.ThrowIfCancellationRequested();
        return process.ExitCode;

        void Deliver(string? line, bool isError)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    onLine(line, isError);
                }
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}

/// <summary>Where an external program is: the path given, or the first one on PATH.</summary>
public static class Executable
{
    /// <summary>The first <paramref name="name"/> on PATH (name.exe, .cmd or .bat on Windows); null when there is none.</summary>
    public static string? OnPath(string name)
    {
        var names = OperatingSystem.IsWindows() ? new[] { name + ".exe", name + ".cmd", name + ".bat" } : [name];
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in names)
            {
                var path = System.IO.Path.Combine(directory, candidate);
                if (System.IO.File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}
