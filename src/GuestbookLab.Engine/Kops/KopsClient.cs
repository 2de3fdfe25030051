using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using GuestbookLab.Model;

namespace GuestbookLab.Engine.Kops;

/// <summary>kops exited with an error: its exit code and the last lines it printed.</summary>
public sealed class KopsException : Exception
{
    public KopsException()
    {
    }

    public KopsException(string message)
        : base(message)
    {
    }

    public KopsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KopsException(string command, int exitCode, IReadOnlyList<string> lastLines)
        : base($"'{command}' failed with exit code {exitCode.ToString(CultureInfo.InvariantCulture)}{(lastLines.Count > 0 ? ":" + Environment.NewLine + string.Join(Environment.NewLine, lastLines) : ".")}")
    {
        ExitCode = exitCode;
        LastLines = lastLines;
    }

    public int ExitCode { get; }

    public IReadOnlyList<string> LastLines { get; } = [];
}

/// <summary>kops could not be found.</summary>
public sealed class KopsNotFoundException : Exception
{
    public KopsNotFoundException()
        : base(Advice(null))
    {
    }

    public KopsNotFoundException(string? path)
        : base(Advice(path))
    {
    }

    public KopsNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private static string Advice(string? path) =>
        (path is null ? "kops was not found on PATH." : $"kops was not found at '{path}'.") +
        " Install it (https://kops.sigs.k8s.io/getting_started/install/: download kops-linux-amd64, kops-darwin-amd64 or kops-windows-amd64 from" +
        " https://github.com/kubernetes/kops/releases, make it executable and put it on PATH), or give its path with -KopsPath.";
}

/// <summary>
/// The kops commands of the codelab's cluster lifecycle, run as a child process: every line it prints goes to
/// <see cref="Output"/> (the verbose stream), a failure becomes a <see cref="KopsException"/> with its last lines.
/// </summary>
public sealed class KopsClient
{
    private const int LinesKept = 15;

    private readonly string kops;
    private readonly IProcessRunner runner;
    private readonly IReadOnlyDictionary<string, string> environment;

    public KopsClient(string kopsPath, IProcessRunner runner, IReadOnlyDictionary<string, string> environment)
    {
        kops = kopsPath;
        this.runner = runner;
        this.environment = environment;
    }

    /// <summary>Hears every line kops prints (stdout and stderr).</summary>
    public Action<string> Output { get; set; } = _ => { };

    /// <summary>Hears each command before it runs.</summary>
    public Action<string> Command { get; set; } = _ => { };

    /// <summary>The kops executable: <paramref name="given"/> (a file), else the first kops on PATH.</summary>
    public static string Find(string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new KopsNotFoundException(given);
        }

