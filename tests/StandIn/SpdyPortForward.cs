using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace StandIn;

/// <summary>
/// The port-forward kubectl 1.35 speaks: SPDY/3.1 (the portforward.k8s.io stream protocol) tunnelled in a WebSocket
/// whose subprotocol is "SPDY/3.1+portforward.k8s.io". Per local connection kubectl opens two SPDY streams with the
/// headers streamType (error or data), port and requestID; the server answers each with a SYN_REPLY, relays the data
/// stream's bytes to what the test registered for the pod's port, and closes both streams (FIN) when that side ends.
/// A port with nothing behind it gets the kubelet's message on the error stream. PINGs are echoed; flow control and
/// the other frames are not needed by kubectl's client and are ignored. This proves kubectl's side of the protocol
/// against the stand-in, which the module's own port-forward (v4.channel.k8s.io) is then compared with.
/// </summary>
internal sealed class SpdyPortForward(WebSocket socket, string ns, string pod, Func<int, string?> targetOf, CancellationToken aborted) : IDisposable
{
    public const string Protocol = "SPDY/3.1+portforward.k8s.io";

    private const int SynStream = 1;
    private const int SynReply = 2;
    private const int RstStream = 3;
    private const int Ping = 6;
    private const int GoAway = 7;
    private const byte Fin = 0x01;

    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly Dictionary<string, int> errorStreams = [];
    private readonly Dictionary<int, TcpClient> dataStreams = [];
    private readonly List<Task> relays = [];
    private readonly MemoryStream compressedIn = new();
    private long inflatedSoFar;
    private readonly MemoryStream compressedOut = new();
    private ZLibStream? compressor;
    private readonly byte[] pending = new byte[256 * 1024];
    private int pendingStart;
    private int pendingEnd;

    /// <summary>The WebSocket handshake with kubectl's subprotocol, then a server WebSocket over the upgraded stream.</summary>
    public static async Task<WebSocket> AcceptAsync(Microsoft.AspNetCore.Http.HttpContext context)
    {
        var upgrade = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>() ?? throw new InvalidOperationException("the connection cannot be upgraded");
        var key = context.Request.Headers.SecWebSocketKey.ToString();
#pragma warning disable CA5350 // RFC 6455's handshake is SHA-1 by definition; nothing secret is hashed.
        var accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = accept;
        context.Response.Headers.SecWebSocketProtocol = Protocol;
        var stream = await upgrade.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
    }

