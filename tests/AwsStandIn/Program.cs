using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsStandIn;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// dotnet AwsStandIn.dll --port 0 : serves ECR (X-Amz-Target AmazonEC2ContainerRegistry_V20150921.*) and STS (Action=…)
// on 127.0.0.1 and prints "URL http://127.0.0.1:PORT". Control (unsigned): GET /_standin/requests,
// GET /_standin/ecr-password, POST /_standin/images/{repository}?count=N.
// dotnet AwsStandIn.dll --self-test : checks the signature code against AWS's published test vector, prints SIGV4 OK.
if (args.Length > 0 && args[0] == "--self-test")
{
    var ok = SigV4.SelfTest(out var signature);
    Console.WriteLine($"SIGV4 {(ok ? "OK" : "WRONG")} {signature}");
    return ok ? 0 : 1;
}

var port = args.Length > 1 && args[0] == "--port" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
var ecr = new Ecr();
var log = new ConcurrentQueue<JsonObject>();

app.MapGet("/_standin/requests", () => Results.Json(new JsonArray(log.Select(e => (JsonNode)e.DeepClone()).ToArray())));
app.MapGet("/_standin/ecr-password", () => Results.Text(ecr.Password));
app.MapPost("/_standin/images/{**repository}", (string repository, int count) => ecr.AddImages(repository, count) ? Results.Ok() : Results.NotFound());
app.MapPost("/", async (HttpContext context) =>
{
    using var buffer = new MemoryStream();
    await context.Request.Body.CopyToAsync(buffer);
    var body = buffer.ToArray();
    var target = context.Request.Headers["X-Amz-Target"].ToString();
    var isEcr = target.StartsWith(Ecr.TargetPrefix, StringComparison.Ordinal);
    var form = isEcr ? [] : ParseForm(Encoding.UTF8.GetString(body));
    var operation = isEcr ? target[Ecr.TargetPrefix.Length..] : form.GetValueOrDefault("Action", string.Empty);
    var (key, code, message) = SigV4.Verify(context.Request, body, isEcr ? "ecr" : "sts");
    var region = Regex.Match(context.Request.Headers.Authorization.ToString(), "Credential=[^/]+/[0-9]+/([^/]+)/").Groups[1].Value;
    log.Enqueue(new JsonObject { ["service"] = isEcr ? "ecr" : "sts", ["operation"] = operation, ["accessKey"] = key?.AccessKeyId, ["error"] = code, ["region"] = region });
    var requestId = Guid.NewGuid().ToString();
    context.Response.Headers["x-amzn-RequestId"] = requestId;
    if (isEcr)
    {
        if (key is null)
        {
            return Ecr.Error(code!, message!, code is "AccessDeniedException" ? 403 : 400);
        }

        if (context.Request.ContentType != "application/x-amz-json-1.1")
        {
            return Ecr.Error("SerializationException", "Content-Type must be application/x-amz-json-1.1", 400);
        }

        JsonObject request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return Ecr.Error("SerializationException", "The request body is not JSON.", 400);
        }

        return ecr.Handle(operation, request, key.Account, region);
    }

    if (key is null)
    {
        var (status, stsCode) = code switch
        {
            "UnrecognizedClientException" => (403, "InvalidClientTokenId"),
            "InvalidSignatureException" => (403, "SignatureDoesNotMatch"),
            "ExpiredTokenException" => (400, "ExpiredToken"),
            _ => (400, code!),
        };
        return Results.Text(
            $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{stsCode}</Code><Message>{message}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>",
            "text/xml", Encoding.UTF8, status);
    }

    if (operation != "GetCallerIdentity")
    {
        return Results.Text($"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>{operation} is not served here</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>", "text/xml", Encoding.UTF8, 400);
    }

    var kind = key.SessionToken is null ? "user" : "assumed-role";
    return Results.Text(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>" +
        $"<Arn>arn:aws:{(kind == "user" ? "iam" : "sts")}::{key.Account}:{kind}/{key.UserName}</Arn><UserId>AIDA{key.AccessKeyId[4..]}</UserId><Account>{key.Account}</Account>" +
        $"</GetCallerIdentityResult><ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
        "text/xml", Encoding.UTF8);
});

await app.StartAsync();
Console.WriteLine($"URL {app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;

static Dictionary<string, string> ParseForm(string text) => text.Split('&', StringSplitOptions.RemoveEmptyEntries)
    .Select(p => p.Split('=', 2))
    .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty);

namespace AwsStandIn
{
    /// <summary>ECR repositories in memory, answered with the API's shapes (botocore's service-2.json) and errors.</summary>
    internal sealed partial class Ecr
    {
        public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

        private readonly ConcurrentDictionary<string, Repository> repositories = new(StringComparer.Ordinal);

        public string Password { get; } = "eyJwYXlsb2FkIjoi" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) + "+/=";

