using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace StandIn;

/// <summary>
/// kubectl port-forward as the API server speaks it over WebSocket: GET /api/v1/namespaces/NS/pods/POD/portforward
/// ?ports=P upgraded with the subprotocol v4.channel.k8s.io. Per port, two channels: 0 data and 1 error; the server's
/// first message on each is the port (two bytes, little-endian); every message starts with its channel byte. The
/// kubelet connects to the pod's port: here there is no pod network, so the test registers where each pod's port
/// leads (a local server standing in for the dashboard), and the stand-in relays bytes both ways. A port with nothing
/// behind it gets the kubelet's error on the error channel, then the socket closes.
/// kubectl 1.35's own port-forward (SPDY/3.1 tunnelled in a WebSocket) is served by SpdyPortForward.
/// POST /_standin/portforward {"namespace":"istio-system","pod":"grafana-1","port":3000,"target":"127.0.0.1:5123"};
/// GET /_standin/portforward/calls lists the forwards asked for (namespace, pod, port, protocol); DELETE forgets both.
/// </summary>
internal static class PortForward
{
    private const string V4 = "v4.channel.k8s.io";
    private static readonly Dictionary<(string Ns, string Pod, int Port), string> Targets = [];
    private static readonly List<JsonObject> Calls = [];

    public static async Task<bool> TryHandle(HttpContext context, string[] segments, Store store)
    {
        switch (segments)
        {
            case ["_standin", "portforward", ..]:
                await Control(context, segments);
                return true;
            case ["api", "v1", "namespaces", var ns, "pods", var pod, "portforward"] when context.Request.Method is "GET" or "POST":
                await Serve(context, store, ns, pod);
                return true;
            default:
                return false;
        }
    }

    private static async Task Control(HttpContext context, string[] segments)
    {
        context.Response.ContentType = "application/json";
        switch (context.Request.Method)
        {
            case "POST":
                var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
                lock (Targets)
                {
                    Targets[(body["namespace"]!.GetValue<string>(), body["pod"]!.GetValue<string>(), body["port"]!.GetValue<int>())] = body["target"]!.GetValue<string>();
                }

                await context.Response.WriteAsync("{}");
                return;
            case "DELETE":
                lock (Targets)
                {
                    Targets.Clear();
                    Calls.Clear();
                }

                await context.Response.WriteAsync("{}");
                return;
            default:
                JsonArray calls;
                lock (Targets)
                {
                    calls = new JsonArray(Calls.Select(c => (JsonNode)c.DeepClone()).ToArray());
                }

                await context.Response.WriteAsync(segments is [_, _, "calls"] ? calls.ToJsonString() : "{}");
                return;
        }
    }

    private static async Task Serve(HttpContext context, Store store, string ns, string name)
    {
        var pods = store.Types.First(t => t.Group.Length == 0 && t.Plural == "pods");
        var pod = store.Get(pods, ns, name);
        var ports = context.Request.Query["ports"].SelectMany(p => (p ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var spdy = requested.Contains(SpdyPortForward.Protocol);
        (int Code, string Reason, string Message)? problem =
            pod is null ? (404, "NotFound", $"pods \"{name}\" not found")
            : spdy && context.WebSockets.IsWebSocketRequest ? null
            : ports.Count != 1 || !int.TryParse(ports[0], out _) ? (400, "BadRequest", "this stand-in forwards exactly one port per request (ports=P)")
            : !context.WebSockets.IsWebSocketRequest ? (400, "BadRequest", "Upgrade request required")
            : !requested.Contains(V4) ? (400, "BadRequest", $"none of the requested subprotocols ({string.Join(", ", requested)}) is supported: use {V4}")
            : null;
        if (problem is { } p)
        {
            context.Response.StatusCode = p.Code;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = p.Message, ["reason"] = p.Reason, ["code"] = p.Code }.ToJsonString());
            return;
        }

        if (spdy)
        {
            // kubectl's own port-forward: the ports come in each stream's headers, not the query.
            lock (Targets)
            {
                Calls.Add(new JsonObject { ["namespace"] = ns, ["pod"] = name, ["port"] = ports.Count == 1 ? int.Parse(ports[0], System.Globalization.CultureInfo.InvariantCulture) : null, ["protocol"] = SpdyPortForward.Protocol });
            }

            // ASP.NET refuses a subprotocol with a '/' (not an RFC 6455 token), which kubectl's is: the handshake by hand.
            using var tunnel = await SpdyPortForward.AcceptAsync(context);
            string? TargetOf(int port)
            {
                lock (Targets)
                {
                    return Targets.GetValueOrDefault((ns, name, port));
                }
            }

            using var session = new SpdyPortForward(tunnel, ns, name, TargetOf, context.RequestAborted);
            await session.ServeAsync();
            return;
        }

        var port = int.Parse(ports[0], System.Globalization.CultureInfo.InvariantCulture);
        string? target;
        lock (Targets)
        {
            Calls.Add(new JsonObject { ["namespace"] = ns, ["pod"] = name, ["port"] = port, ["protocol"] = V4 });
            target = Targets.GetValueOrDefault((ns, name, port));
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(V4);
        var portBytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(portBytes, (ushort)port);
        await socket.SendAsync(new byte[] { 0, portBytes[0], portBytes[1] }, WebSocketMessageType.Binary, true, context.RequestAborted);
        await socket.SendAsync(new byte[] { 1, portBytes[0], portBytes[1] }, WebSocketMessageType.Binary, true, context.RequestAborted);
        using var tcp = new TcpClient();
        try
        {
            if (target is null)
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }

            var (host, targetPort) = (target[..target.LastIndexOf(':')], int.Parse(target[(target.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            await tcp.ConnectAsync(host, targetPort, context.RequestAborted);
        }
        catch (SocketException)
        {
            var message = $"error forwarding port {port} to pod {name}, uid : failed to connect to localhost:{port} inside namespace \"{ns}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused";
            await socket.SendAsync(new byte[] { 1 }.Concat(Encoding.UTF8.GetBytes(message)).ToArray(), WebSocketMessageType.Binary, true, context.RequestAborted);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, context.RequestAborted);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var stream = tcp.GetStream();
        var toPod = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            var message = new MemoryStream();
            while (!stop.IsCancellationRequested)
            {
                message.SetLength(0);
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, stop.Token);
                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    tcp.Client.Shutdown(SocketShutdown.Send);
                    return;
                }

                var bytes = message.ToArray();
                if (bytes.Length > 1 && bytes[0] == 0)
                {
                    await stream.WriteAsync(bytes.AsMemory(1), stop.Token);
                }
            }
        });
        var fromPod = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (!stop.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(1, buffer.Length - 1), stop.Token);
                if (read == 0)
                {
                    return;
                }

                buffer[0] = 0;
                await socket.SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, true, stop.Token);
            }
        });
        try
        {
            await fromPod;
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or SocketException)
        {
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await toPod;
            }
            catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