        return Executable.OnPath("kops") ?? throw new KopsNotFoundException();
    }

    /// <summary>Whether the cluster's spec is in the state store (kops get cluster).</summary>
    public bool Exists(string name, string stateStore, CancellationToken cancellationToken)
    {
        string[] arguments = ["get", "cluster", "--name", name, "--state", stateStore];
        var (exit, lines) = Run(arguments, echo: false, cancellationToken);
        if (exit == 0)
        {
            return true;
        }

        // kops says 'cluster not found "NAME"'; a state store bucket that is gone (after a teardown) holds no cluster either.
        if (lines.Any(l => l.Contains("not found", StringComparison.OrdinalIgnoreCase) || l.Contains("NoSuchBucket", StringComparison.Ordinal)))
        {
            return false;
        }

        throw Failure(arguments, exit, lines);
    }

    /// <summary>
    /// Writes the spec objects to the state store: kops create -f (new), or kops replace -f --force (the cluster is there;
    /// --force creates the instance groups it does not have yet).
    /// </summary>
    public string Store(string name, string stateStore, IReadOnlyList<LabResource> spec, CancellationToken cancellationToken)
    {
        var exists = Exists(name, stateStore, cancellationToken);
        var file = Path.Combine(Path.GetTempPath(), $"guestbooklab-{name}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, ManifestSerializer.Serialize(spec), new UTF8Encoding(false));
        try
        {
            string[] arguments = exists
                ? ["replace", "-f", file, "--state", stateStore, "--force"]
                : ["create", "-f", file, "--state", stateStore];
            Check(arguments, cancellationToken);
            return exists ? "Replaced" : "Created";
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>kops update cluster --yes --admin: builds the cloud resources and exports an admin kubeconfig context.</summary>
    public void Update(string name, string stateStore, TimeSpan? admin, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "update", "cluster", "--name", name, "--state", stateStore, "--yes" };
        if (admin is { } ttl)
        {
            arguments.Add("--admin=" + Duration(ttl));
        }

        Check(arguments, cancellationToken);
    }

    /// <summary>kops validate cluster --wait: the final result (failures when the cluster did not become ready in time).</summary>
    public LabClusterValidation Validate(string name, string stateStore, TimeSpan wait, int? count, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "validate", "cluster", "--name", name, "--state", stateStore, "--wait", Duration(wait), "-o", "json" };
        if (count is { } c)
        {
            arguments.AddRange(["--count", c.ToString(CultureInfo.InvariantCulture)]);
        }

        // kops writes one JSON result per attempt (no separator between them); each is reported as it completes, the
        // last one is the answer.
        var results = new JsonObjectSplitter();
        LabClusterValidation? last = null;
        var (exit, lines) = Run(arguments, echo: true, cancellationToken, stdout: line =>
        {
            foreach (var json in results.Add(line))
            {
                try
                {
                    last = Parse(name, json);
                    Output(last.Ready
                        ? $"kops validate: {last.Nodes.Count} node(s), no failures"
                        : $"kops validate: {last.Failures.Count} failure(s): {string.Join("; ", last.Failures.Take(3).Select(f => $"{f.Kind} {f.Name}: {f.Message}"))}");
                }
                catch (JsonException)
                {
                    Output(json);
                }
            }
        });
        if (exit is 0 or 2 && last is not null)
        {
            return last;
        }

        throw Failure(arguments, exit, lines);
    }

    /// <summary>kops delete cluster --yes; false when the cluster was not in the state store.</summary>
    public bool Delete(string name, string stateStore, CancellationToken cancellationToken)
    {
        if (!Exists(name, stateStore, cancellationToken))
        {
            return false;
        }

        Check(["delete", "cluster", "--name", name, "--state", stateStore, "--yes"], cancellationToken);
        return true;
    }

    /// <summary>kops validate's JSON: failures (type, name, message) and nodes (name, role, zone, status).</summary>
    public static LabClusterValidation Parse(string name, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var failures = Items(root, "failures").Select(f => new LabClusterFailure(Text(f, "type"), Text(f, "name"), Text(f, "message"))).ToList();
        var nodes = Items(root, "nodes").Select(n => new LabClusterNode(Text(n, "name"), Text(n, "role"), Text(n, "zone"), Text(n, "status") == "True")).ToList();
        return new LabClusterValidation(name, nodes, failures);

        static IEnumerable<JsonElement> Items(JsonElement root, string key) =>
            root.TryGetProperty(key, out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray().ToList() : [];

        static string Text(JsonElement item, string key) => item.TryGetProperty(key, out var v) ? v.ToString() : string.Empty;
    }

    private void Check(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (exit, lines) = Run(arguments, echo: true, cancellationToken);
        if (exit != 0)
        {
            throw Failure(arguments, exit, lines);
        }
    }

    private static KopsException Failure(IReadOnlyList<string> arguments, int exit, IReadOnlyList<string> lines) =>
        new($"kops {string.Join(' ', arguments)}", exit, lines);

    private (int Exit, IReadOnlyList<string> LastLines) Run(IReadOnlyList<string> arguments, bool echo, CancellationToken cancellationToken, Action<string>? stdout = null)
    {
        Command($"kops {string.Join(' ', arguments)}");
        var last = new Queue<string>();
        int exit;
        try
        {
            exit = runner.Run(new ProcessCall(kops, arguments, environment), (line, isError) =>
            {
                if (!isError && stdout is not null)
                {
                    stdout(line);
                }
                else if (echo || isError)
                {
                    Output(line);
                }

                last.Enqueue(line);
                if (last.Count > LinesKept)
                {
                    last.Dequeue();
                }
            }, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new KopsNotFoundException($"kops at '{kops}' could not be started: {ex.Message}", ex);
        }

        return (exit, last.ToList());
    }

    // kops's durations: Go's time.Duration text (10m0s).
    private static string Duration(TimeSpan span)
    {
        var builder = new StringBuilder();
        if (span.TotalHours >= 1)
        {
            builder.Append(((int)span.TotalHours).ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (span.TotalMinutes >= 1)
        {
            builder.Append(span.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return builder.Append(span.Seconds.ToString(CultureInfo.InvariantCulture)).Append('s').ToString();
    }

    /// <summary>Cuts a stream of concatenated JSON objects ({...}{...}) into whole objects as they complete.</summary>
    private sealed class JsonObjectSplitter
    {
        private readonly StringBuilder current = new();
        private int depth;
        private bool inString;
        private bool escaped;

        public List<string> Add(string line)
        {
            var complete = new List<string>();
            foreach (var c in line + "\n")
            {
                if (depth == 0 && c != '{')
                {
                    continue;
                }

                current.Append(c);
                if (inString)
                {
                    if (escaped)
                    {
                        escaped = false;
                    }
                    else if (c == '\\')
                    {
                        escaped = true;
                    }
                    else if (c == '"')
                    {
                        inString = false;
                    }

                    continue;
                }

                switch (c)
                {
                    case '"':
                        inString = true;
                        break;
                    case '{':
                        depth++;
                        break;
                    case '}' when --depth == 0:
                        complete.Add(current.ToString());
                        current.Clear();
                        break;
                }
            }

            return complete;
        }
    }
}
