using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;

// Record the call.
var logPath = Environment.GetEnvironmentVariable("FAKEKOPS_LOG");
var record = new JsonObject
{
    ["args"] = new JsonArray(args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
    ["pid"] = Environment.ProcessId,
    ["env"] = new JsonObject(new[] { "AWS_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "S3_ENDPOINT" }
        .Where(v => Environment.GetEnvironmentVariable(v) is not null)
        .Select(v => KeyValuePair.Create(v, (JsonNode?)JsonValue.Create(Environment.GetEnvironmentVariable(v))))),
    ["hasSecret"] = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") is not null,
};
var file = Array.IndexOf(args, "-f");
if (file >= 0 && file + 1 < args.Length && File.Exists(args[file + 1]))
{
    record["file"] = File.ReadAllText(args[file + 1]);
}

if (logPath is not null)
{
    File.AppendAllText(logPath, record.ToJsonString() + Environment.NewLine);
}

// Replay: the script maps "get cluster", "create", "update cluster", … (the first words before a flag) to a reply.
var scriptPath = Environment.GetEnvironmentVariable("FAKEKOPS_SCRIPT");
var command = string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')));
var reply = scriptPath is not null && File.Exists(scriptPath)
    ? JsonNode.Parse(File.ReadAllText(scriptPath))?[command] as JsonObject
    : null;
if (reply is null)
{
    return 0;
}

// "spawn": a program started as a child of its own with the argument 600 (sleep 600), its PID logged as {"child":PID}:
// a process tree, as kops's own helpers make, which cancelling must end as a whole.
if (reply["spawn"]?.GetValue<string>() is { } spawn)
{
    using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(spawn, "600") { UseShellExecute = false })!;
    if (logPath is not null)
    {
        File.AppendAllText(logPath, new JsonObject { ["child"] = child.Id }.ToJsonString() + Environment.NewLine);
    }
}

var delay = reply["delayMs"]?.GetValue<int>() ?? 0;
foreach (var line in reply["stderr"]?.AsArray() ?? [])
{
    Console.Error.WriteLine(line!.GetValue<string>());
    Console.Error.Flush();
    Thread.Sleep(delay);
}

foreach (var line in reply["stdout"]?.AsArray() ?? [])
{
    Console.Out.WriteLine(line!.GetValue<string>());
    Console.Out.Flush();
}

Thread.Sleep(reply["sleepMs"]?.GetValue<int>() ?? 0);
return reply["exit"]?.GetValue<int>() ?? 0;
