using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Invoke-LabRequest's pure part (curl's command, output and exit codes) and its ingress sender; the client pods.</summary>
public sealed class LiveRequestTests
{
    private static readonly Dictionary<string, string> NoHeaders = new(StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData(6, RequestOutcome.HostNotResolved)]
    [InlineData(7, RequestOutcome.ConnectionRefused)]
    [InlineData(28, RequestOutcome.TimedOut)]
    [InlineData(35, RequestOutcome.TlsError)]
    [InlineData(52, RequestOutcome.ConnectionClosed)]
    [InlineData(55, RequestOutcome.ConnectionReset)]
    [InlineData(56, RequestOutcome.ConnectionReset)]
    [InlineData(60, RequestOutcome.TlsError)]
    public void Curl_exit_codes_are_outcomes(int exitCode, RequestOutcome outcome) =>
        Assert.Equal(outcome, LiveRequest.FromCurlExit(exitCode)?.Outcome);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(22)]
    [InlineData(127)]
    public void Other_curl_exit_codes_are_no_outcome(int exitCode) => Assert.Null(LiveRequest.FromCurlExit(exitCode));

    [Fact]
    public void Exactly_the_documented_curl_exit_codes_are_mapped() =>
        Assert.Equal(new[] { 6, 7, 28, 35, 52, 55, 56, 60 }, LiveRequest.MappedCurlExits.OrderBy(c => c));

    [Theory]
    [InlineData(TransportFailure.NotResolved, RequestOutcome.HostNotResolved)]
    [InlineData(TransportFailure.Refused, RequestOutcome.ConnectionRefused)]
    [InlineData(TransportFailure.Reset, RequestOutcome.ConnectionReset)]
    [InlineData(TransportFailure.Closed, RequestOutcome.ConnectionClosed)]
    [InlineData(TransportFailure.TimedOut, RequestOutcome.TimedOut)]
    [InlineData(TransportFailure.Tls, RequestOutcome.TlsError)]
    public void Socket_failures_are_the_same_outcomes(TransportFailure failure, RequestOutcome outcome) =>
        Assert.Equal(outcome, LiveRequest.FromTransport(failure));

    [Theory]
    // The application, through a sidecar or the gateway: Envoy adds x-envoy-upstream-service-time.
    [InlineData(200, "envoy", "5", "{\"greeting\":\"Hello\"}", RequestOutcome.Delivered, null)]
    [InlineData(503, "istio-envoy", "12", "{\"misbehavior\":\"message-service-1\"}", RequestOutcome.Delivered, null)]
    // No Envoy on the way (a pod outside the mesh to one outside it).
    [InlineData(200, "Apache", null, "<html/>", RequestOutcome.Delivered, null)]
    [InlineData(404, null, null, "", RequestOutcome.Delivered, null)]
    // Envoy by itself, as the simulator's ProxyResponse cases.
    [InlineData(503, "envoy", null, "no healthy upstream", RequestOutcome.ProxyResponse, "UH")]
    [InlineData(503, "envoy", null, "fault filter abort", RequestOutcome.ProxyResponse, "FI")]
    [InlineData(500, "istio-envoy", null, "fault filter abort", RequestOutcome.ProxyResponse, "FI")]
    [InlineData(503, "envoy", null, "upstream connect error or disconnect/reset before headers. reset reason: connection termination", RequestOutcome.ProxyResponse, "UC")]
    [InlineData(503, "envoy", null, "upstream connect error or disconnect/reset before headers. reset reason: connection failure", RequestOutcome.ProxyResponse, "UF")]
    [InlineData(503, "envoy", null, "upstream connect error or disconnect/reset before headers. reset reason: overflow", RequestOutcome.ProxyResponse, "UO")]
    [InlineData(404, "istio-envoy", null, "", RequestOutcome.ProxyResponse, "NR")]
    [InlineData(403, "envoy", null, "RBAC: access denied", RequestOutcome.ProxyResponse, null)]
    [InlineData(401, "istio-envoy", null, "Jwt is missing", RequestOutcome.ProxyResponse, null)]
    [InlineData(502, "envoy", null, "", RequestOutcome.ProxyResponse, null)]
    public void Http_answers_are_the_application_s_or_the_proxy_s(int status, string? server, string? upstream, string body, RequestOutcome outcome, string? flag)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (server is not null)
        {
            headers["server"] = server;
        }

        if (upstream is not null)
        {
            headers["x-envoy-upstream-service-time"] = upstream;
        }

        Assert.Equal((outcome, flag), LiveRequest.FromResponse(status, headers, body));
    }

    [Fact]
    public void The_message_service_names_its_pod_and_version()
    {
        Assert.Equal(("message-service-5c7f8-abcde", "2.0"), LiveRequest.Answerer("{\"greeting\":\"Hello test from message-service-5c7f8-abcde with 2.0\",\"version\":\"2.0\",\"hostname\":\"message-service-5c7f8-abcde\"}"));
        Assert.Equal(("message-service-5c7f8-abcde", null), LiveRequest.Answerer("{\"misbehavior\":\"message-service-5c7f8-abcde\"}"));
        Assert.Equal((null, null), LiveRequest.Answerer("<html>guestbook</html>"));
        Assert.Equal((null, null), LiveRequest.Answerer("{not json"));
        Assert.Equal((null, null), LiveRequest.Answerer(null));
    }

    [Fact]
    public void Curl_output_is_read_into_status_headers_body_and_time()
    {
        var stdout = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\nserver: envoy\r\nx-envoy-upstream-service-time: 7\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n{\"version\":\"1.0\"}\n" + LiveRequest.Marker + "200 0.012345\n";
        var answer = LiveRequest.ParseCurl(stdout);
        Assert.Equal(200, answer.Status);
        Assert.Equal("envoy", answer.Headers["server"]);
        Assert.Equal("7", answer.Headers["x-envoy-upstream-service-time"]);
        Assert.Equal("a=1, b=2", answer.Headers["set-cookie"]);
        Assert.Equal("{\"version\":\"1.0\"}", answer.Body);
        Assert.Equal(TimeSpan.FromSeconds(0.012345), answer.Duration);

        var refused = LiveRequest.ParseCurl("\n" + LiveRequest.Marker + "000 0.001\n");
        Assert.Null(refused.Status);
        Assert.Empty(refused.Headers);
        Assert.Equal(string.Empty, refused.Body);
    }

    [Fact]
    public void The_curl_command_carries_the_request_without_a_shell()
    {
        var options = new RequestOptions
        {
            Uri = "http://message-service/hello/test", Method = "post", Token = "e.y.J",
            Headers = [new("user-agent", "Mozilla/5.0 Chrome/120"), new("Authorization", "Bearer other")],
        };
        var command = LiveRequest.CurlCommand(options, TimeSpan.FromSeconds(2.5), insecure: false);
        Assert.Equal(["curl", "-sS", "-D", "-", "-w", $"\n{LiveRequest.Marker}%{{http_code}} %{{time_total}}\n", "-X", "POST", "--max-time", "3", "-H", "user-agent: Mozilla/5.0 Chrome/120", "-H", "Authorization: Bearer e.y.J", "http://message-service/hello/test"], command);
        Assert.Contains("-I", LiveRequest.CurlCommand(options with { Method = "HEAD", Token = null }, TimeSpan.FromSeconds(1), insecure: true));
        Assert.Contains("-k", LiveRequest.CurlCommand(options, TimeSpan.FromSeconds(1), insecure: true));
    }

    [Fact]
    public void Live_results_are_grouped_as_the_simulator_s_samples_by_version()
    {
        RequestResult Answer(string pod, string version) => LiveRequest.Result("default/curl", "GET http://message-service:80/hello/test", "curl", 200,
            new Dictionary<string, string> { ["server"] = "envoy", ["x-envoy-upstream-service-time"] = "3" }, $"{{\"version\":\"{version}\",\"hostname\":\"{pod}\"}}", null, null);
        var results = new List<RequestResult> { Answer("m-1", "1.0"), Answer("m-2", "2.0"), Answer("m-3", "2.0"), Answer("m-4", "2.0") };
        results.Add(LiveRequest.Result("default/curl", "GET http://message-service:80/hello/test", "curl", null, null, null, null, (RequestOutcome.ConnectionReset, "reset")));
        var sample = RequestSampler.Group(results);
        Assert.Equal(5, sample.Count);
        Assert.Equal(0.6, sample.FractionTo("version 2.0"), 6);
        Assert.Equal(0.2, sample.FractionTo("version 1.0"), 6);
        Assert.Equal(3, sample.Outcomes.Count);
        Assert.Equal(RequestOutcome.ConnectionReset, sample.Outcomes[^1].Outcome);
        Assert.All(results, r => Assert.True(r.Live));
        Assert.Equal("m-2", results[1].AnsweringPod);
    }

    [Fact]
    public void Client_pods_are_the_codelab_s_with_the_ownership_label()
    {
        var curl = ClientPodBuilder.Build(new ClientPodOptions { Name = "curl", Namespace = "noistio" });
        var yaml = ManifestSerializer.Serialize([curl]);
        Assert.Contains("app.kubernetes.io/managed-by: guestbooklab", yaml, StringComparison.Ordinal);
        Assert.Contains("image: curlimages/curl", yaml, StringComparison.Ordinal);
        Assert.Contains("namespace: noistio", yaml, StringComparison.Ordinal);
        Assert.True(Ownership.IsOwned(curl));
        Assert.Contains("readinessProbe", ManifestSerializer.Serialize([ClientPodBuilder.Build(new ClientPodOptions { Name = "ubuntu" })]), StringComparison.Ordinal);
        Assert.Contains(ClientPodBuilder.Validate(new ClientPodOptions { Name = "busybox" }).Errors, e => e.ErrorId == ErrorIds.InvalidClientPod);
        Assert.True(ClientPodBuilder.Validate(new ClientPodOptions { Name = "curl", Namespace = "No_Such" }).HasErrors);
    }

    [Fact]
    public void A_pod_is_ready_when_running_with_every_container_ready()
    {
        LabResource Pod(string status) => ManifestSerializer.Deserialize($"apiVersion: v1\nkind: Pod\nmetadata: {{name: curl}}\nspec: {{containers: [{{name: curl}}, {{name: istio-proxy}}]}}\nstatus: {status}").Single();
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(new WaitState(false, "Waiting for pod \"curl\" to exist..."), Readiness.Pod(null, "curl", now));
        Assert.False(Readiness.Pod(Pod("{phase: Running, containerStatuses: [{name: curl, ready: true, state: {running: {}}}, {name: istio-proxy, ready: false, state: {running: {}}}]}"), "curl", now).Done);
        Assert.Equal("pod \"curl\" is Running, 2/2 ready", Readiness.Pod(Pod("{phase: Running, containerStatuses: [{name: curl, ready: true, state: {running: {}}}, {name: istio-proxy, ready: true, state: {running: {}}}]}"), "curl", now).Message);
        var failed = Readiness.Pod(Pod("{phase: Failed, reason: Evicted}"), "curl", now);
        Assert.True(failed.Done);
        Assert.Equal("Evicted", failed.Failure);
    }

    // A gateway stand-in on a loopback port: it answers each connection as the test says, after reading the request.
    private static async Task<(HttpExchange Exchange, string Request)> Exchange(Func<Socket, Task> answer, string method = "GET", TimeSpan? timeout = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // Every connection is answered alike: HttpClient opens a second one when the first closes before an answer.
        using var stop = new CancellationTokenSource();
        var first = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptSocketAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                using (socket)
                {
                    var buffer = new byte[8192];
                    var request = new StringBuilder();
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                        if (n == 0)
                        {
                            break;
                        }

                        request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }

                    first.TrySetResult(request.ToString());
                    await answer(socket);
                }
            }
        });
        var exchange = await IngressRequest.SendAsync(new Uri("http://guestbook.example.com/hello"), method, [new("user-agent", "lab")], "127.0.0.1", port, timeout ?? TimeSpan.FromSeconds(10), false, CancellationToken.None);
        var seen = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        return (exchange, seen);
    }

    [Fact]
    public async Task The_ingress_gets_the_uri_s_host_and_its_answer_is_read()
    {
        var (exchange, request) = await Exchange(async s =>
        {
            await s.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nserver: istio-envoy\r\ncontent-length: 0\r\n\r\n"), SocketFlags.None);
            s.Shutdown(SocketShutdown.Both);
        });
        Assert.Equal(TransportFailure.None, exchange.Failure);
        Assert.Equal(404, exchange.Status);
        Assert.Equal("istio-envoy", exchange.Headers["server"]);
        Assert.Contains("Host: guestbook.example.com\r\n", request, StringComparison.Ordinal);
        Assert.StartsWith("GET /hello HTTP/1.1", request, StringComparison.Ordinal);
        Assert.Equal((RequestOutcome.ProxyResponse, "NR"), LiveRequest.FromResponse(exchange.Status!.Value, exchange.Headers, exchange.Body));
    }

    [Fact]
    public async Task A_reset_and_a_close_without_an_answer_are_told_apart()
    {
        var (reset, _) = await Exchange(s =>
        {
            s.LingerState = new LingerOption(true, 0);
            s.Close();
            return Task.CompletedTask;
        });
        Assert.Equal(TransportFailure.Reset, reset.Failure);
        var (closed, _) = await Exchange(s =>
        {
            s.Shutdown(SocketShutdown.Both);
            return Task.CompletedTask;
        });
        Assert.Equal(TransportFailure.Closed, closed.Failure);
        var (late, _) = await Exchange(s => Task.Delay(3000), timeout: TimeSpan.FromSeconds(1));
        Assert.Equal(TransportFailure.TimedOut, late.Failure);
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_refused()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var exchange = await IngressRequest.SendAsync(new Uri("http://guestbook.example.com/"), "GET", [], "127.0.0.1", port, TimeSpan.FromSeconds(5), false, CancellationToken.None);
        Assert.Equal(TransportFailure.Refused, exchange.Failure);
        Assert.Null(exchange.Status);
    }

    private static RequestResult Predicted(RequestOutcome outcome, int? status, string? flag = null) =>
        new() { Source = "default/curl", Request = "GET http://message-service:80/", Outcome = outcome, Status = status, ResponseFlag = flag };

    [Fact]
    public void One_request_agrees_or_names_the_outcome_status_or_flag_that_differ()
    {
        var delivered = LiveRequest.Result("default/curl", "GET http://message-service:80/", "curl", 200, new Dictionary<string, string> { ["server"] = "envoy", ["x-envoy-upstream-service-time"] = "2" }, "{}", null, null);
        Assert.Empty(RequestComparison.Compare(Predicted(RequestOutcome.Delivered, 200), delivered));
        var outcome = Assert.Single(RequestComparison.Compare(Predicted(RequestOutcome.ConnectionRefused, null), delivered));
        Assert.Equal(("Outcome", "ConnectionRefused", "Delivered"), (outcome.Aspect, outcome.Predicted, outcome.Observed));
        var uh = LiveRequest.Result("default/curl", "GET http://message-service:80/", "curl", 503, new Dictionary<string, string> { ["server"] = "envoy" }, "no healthy upstream", null, null);
        Assert.Equal(["Status"], RequestComparison.Compare(Predicted(RequestOutcome.ProxyResponse, 404, "UH"), uh).Select(d => d.Aspect));
        Assert.Equal(["ResponseFlag"], RequestComparison.Compare(Predicted(RequestOutcome.ProxyResponse, 503, "NC"), uh).Select(d => d.Aspect));
        var tls = LiveRequest.Result("default/ubuntu", "GET https://google.com:443/", "curl", null, null, null, null, (RequestOutcome.TlsError, "curl exit code 35"));
        Assert.Empty(RequestComparison.Compare(Predicted(RequestOutcome.ConnectionReset, null), tls));
    }

    [Fact]
    public void Samples_differ_only_outside_sampling_error()
    {
        RequestSample Sample(int count, params (RequestOutcome Outcome, int? Status, int Count)[] groups) => new()
        {
            Source = "ingress", Request = "GET http://guestbook.example.com:80/", Count = count,
            Outcomes = groups.Select(g => new RequestSampleGroup(g.Outcome, g.Status, null, g.Count, (double)g.Count / count)).ToList(),
        };
        var predicted = Sample(10000, (RequestOutcome.Delivered, 200, 8000), (RequestOutcome.ProxyResponse, 503, 2000));
        // 100 live requests: three standard errors of 20% are 12%.
        Assert.Empty(RequestComparison.Compare(predicted, Sample(100, (RequestOutcome.Delivered, 200, 75), (RequestOutcome.ProxyResponse, 503, 25))));
        var apart = RequestComparison.Compare(predicted, Sample(100, (RequestOutcome.Delivered, 200, 50), (RequestOutcome.ProxyResponse, 503, 50)));
        Assert.Equal(2, apart.Count);
        Assert.All(apart, d => Assert.Equal("Fraction", d.Aspect));
        Assert.Equal("Delivered 200 80.0%", apart[0].Predicted);
        Assert.Equal("Delivered 200 50.0%", apart[0].Observed);
        var unexpected = RequestComparison.Compare(predicted, Sample(100, (RequestOutcome.Delivered, 200, 78), (RequestOutcome.ProxyResponse, 503, 20), (RequestOutcome.ConnectionReset, null, 2)));
        Assert.Equal("ConnectionReset 0.0%", Assert.Single(unexpected).Predicted);
    }
}
