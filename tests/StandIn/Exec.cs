using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace StandIn;

/// <summary>
/// kubectl exec as the API server speaks it: GET (or POST) /api/v1/namespaces/NS/pods/POD/exec?command=..&amp;container=..
/// &amp;stdin=..&amp;stdout=..&amp;stderr=..&amp;tty=.. upgraded to a WebSocket with the subprotocol v5.channel.k8s.io (what
/// kubectl 1.30+ asks for) or v4.channel.k8s.io (KubernetesClient's default). Every binary message starts with its
/// channel: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255 CHANNEL, the client closing a channel (stdin's
/// end of file). The exit status goes on the error channel as a metav1.Status, as the kubelet writes it: Success, or
/// Failure with reason NonZeroExitCode and a cause of type ExitCode whose message is the code; a command that cannot
/// start is an InternalError Status. Then the server closes the socket.
///
/// There is no container to run: a test registers what each command answers, per pod.
/// POST /_standin/exec with one script or an array of them:
/// {"namespace":"default","pod":"curl","container":null,"command":["sh","-c","exit 3"] | "commandPrefix":["curl"],
///  "stdout":"...","stderr":"...","exitCode":0,"stdin":"echo","delayMilliseconds":0,"hang":false,"error":null,"times":0}
/// ("commandContains":"ARG" matches only a command with that argument; pod "*" is any pod; container null any container; "stdin":"echo" answers stdin as stdout once the client closes
/// stdin; "hang" answers nothing until the client goes; "times" &gt; 0 uses a script that often, then the next one that
/// matches). DELETE /_standin/exec forgets the scripts and calls; GET /_standin/exec/calls lists the calls received
/// (namespace, pod, container, command, stdin, protocol, tty, resizes).
/// A script with "relay":"http://..." asks that URL what to answer instead: it POSTs the call (namespace, pod,
/// container, command) as JSON and answers with the reply's stdout, stderr and exitCode (a test playing the
/// containers: the mesh's answers to curl, say).
/// </summary>
internal static class Exec
{
    private const string V5 = "v5.channel.k8s.io";
    private const string V4 = "v4.channel.k8s.io";
    private const byte StdIn = 0;
    private const byte StdOut = 1;
    private const byte StdErr = 2;
    private const byte Error = 3;
    private const byte Resize = 4;
    private const byte CloseSignal = 255;

    private static readonly List<Script> Scripts = [];
    private static readonly List<JsonObject> Calls = [];

    /// <summary>Serves exec requests and their control endpoint; false for every other path.</summary>
    public static async Task<bool> TryHandle(HttpContext context, string[] segments, Store store)
    {
        switch (segments)
        {
            case ["_standin", "exec", ..]:
                await Control(context, segments);
                return true;
            case ["api", "v1", "namespaces", var ns, "pods", var pod, "exec"] when context.Request.Method is "GET" or "POST":
                await Serve(context, store, ns, pod);
                return true;
            default:
                return false;
        }
    }

    private static async Task Control(HttpContext context, string[] segments)
    {
        context.Response.ContentType = "application/json";
        if (context.Request.Method == "POST")
        {
            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
            var given = body is JsonArray array ? array.Select(a => a!.AsObject()).ToList() : [body!.AsObject()];
            lock (Scripts)
            {
                Scripts.AddRange(given.Select(Script.From));
            }

            await context.Response.WriteAsync("{}");
            return;
        }

        if (context.Request.Method == "DELETE")
        {
            lock (Scripts)
            {
                Scripts.Clear();
                Calls.Clear();
            }

            await context.Response.WriteAsync("{}");
            return;
        }

        JsonArray calls;
        lock (Scripts)
        {
            calls = new JsonArray(Calls.Select(c => (JsonNode)c.DeepClone()).ToArray());
        }

        await context.Response.WriteAsync(segments is [_, _, "calls"] ? calls.ToJsonString() : "{}");
    }

