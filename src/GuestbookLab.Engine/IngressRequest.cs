using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Live;

namespace GuestbookLab.Engine;

/// <summary>What one HTTP request from this machine got: the answer, or how it failed below HTTP.</summary>
public sealed record HttpExchange(int? Status, IReadOnlyDictionary<string, string> Headers, string? Body, TimeSpan Elapsed, TransportFailure Failure, string? Error);

/// <summary>
/// Requests from this machine to the ingress gateway, as the codelab's curl $INGRESS_IP: the connection goes to the
/// ingress address while the URI's host stays the Host header (and the TLS server name), so the gateway matches its
/// servers and VirtualServices as it would for a browser. No redirects are followed, no cookies kept, no proxy used.
/// </summary>
public static class IngressRequest
{
    public static async Task<HttpExchange> SendAsync(Uri uri, string method, IReadOnlyList<KeyValuePair<string, string>> headers, string connectHost, int connectPort, TimeSpan timeout, bool skipCertificateCheck, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = timeout,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(connectHost, connectPort, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (skipCertificateCheck)
        {
            // Only when the user asks (-SkipCertificateCheck, curl -k): the codelab's gateways serve self-signed certificates.
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        using var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            var answer = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in response.Headers)
            {
                answer[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value);
            }

            foreach (var header in response.Content.Headers)
            {
                answer[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value);
            }

            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return new HttpExchange((int)response.StatusCode, answer, body, clock.Elapsed, TransportFailure.None, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(TransportFailure.TimedOut, $"no answer within {timeout.TotalSeconds:0.#} s", clock.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return Failed(Classify(ex), Describe(ex), clock.Elapsed);
        }
    }

    /// <summary>How an exception of the HTTP stack says the request failed: the socket error first, then TLS, then HttpClient's own kind.</summary>
    public static TransportFailure Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => TransportFailure.Refused,
                        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => TransportFailure.Reset,
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => TransportFailure.NotResolved,
                        SocketError.TimedOut => TransportFailure.TimedOut,
                        _ => TransportFailure.Refused,
                    };
                case AuthenticationException:
                    return TransportFailure.Tls;
            }
        }

        if (exception is HttpRequestException http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => TransportFailure.NotResolved,
                HttpRequestError.SecureConnectionError => TransportFailure.Tls,
                HttpRequestError.ResponseEnded => TransportFailure.Closed,
                HttpRequestError.ConnectionError => TransportFailure.Refused,
                _ => TransportFailure.Reset,
            };
        }

        return TransportFailure.Reset;
    }

    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
        }

        return string.Join(": ", parts);
    }

    private static HttpExchange Failed(TransportFailure failure, string error, TimeSpan elapsed) =>
        new(null, new Dictionary<string, string>(), null, elapsed, failure, error);
}