    public async Task ServeAsync()
    {
        try
        {
            while (await ReadFrameAsync() is { } frame)
            {
                if (frame.Control)
                {
                    await OnControlAsync(frame);
                }
                else
                {
                    await OnDataAsync(frame);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or EndOfStreamException)
        {
        }
        finally
        {
            lock (dataStreams)
            {
                foreach (var tcp in dataStreams.Values)
                {
                    tcp.Dispose();
                }
            }

            try
            {
                await Task.WhenAll(relays);
            }
            catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private ZLibStream Compressor => compressor ??= new ZLibStream(compressedOut, CompressionLevel.Fastest, leaveOpen: true);

    // SPDY control frames: SYN_STREAM opens a stream, PING is echoed, RST_STREAM and GOAWAY end streams or the session.
    private async Task OnControlAsync(Frame frame)
    {
        switch (frame.Type)
        {
            case SynStream:
                var id = (int)(BinaryPrimitives.ReadUInt32BigEndian(frame.Data) & 0x7fffffff);
                var headers = Inflate(frame.Data.AsSpan(10).ToArray());
                await SendControlAsync(SynReply, 0, [.. BigEndian(id), .. Deflate([])]);
                await OpenAsync(id, headers);
                break;
            case Ping:
                await SendControlAsync(Ping, 0, frame.Data);
                break;
            case RstStream:
                var reset = (int)(BinaryPrimitives.ReadUInt32BigEndian(frame.Data) & 0x7fffffff);
                lock (dataStreams)
                {
                    if (dataStreams.Remove(reset, out var tcp))
                    {
                        tcp.Dispose();
                    }
                }

                break;
            case GoAway:
                throw new EndOfStreamException();
            default:
                break;
        }
    }

    private async Task OpenAsync(int id, Dictionary<string, string> headers)
    {
        var type = headers.GetValueOrDefault("streamtype");
        var request = headers.GetValueOrDefault("requestid") ?? string.Empty;
        _ = int.TryParse(headers.GetValueOrDefault("port"), out var port);
        if (type == "error")
        {
            lock (errorStreams)
            {
                errorStreams[request] = id;
            }

            return;
        }

        if (type != "data")
        {
            return;
        }

        int errorStream;
        lock (errorStreams)
        {
            errorStream = errorStreams.GetValueOrDefault(request);
        }

        var tcp = new TcpClient();
        try
        {
            var target = targetOf(port) ?? throw new SocketException((int)SocketError.ConnectionRefused);
            var colon = target.LastIndexOf(':');
            await tcp.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), aborted);
        }
        catch (SocketException)
        {
            tcp.Dispose();
            var message = $"error forwarding port {port} to pod {pod}, uid : failed to connect to localhost:{port} inside namespace \"{ns}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused";
            await SendDataAsync(errorStream, 0, Encoding.UTF8.GetBytes(message));
            await SendDataAsync(errorStream, Fin, []);
            await SendDataAsync(id, Fin, []);
            return;
        }

        lock (dataStreams)
        {
            dataStreams[id] = tcp;
        }

        relays.Add(Task.Run(() => FromPodAsync(id, errorStream, tcp)));
    }

    // The pod's side to kubectl: DATA frames on the data stream, then FIN on both streams when the pod's side ends.
    private async Task FromPodAsync(int id, int errorStream, TcpClient tcp)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            var stream = tcp.GetStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, aborted)) > 0)
            {
                await SendDataAsync(id, 0, buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }

        try
        {
            await SendDataAsync(id, Fin, []);
            await SendDataAsync(errorStream, Fin, []);
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    // kubectl's side to the pod: bytes on a data stream; its FIN half-closes the pod's connection.
    private async Task OnDataAsync(Frame frame)
    {
        TcpClient? tcp;
        lock (dataStreams)
        {
            tcp = dataStreams.GetValueOrDefault(frame.StreamId);
        }

        if (tcp is null)
        {
            return;
        }

        try
        {
            if (frame.Data.Length > 0)
            {
                await tcp.GetStream().WriteAsync(frame.Data, aborted);
            }

            if ((frame.Flags & Fin) != 0)
            {
                tcp.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        compressor?.Dispose();
        compressedIn.Dispose();
        compressedOut.Dispose();
        sending.Dispose();
    }

    private async Task<Frame?> ReadFrameAsync()
    {
        var head = await ReadAsync(8);
        if (head is null)
        {
            return null;
        }

        var length = (head[5] << 16) | (head[6] << 8) | head[7];
        var data = length == 0 ? [] : await ReadAsync(length) ?? throw new EndOfStreamException();
        return (head[0] & 0x80) != 0
            ? new Frame(true, (head[2] << 8) | head[3], 0, head[4], data)
            : new Frame(false, 0, (int)(BinaryPrimitives.ReadUInt32BigEndian(head) & 0x7fffffff), head[4], data);
    }

    // Bytes of the tunnelled SPDY session, whatever WebSocket messages they came in; null at its end.
    private async Task<byte[]?> ReadAsync(int count)
    {
        while (pendingEnd - pendingStart < count)
        {
            if (pendingStart > 0)
            {
                Buffer.BlockCopy(pending, pendingStart, pending, 0, pendingEnd - pendingStart);
                pendingEnd -= pendingStart;
                pendingStart = 0;
            }

            if (pendingEnd == pending.Length)
            {
                throw new IOException("a SPDY frame larger than the stand-in reads");
            }

            var received = await socket.ReceiveAsync(pending.AsMemory(pendingEnd), aborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            pendingEnd += received.Count;
        }

        var bytes = pending.AsSpan(pendingStart, count).ToArray();
        pendingStart += count;
        return bytes;
    }

    // A header block: the session's zlib stream (kubectl's side starts it with SPDY/3's dictionary, so the stand-in
    // inflates the whole session so far behind a stored block holding the dictionary, and keeps what is new).
    private Dictionary<string, string> Inflate(byte[] block)
    {
        if (compressedIn.Length == 0)
        {
            compressedIn.Write([0x00, (byte)SpdyDictionary.Bytes.Length, (byte)(SpdyDictionary.Bytes.Length >> 8), (byte)~SpdyDictionary.Bytes.Length, (byte)(~SpdyDictionary.Bytes.Length >> 8)]);
            compressedIn.Write(SpdyDictionary.Bytes);
            // The zlib header (2 bytes) and, with a preset dictionary, its Adler-32 (4 bytes).
            compressedIn.Write(block.AsSpan((block[1] & 0x20) != 0 ? 6 : 2));
        }
        else
        {
            compressedIn.Write(block);
        }

        var inflated = new MemoryStream();
        using (var inflater = new DeflateStream(new MemoryStream(compressedIn.ToArray()), CompressionMode.Decompress))
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = inflater.Read(buffer)) > 0)
                {
                    inflated.Write(buffer, 0, read);
                }
            }
            catch (InvalidDataException) when (inflated.Length > 0)
            {
                // The session's stream has no end yet: what was inflated is all there is.
            }
        }

        var all = inflated.ToArray();
        var fresh = all.AsSpan((int)(SpdyDictionary.Bytes.Length + inflatedSoFar));
        inflatedSoFar = all.Length - SpdyDictionary.Bytes.Length;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var count = BinaryPrimitives.ReadInt32BigEndian(fresh);
        var at = 4;
        for (var i = 0; i < count; i++)
        {
            var nameLength = BinaryPrimitives.ReadInt32BigEndian(fresh[at..]);
            var name = Encoding.UTF8.GetString(fresh.Slice(at + 4, nameLength));
            at += 4 + nameLength;
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(fresh[at..]);
            headers[name] = Encoding.UTF8.GetString(fresh.Slice(at + 4, valueLength));
            at += 4 + valueLength;
        }

        return headers;
    }

    // The stand-in's header blocks: its own zlib stream without a dictionary (which SPDY's readers accept), flushed
    // per block.
    private byte[] Deflate(IReadOnlyList<(string Name, string Value)> headers)
    {
        var raw = new MemoryStream();
        raw.Write(BigEndian(headers.Count));
        foreach (var (name, value) in headers)
        {
            raw.Write(BigEndian(Encoding.UTF8.GetByteCount(name)));
            raw.Write(Encoding.UTF8.GetBytes(name));
            raw.Write(BigEndian(Encoding.UTF8.GetByteCount(value)));
            raw.Write(Encoding.UTF8.GetBytes(value));
        }

        var before = compressedOut.Length;
        Compressor.Write(raw.ToArray());
        Compressor.Flush();
        return compressedOut.ToArray()[(int)before..];
    }

    private Task SendControlAsync(int type, byte flags, byte[] data)
    {
        var frame = new byte[8 + data.Length];
        frame[0] = 0x80;
        frame[1] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)type);
        WriteFlagsAndLength(frame, flags, data.Length);
        data.CopyTo(frame, 8);
        return SendAsync(frame);
    }

    private Task SendDataAsync(int stream, byte flags, byte[] data)
    {
        var frame = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)stream & 0x7fffffff);
        WriteFlagsAndLength(frame, flags, data.Length);
        data.CopyTo(frame, 8);
        return SendAsync(frame);
    }

    private static void WriteFlagsAndLength(byte[] frame, byte flags, int length)
    {
        frame[4] = flags;
        frame[5] = (byte)(length >> 16);
        frame[6] = (byte)(length >> 8);
        frame[7] = (byte)length;
    }

    private async Task SendAsync(byte[] frame)
    {
        await sending.WaitAsync(aborted);
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, true, aborted);
        }
        finally
        {
            sending.Release();
        }
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private sealed record Frame(bool Control, int Type, int StreamId, byte Flags, byte[] Data);
}