    private static async Task Serve(HttpContext context, Store store, string ns, string name)
    {
        var query = context.Request.Query;
        var pods = store.Types.First(t => t.Group.Length == 0 && t.Plural == "pods");
        var pod = store.Get(pods, ns, name);
        var containers = (pod?["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.GetValue<string>() ?? string.Empty).ToList();
        var container = query["container"].ToString();
        var command = query["command"].Select(c => c ?? string.Empty).ToArray();
        (int Code, string Reason, string Message)? problem =
            pod is null ? (404, "NotFound", $"pods \"{name}\" not found")
            : container.Length == 0 && containers.Count > 1 ? (400, "BadRequest", $"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]")
            : container.Length > 0 && !containers.Contains(container) ? (400, "BadRequest", $"container {container} is not valid for pod {name}")
            : command.Length == 0 ? (400, "BadRequest", "you must specify at least 1 command")
            : !context.WebSockets.IsWebSocketRequest ? (400, "BadRequest", "Upgrade request required")
            : null;
        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = requested.Contains(V5) ? V5 : requested.Contains(V4) ? V4 : null;
        problem ??= protocol is null ? (400, "BadRequest", $"none of the requested subprotocols ({string.Join(", ", requested)}) is supported: use {V5} or {V4}") : null;
        if (problem is { } p)
        {
            context.Response.StatusCode = p.Code;
            context.Response.ContentType = "application/json";
            var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = p.Message, ["reason"] = p.Reason, ["code"] = p.Code };
            if (p.Code == 404)
            {
                status["details"] = new JsonObject { ["name"] = name, ["kind"] = "pods" };
            }

            await context.Response.WriteAsync(status.ToJsonString());
            return;
        }

        container = container.Length > 0 ? container : containers.FirstOrDefault() ?? string.Empty;
        var call = new JsonObject
        {
            ["namespace"] = ns, ["pod"] = name, ["container"] = container, ["command"] = new JsonArray(command.Select(c => (JsonNode)c).ToArray()),
            ["protocol"] = protocol, ["tty"] = query["tty"].ToString() is "true" or "1", ["stdin"] = null, ["resizes"] = new JsonArray(),
        };
        Script? script;
        lock (Scripts)
        {
            Calls.Add(call);
            script = Scripts.FirstOrDefault(s => s.Matches(ns, name, container, command));
            script?.Use();
        }

        if (script?.Relay is { } relay)
        {
            script = await Script.Relayed(relay, call.ToJsonString(), context.RequestAborted);
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        var stdin = new MemoryStream();
        var stdinClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = Receive(socket, stdin, stdinClosed, clientGone, call, context.RequestAborted);
        try
        {
            await Answer(socket, script, command, stdin, stdinClosed.Task, clientGone.Task, query["stdin"].ToString() is "true" or "1", context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away before the answer was complete.
        }

        lock (Scripts)
        {
            call["stdin"] = Encoding.UTF8.GetString(stdin.ToArray());
        }

        await Task.WhenAny(receiving, Task.Delay(2000));
    }

    private static async Task Answer(WebSocket socket, Script? script, string[] command, MemoryStream stdin, Task stdinClosed, Task clientGone, bool hasStdin, CancellationToken aborted)
    {
        if (script is null)
        {
            // What containerd says for a program the container does not have.
            var message = $"error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: \"{command[0]}\": executable file not found in $PATH: unknown";
            await Send(socket, Error, InternalError(message), aborted);
            await Close(socket, aborted);
            return;
        }

        if (script.DelayMilliseconds > 0)
        {
            await Task.WhenAny(Task.Delay(script.DelayMilliseconds, aborted), clientGone);
        }

        if (script.Hang)
        {
            await clientGone.WaitAsync(aborted);
            return;
        }

        var stdout = script.Stdout;
        if (script.EchoStdin && hasStdin)
        {
            await Task.WhenAny(stdinClosed, clientGone);
            lock (Scripts)
            {
                stdout = Encoding.UTF8.GetString(stdin.ToArray());
            }
        }

        if (clientGone.IsCompleted)
        {
            return;
        }

        if (script.Error is { } error)
        {
            await Send(socket, Error, InternalError(error), aborted);
            await Close(socket, aborted);
            return;
        }

        // Output in pieces of at most 1 KiB, as a pipe delivers it.
        foreach (var (channel, text) in new[] { (StdOut, stdout), (StdErr, script.Stderr) })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var offset = 0; offset < bytes.Length; offset += 1024)
            {
                await Send(socket, channel, bytes.AsMemory(offset, Math.Min(1024, bytes.Length - offset)), aborted);
            }
        }

        var status = script.ExitCode == 0
            ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
            : new JsonObject
            {
                ["metadata"] = new JsonObject(), ["status"] = "Failure",
                ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", command)}], exit code {script.ExitCode}",
                ["reason"] = "NonZeroExitCode",
                ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = script.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }) },
            };
        await Send(socket, Error, Encoding.UTF8.GetBytes(status.ToJsonString()), aborted);
        await Close(socket, aborted);
    }

    private static byte[] InternalError(string message) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = $"Internal error occurred: {message}", ["reason"] = "InternalError",
        ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) }, ["code"] = 500,
    }.ToJsonString());

    private static async Task Send(WebSocket socket, byte channel, ReadOnlyMemory<byte> data, CancellationToken aborted)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame.AsMemory(1));
        await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, aborted);
    }

    private static async Task Close(WebSocket socket, CancellationToken aborted)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, aborted);
        }
    }

    // Reads what the client sends (stdin, resizes, v5's close signals) until it closes; a pending receive also answers pings.
    private static async Task Receive(WebSocket socket, MemoryStream stdin, TaskCompletionSource stdinClosed, TaskCompletionSource clientGone, JsonObject call, CancellationToken aborted)
    {
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var data = message.ToArray();
                message.SetLength(0);
                if (data.Length == 0)
                {
                    continue;
                }

                lock (Scripts)
                {
                    switch (data[0])
                    {
                        case StdIn:
                            stdin.Write(data, 1, data.Length - 1);
                            break;
                        case Resize:
                            ((JsonArray)call["resizes"]!).Add(Encoding.UTF8.GetString(data, 1, data.Length - 1));
                            break;
                        case CloseSignal when data.Length > 1 && data[1] == StdIn:
                            stdinClosed.TrySetResult();
                            break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The connection broke off.
        }
        finally
        {
            stdinClosed.TrySetResult();
            clientGone.TrySetResult();
        }
    }

    private sealed class Script
    {
        private static readonly System.Net.Http.HttpClient RelayClient = new() { Timeout = TimeSpan.FromSeconds(60) };

        public string Namespace { get; private init; } = "default";

        public string Pod { get; private init; } = "*";

        public string? Container { get; private init; }

        public string[]? Command { get; private init; }

        public string[]? CommandPrefix { get; private init; }

        public string Stdout { get; private init; } = string.Empty;

        public string Stderr { get; private init; } = string.Empty;

        public int ExitCode { get; private init; }

        public bool EchoStdin { get; private init; }

        /// <summary>One argument the command must have (a URL among curl's options).</summary>
        public string? CommandContains { get; private init; }

        public int DelayMilliseconds { get; private init; }

        public bool Hang { get; private init; }

        public string? Error { get; private init; }

        public string? Relay { get; private init; }

        private int left;

        // The answer the relay URL gives for a call.
        public static async Task<Script> Relayed(string url, string call, CancellationToken aborted)
        {
            using var content = new System.Net.Http.StringContent(call, Encoding.UTF8, "application/json");
            using var response = await RelayClient.PostAsync(new Uri(url), content, aborted);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(aborted))!.AsObject();
            return From(answer);
        }

        public static Script From(JsonObject o)
        {
            static string[]? Strings(JsonNode? n) => n is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? string.Empty).ToArray() : null;
            return new Script
            {
                Namespace = o["namespace"]?.GetValue<string>() ?? "default",
                Pod = o["pod"]?.GetValue<string>() ?? "*",
                Container = o["container"]?.GetValue<string>(),
                Command = Strings(o["command"]),
                CommandPrefix = Strings(o["commandPrefix"]),
                CommandContains = o["commandContains"]?.GetValue<string>(),
                Stdout = o["stdout"]?.GetValue<string>() ?? string.Empty,
                Stderr = o["stderr"]?.GetValue<string>() ?? string.Empty,
                ExitCode = o["exitCode"]?.GetValue<int>() ?? 0,
                EchoStdin = o["stdin"]?.GetValue<string>() == "echo",
                DelayMilliseconds = o["delayMilliseconds"]?.GetValue<int>() ?? 0,
                Hang = o["hang"]?.GetValue<bool>() ?? false,
                Error = o["error"]?.GetValue<string>(),
                Relay = o["relay"]?.GetValue<string>(),
                left = o["times"]?.GetValue<int>() is > 0 and var times ? times : -1,
            };
        }

        public bool Matches(string ns, string pod, string container, string[] command) =>
            left != 0
            && (Namespace == "*" || Namespace == ns)
            && (Pod == "*" || Pod == pod)
            && (Container is null || Container == container)
            && (Command is null || Command.SequenceEqual(command))
            && (CommandPrefix is null || command.Take(CommandPrefix.Length).SequenceEqual(CommandPrefix))
            && (CommandContains is null || command.Contains(CommandContains, StringComparer.Ordinal));

        public void Use()
        {
            if (left > 0)
            {
                left--;
            }
        }
    }
}
