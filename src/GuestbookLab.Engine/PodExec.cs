using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Model;
using k8s;

namespace GuestbookLab.Engine;

/// <summary>Which stream of a command a line came from.</summary>
public enum ExecChannel
{
    StandardOutput,
    StandardError,
}

/// <summary>
/// What a command run in a container answered: its output, and either its exit code (from the exit status the API
/// server sends) or why it could not run (the Status's message, as kubectl prints it after 'error: ').
/// </summary>
public sealed record ExecResult(int? ExitCode, string? Failure, string StandardOutput, string StandardError, string Protocol, TimeSpan Elapsed)
{
    public IReadOnlyList<string> OutputLines => Lines(StandardOutput);

    public IReadOnlyList<string> ErrorLines => Lines(StandardError);

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>A target where commands run in containers (a cluster; a manifest folder runs nothing).</summary>
public interface IExecTarget
{
    /// <summary>
    /// Runs <paramref name="command"/> in a pod's container (kubectl exec): <paramref name="stdin"/>, when given, is sent
    /// and then closed; each complete output line is handed to <paramref name="onLine"/> as it arrives (on the engine's
    /// threads). Cancelling stops the command's connection.
    /// </summary>
    Task<ExecResult> ExecAsync(string ns, string pod, string container, IReadOnlyList<string> command, string? stdin, Action<ExecChannel, string>? onLine, CancellationToken cancellationToken);
}

/// <summary>Exec through KubernetesClient's WebSocket (the v5 channel protocol, v4 where the server offers only that).</summary>
public sealed partial class ClusterTarget : IExecTarget
{
    private const byte StdInChannel = 0;
    private const byte StdOutChannel = 1;
    private const byte StdErrChannel = 2;
    private const byte ErrorChannel = 3;
    private const byte CloseChannel = 255;

    public async Task<ExecResult> ExecAsync(string ns, string pod, string container, IReadOnlyList<string> command, string? stdin, Action<ExecChannel, string>? onLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ApiNames.Check("Pod", ns, pod, Server);
        var clock = Stopwatch.StartNew();
        WebSocket socket;
        try
        {
            socket = await client.WebSocketNamespacedPodExecAsync(pod, ns, command, container, stderr: true, stdin: stdin is not null, stdout: true, tty: false,
                webSocketSubProtocol: WebSocketProtocol.V5BinaryWebsocketProtocol, customHeaders: null, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException ex)
        {
            // KubernetesClient's own exception types never leave the engine.
            var response = ex.Response;
            throw StatusError(new System.Net.Http.HttpResponseMessage(response.StatusCode) { ReasonPhrase = response.ReasonPhrase }, response.Content ?? string.Empty);
        }
        catch (WebSocketException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new System.Net.Http.HttpRequestException($"exec in pod {ns}/{pod} could not connect: {ex.Message}", ex);
        }

        using (socket)
        {
            var sending = stdin is null ? Task.CompletedTask : SendStdinAsync(socket, stdin, cancellationToken);
            var output = new LineSplitter(ExecChannel.StandardOutput, onLine);
            var errors = new LineSplitter(ExecChannel.StandardError, onLine);
            var status = new MemoryStream();
            var buffer = new byte[16 * 1024];
            var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    message.Write(buffer, 0, received.Count);
                    if (!received.EndOfMessage)
                    {
                        continue;
                    }

                    var data = message.ToArray();
                    message.SetLength(0);
                    if (data.Length < 2)
                    {
                        continue;
                    }

                    switch (data[0])
                    {
                        case StdOutChannel:
                            output.Add(data.AsSpan(1));
                            break;
                        case StdErrChannel:
                            errors.Add(data.AsSpan(1));
                            break;
                        case ErrorChannel:
                            status.Write(data, 1, data.Length - 1);
                            break;
                    }
                }
            }
            catch (WebSocketException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new System.Net.Http.HttpRequestException($"exec in pod {ns}/{pod} broke off: {ex.Message}", ex);
            }
            catch (OperationCanceledException)
            {
                socket.Abort();
                throw;
            }

            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                // The command ended before reading all of its input, as a process may.
            }

            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None).ConfigureAwait(false);
            }

            output.Flush();
            errors.Flush();
            var (exitCode, failure) = ExitStatus(Encoding.UTF8.GetString(status.ToArray()));
            return new ExecResult(exitCode, failure, output.Text, errors.Text, socket.SubProtocol ?? string.Empty, clock.Elapsed);
        }
    }

    // The Status on the error channel: Success (0), NonZeroExitCode with the code as its ExitCode cause, or a failure.
    internal static (int? ExitCode, string? Failure) ExitStatus(string text)
    {
        if (text.Length == 0)
        {
            return (null, "the command ended without an exit status");
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.TryGetProperty("status", out var s) && s.GetString() == "Success")
            {
                return (0, null);
            }

            var message = root.TryGetProperty("message", out var m) ? m.GetString() ?? text : text;
            if (root.TryGetProperty("reason", out var r) && r.GetString() == "NonZeroExitCode"
                && root.TryGetProperty("details", out var d) && d.TryGetProperty("causes", out var causes))
            {
                foreach (var cause in causes.EnumerateArray())
                {
                    if (cause.TryGetProperty("reason", out var cr) && cr.GetString() == "ExitCode" && cause.TryGetProperty("message", out var code)
                        && int.TryParse(code.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var exit))
                    {
                        return (exit, null);
                    }
                }
            }

            return (null, message);
        }
        catch (JsonException)
        {
            // The v1 to v3 protocols send the error as plain text.
            return (null, text);
        }
    }

    private static async Task SendStdinAsync(WebSocket socket, string stdin, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(stdin);
        for (var offset = 0; offset < bytes.Length; offset += 8 * 1024)
        {
            var length = Math.Min(8 * 1024, bytes.Length - offset);
            var frame = new byte[length + 1];
            frame[0] = StdInChannel;
            Array.Copy(bytes, offset, frame, 1, length);
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }

        // v5: the end of stdin, so commands that read it to the end (cat, sh) finish. v4 cannot say it.
        if (socket.SubProtocol == WebSocketProtocol.V5BinaryWebsocketProtocol)
        {
            await socket.SendAsync(new[] { CloseChannel, StdInChannel }, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Decodes one stream's UTF-8 as it arrives and hands on each complete line.</summary>
    private sealed class LineSplitter(ExecChannel stream, Action<ExecChannel, string>? onLine)
    {
        private readonly Decoder decoder = new UTF8Encoding(false).GetDecoder();
        private readonly StringBuilder all = new();
        private readonly StringBuilder line = new();

        public string Text => all.ToString();

        public void Add(ReadOnlySpan<byte> bytes)
        {
            var chars = new char[decoder.GetCharCount(bytes, flush: false)];
            decoder.GetChars(bytes, chars, flush: false);
            all.Append(chars);
            foreach (var c in chars)
            {
                if (c == '\n')
                {
                    onLine?.Invoke(stream, line.ToString().TrimEnd('\r'));
                    line.Clear();
                }
                else
                {
                    line.Append(c);
                }
            }
        }

        public void Flush()
        {
            if (line.Length > 0)
            {
                onLine?.Invoke(stream, line.ToString().TrimEnd('\r'));
                line.Clear();
            }
        }
    }
}
