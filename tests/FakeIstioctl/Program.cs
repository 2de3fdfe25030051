using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;

var logPath = Environment.GetEnvironmentVariable("FAKEISTIOCTL_LOG");
var record = new JsonObject { ["args"] = new JsonArray(args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()), ["pid"] = Environment.ProcessId };
var fileAt = Array.IndexOf(args, "-f");
var manifest = fileAt >= 0 && fileAt + 1 < args.Length && File.Exists(args[fileAt + 1]) ? File.ReadAllText(args[fileAt + 1]) : null;
if (manifest is not null)
{
    record["file"] = manifest;
}

if (logPath is not null)
{
    File.AppendAllText(logPath, record.ToJsonString() + Environment.NewLine);
}

var command = string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')));
var scriptPath = Environment.GetEnvironmentVariable("FAKEISTIOCTL_SCRIPT");
var reply = scriptPath is not null && File.Exists(scriptPath) ? JsonNode.Parse(File.ReadAllText(scriptPath))?[command] as JsonObject : null;
if (command == "version" && reply is null)
{
    Console.WriteLine(Environment.GetEnvironmentVariable("FAKEISTIOCTL_VERSION") ?? "1.17.8");
    return 0;
}

var delay = reply?["delayMs"]?.GetValue<int>() ?? 0;
foreach (var line in reply?["stdout"]?.AsArray() ?? [])
{
    Console.Out.WriteLine(line!.GetValue<string>());
    Console.Out.Flush();
    Thread.Sleep(delay);
}

foreach (var line in reply?["stderr"]?.AsArray() ?? [])
{
    Console.Error.WriteLine(line!.GetValue<string>());
    Console.Error.Flush();
}

Thread.Sleep(reply?["sleepMs"]?.GetValue<int>() ?? 0);
var exit = reply?["exit"]?.GetValue<int>() ?? 0;
var kubeconfigAt = Array.IndexOf(args, "--kubeconfig");
if (exit == 0 && command == "install" && kubeconfigAt >= 0)
{
    var kubeconfig = File.ReadAllText(args[kubeconfigAt + 1]);
    var server = Regex.Match(kubeconfig, @"server:\s*(\S+)").Groups[1].Value.Trim('"', '\'');
    var token = Regex.Match(kubeconfig, @"token:\s*(\S+)").Groups[1].Value;
    var demo = manifest is not null && Regex.IsMatch(manifest, @"profile:\s*demo");
    using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = new Uri(server) };
    if (token.Length > 0)
    {
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    void Apply(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/apply-patch+yaml");
        using var request = new HttpRequestMessage(HttpMethod.Patch, path + "?fieldManager=istioctl&force=true") { Content = content };
        using var response = http.Send(request);
        response.EnsureSuccessStatusCode();
    }

    string Deployment(string name, string app) =>
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","namespace":"istio-system","labels":{"app":"APP"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"APP"}},"template":{"metadata":{"labels":{"app":"APP"}},"spec":{"containers":[{"name":"main","image":"docker.io/istio/pilot:1.17.8"}]}}}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("APP", app, StringComparison.Ordinal);
    Apply("/api/v1/namespaces/istio-system", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"istio-system"}}""");
    Apply("/apis/apps/v1/namespaces/istio-system/deployments/istiod", Deployment("istiod", "istiod"));
    Apply("/apis/apps/v1/namespaces/istio-system/deployments/istio-ingressgateway", Deployment("istio-ingressgateway", "istio-ingressgateway"));
    if (demo)
    {
        Apply("/apis/apps/v1/namespaces/istio-system/deployments/istio-egressgateway", Deployment("istio-egressgateway", "istio-egressgateway"));
    }

    Apply("/api/v1/namespaces/istio-system/services/istio-ingressgateway", """{"apiVersion":"v1","kind":"Service","metadata":{"name":"istio-ingressgateway","namespace":"istio-system","labels":{"app":"istio-ingressgateway","istio":"ingressgateway"}},"spec":{"type":"LoadBalancer","selector":{"app":"istio-ingressgateway","istio":"ingressgateway"},"ports":[{"name":"status-port","port":15021,"targetPort":15021},{"name":"http2","port":80,"targetPort":8080},{"name":"https","port":443,"targetPort":8443},{"name":"tcp","port":31400,"targetPort":31400},{"name":"tls","port":15443,"targetPort":15443}]}}""");
}

return exit;
