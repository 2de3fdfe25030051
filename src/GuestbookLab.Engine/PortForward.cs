using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Net.Http;

namespace GuestbookLab.Engine;

/// <summary>A target that forwards local connections to a pod's port (kubectl port-forward, istioctl dashboard).</summary>
public interface IPortForwardTarget
{
    /// <summary>
    /// Listens on 127.0.0.1 (<paramref name="localPort"/>, or any free port when it is 0 or in use) and forwards each
    /// connection to <paramref name="remotePort"/> of the pod until <paramref name="cancellationToken"/> is cancelled,
    /// when the listener closes. <paramref name="onEvent"/> hears each connection and each error (on the engine's threads).
    /// </summary>
    PortForward Forward(string ns, string pod, int remotePort, int localPort, Action<string>? onEvent, CancellationToken cancellationToken);
}

/// <summary>A running port-forward: its local port and the task that ends when it stops.</summary>
public sealed class PortForward(int localPort, Task completion)
{
    public int LocalPort { get; } = localPort;

    /// <summary>
    /// Ends when the forward is cancelled (the listener closed, every connection closed), or faults with a
    /// <see cref="PortForwardLostException"/> when the pod has gone, as kubectl port-forward ends then.
    /// </summary>
    public Task Completion { get; } = completion;
}

/// <summary>The pod a port-forward went to is gone (deleted, or replaced by a rollout): the forward has ended.</summary>
public sealed class PortForwardLostException(string message) : System.IO.IOException(message);

/// <summary>Port-forward through KubernetesClient's WebSocket (v4.channel.k8s.io: per port a data and an error channel).</summary>
public sealed partial class ClusterTarget : IPortForwardTarget
{
    private const string PortForwardProtocol = "v4.channel.k8s.io";

    public PortForward Forward(string ns, string pod, int remotePort, int localPort, Action<string>? onEvent, CancellationToken cancellationToken)
    {
        var listener = new TcpListener(IPAddress.Loopback, localPort);
        try
        {
            listener.Start();
        }
        catch (SocketException) when (localPort != 0)
        {
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
        }

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return new PortForward(port, AcceptAsync(listener, ns, pod, remotePort, onEvent, cancellationToken));
    }

    private async Task AcceptAsync(TcpListener listener, string ns, string pod, int remotePort, Action<string>? onEvent, CancellationToken cancellationToken)
    {
        var connections = new System.Collections.Generic.List<Task>();
        // Cancelled by the caller, or by a connection that found the pod gone.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? gone = null;
        try
        {
            while (!lost.IsCancellationRequested)
            {
                var accepted = await listener.AcceptTcpClientAsync(lost.Token).ConfigureAwait(false);
                onEvent?.Invoke($"Handling connection for {((IPEndPoint)listener.LocalEndpoint).Port}");
                connections.Add(RelayAsync(accepted, ns, pod, remotePort, onEvent, reason =>
                {
                    gone ??= reason;
                    lost.Cancel();
                }, lost.Token));
                connections.RemoveAll(c => c.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Stop();
            await Task.WhenAll(connections).ConfigureAwait(false);
        }

        if (gone is not null && !cancellationToken.IsCancellationRequested)
        {
            throw new PortForwardLostException(gone);
        }
    }

    // One connection: a WebSocket to the pod's port; bytes each way until either side closes.
    private async Task RelayAsync(TcpClient tcp, string ns, string pod, int remotePort, Action<string>? onEvent, Action<string> onPodGone, CancellationToken cancellationToken)
    {
        using var connection = tcp;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        WebSocket socket;
        try
        {
            socket = await client.WebSocketNamespacedPodPortForwardAsync(pod, ns, [remotePort], PortForwardProtocol, null, stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or k8s.Autorest.HttpOperationException && !cancellationToken.IsCancellationRequested)
        {
            onEvent?.Invoke($"error: cannot forward to pod {ns}/{pod} port {remotePort}: {ex.Message}");
            if (await PodGoneAsync(ns, pod, cancellationToken).ConfigureAwait(false))
            {
                onPodGone($"pod {ns}/{pod} is gone");
            }

            return;
        }

        using (socket)
        {
            var stream = tcp.GetStream();
            var fromPod = Task.Run(() => FromPodAsync(socket, stream, remotePort, onEvent, stop.Token), stop.Token);
            var toPod = Task.Run(() => ToPodAsync(socket, stream, stop.Token), stop.Token);
            try
            {
                await Task.WhenAny(fromPod, toPod).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(fromPod, toPod).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or System.IO.IOException or ObjectDisposedException)
                {
                }
            }
        }
    }

    // Whether the pod a connection could not reach is gone (404), rather than its port closed or the server busy.
    private async Task<bool> PodGoneAsync(string ns, string pod, CancellationToken cancellationToken)
    {
        try
        {
            using var found = (await SendAsync(HttpMethod.Get, PodPath(ns, pod), null, null, cancellationToken).ConfigureAwait(false)).Document;
            return false;
        }
        catch (ApiStatusException ex) when (ex.Code == 404)
        {
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException or ApiStatusException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task FromPodAsync(WebSocket socket, NetworkStream stream, int remotePort, Action<string>? onEvent, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var portSeen = new bool[2];
        var message = new System.IO.MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

            if (received.MessageType == WebSocketMessageType.Close || message.Length == 0)
            {
                return;
            }

            var bytes = message.GetBuffer().AsMemory(0, (int)message.Length);
            var channel = bytes.Span[0];
            var payload = bytes[1..];
            if (channel > 1)
            {
                continue;
            }

            // The first message on each channel is the port it belongs to (two bytes, little-endian).
            if (!portSeen[channel])
            {
                portSeen[channel] = true;
                if (payload.Length >= 2 && BinaryPrimitives.ReadUInt16LittleEndian(payload.Span) == remotePort)
                {
                    payload = payload[2..];
                }
            }

            if (payload.Length == 0)
            {
                continue;
            }

            if (channel == 0)
            {
                await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                onEvent?.Invoke($"error: {Encoding.UTF8.GetString(payload.Span)}");
                return;
            }
        }
    }

    private static async Task ToPodAsync(WebSocket socket, NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(1, buffer.Length - 1), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cancellationToken).ConfigureAwait(false);
                return;
            }

            buffer[0] = 0;
            await socket.SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
    }
}