        public bool AddImages(string name, int count)
        {
            if (!repositories.TryGetValue(name, out var repository))
            {
                return false;
            }

            repository.Images += count;
            return true;
        }

        public IResult Handle(string operation, JsonObject request, string account, string region) => operation switch
        {
            "CreateRepository" => Create(request, account, region),
            "DescribeRepositories" => Describe(request, account, region),
            "DeleteRepository" => Delete(request, account, region),
            "GetAuthorizationToken" => Results.Content(new JsonObject
            {
                ["authorizationData"] = new JsonArray(new JsonObject
                {
                    ["authorizationToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + Password)),
                    ["expiresAt"] = Epoch(DateTimeOffset.UtcNow.AddHours(12)),
                    ["proxyEndpoint"] = $"https://{account}.dkr.ecr.{region}.amazonaws.com",
                }),
            }.ToJsonString(), "application/x-amz-json-1.1"),
            _ => Error("UnknownOperationException", $"{operation} is not served by this stand-in", 400),
        };

        public static IResult Error(string code, string message, int status) =>
            Results.Content(new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString(), "application/x-amz-json-1.1", Encoding.UTF8, status);

        private IResult Create(JsonObject request, string account, string region)
        {
            var name = request["repositoryName"]?.GetValue<string>();
            if (name is null || name.Length is < 2 or > 256 || !NamePattern().IsMatch(name))
            {
                return Error("InvalidParameterException", $"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''", 400);
            }

            var repository = new Repository(name, DateTimeOffset.UtcNow,
                request["imageScanningConfiguration"]?["scanOnPush"]?.GetValue<bool>() ?? false,
                request["imageTagMutability"]?.GetValue<string>() ?? "MUTABLE");
            if (!repositories.TryAdd(name, repository))
            {
                return Error("RepositoryAlreadyExistsException", $"The repository with name '{name}' already exists in the registry with id '{account}'", 400);
            }

            return Ok(new JsonObject { ["repository"] = Shape(repository, account, region) });
        }

        private IResult Describe(JsonObject request, string account, string region)
        {
            var names = request["repositoryNames"]?.AsArray().Select(n => n!.GetValue<string>()).ToList();
            if (names is not null)
            {
                var missing = names.FirstOrDefault(n => !repositories.ContainsKey(n));
                if (missing is not null)
                {
                    return Error("RepositoryNotFoundException", $"The repository with name '{missing}' does not exist in the registry with id '{account}'", 400);
                }
            }

            // Pages of two, so clients must follow nextToken.
            var all = (names ?? repositories.Keys.Order(StringComparer.Ordinal).ToList()).ToList();
            var start = request["nextToken"]?.GetValue<string>() is { } token ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
            var page = all.Skip(start).Take(2).ToList();
            var answer = new JsonObject { ["repositories"] = new JsonArray(page.Select(n => (JsonNode)Shape(repositories[n], account, region)).ToArray()) };
            if (start + 2 < all.Count)
            {
                answer["nextToken"] = (start + 2).ToString(CultureInfo.InvariantCulture);
            }

            return Ok(answer);
        }

        private IResult Delete(JsonObject request, string account, string region)
        {
            var name = request["repositoryName"]?.GetValue<string>() ?? string.Empty;
            if (!repositories.TryGetValue(name, out var repository))
            {
                return Error("RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{account}'", 400);
            }

            if (repository.Images > 0 && request["force"]?.GetValue<bool>() != true)
            {
                return Error("RepositoryNotEmptyException", $"The repository with name '{name}' in registry with id '{account}' cannot be deleted because it still contains images", 400);
            }

            repositories.TryRemove(name, out _);
            return Ok(new JsonObject { ["repository"] = Shape(repository, account, region) });
        }

        private static IResult Ok(JsonObject answer) => Results.Content(answer.ToJsonString(), "application/x-amz-json-1.1");

        private static JsonObject Shape(Repository r, string account, string region) => new()
        {
            ["repositoryArn"] = $"arn:aws:ecr:{region}:{account}:repository/{r.Name}",
            ["registryId"] = account,
            ["repositoryName"] = r.Name,
            ["repositoryUri"] = $"{account}.dkr.ecr.{region}.amazonaws.com/{r.Name}",
            ["createdAt"] = Epoch(r.CreatedAt),
            ["imageTagMutability"] = r.Mutability,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = r.ScanOnPush },
            ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = "AES256" },
        };

        private static double Epoch(DateTimeOffset time) => Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3);

        [GeneratedRegex(@"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")]
        private static partial Regex NamePattern();

        private sealed class Repository(string name, DateTimeOffset createdAt, bool scanOnPush, string mutability)
        {
            public string Name { get; } = name;

            public DateTimeOffset CreatedAt { get; } = createdAt;

            public bool ScanOnPush { get; } = scanOnPush;

            public string Mutability { get; } = mutability;

            public int Images { get; set; }
        }
    }
}
