using System;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using GuestbookLab.Model;

namespace GuestbookLab.Engine.Aws;

/// <summary>An ECR authorization token: the registry's password (a SecureString) and where and until when it works.</summary>
public sealed record EcrAuthorization(SecureString Password, string UserName, string ProxyEndpoint, DateTimeOffset ExpiresAt);

/// <summary>
/// Amazon ECR over its JSON 1.1 API (AWSSDK.ECR is not available): POST / with X-Amz-Target, signed with AWSSDK.Core's
/// SigV4 signer. The operations the codelab uses: CreateRepository, DescribeRepositories, DeleteRepository and
/// GetAuthorizationToken. Errors become <see cref="AwsRequestException"/> with the service's error code.
/// </summary>
public sealed class EcrClient : IDisposable
{
    private const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    private const string ContentType = "application/x-amz-json-1.1";
    private const int Attempts = 4;

    private readonly AwsSession session;
    private readonly HttpClient http;
    private readonly Uri endpoint;

    public EcrClient(AwsSession session, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        this.session = session;
        http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.Timeout = TimeSpan.FromSeconds(60);
        endpoint = session.Endpoint ?? new Uri($"https://api.ecr.{session.Region}.amazonaws.com/");
    }

    public void Dispose() => http.Dispose();

    /// <summary>Creates a repository; one that already exists is returned as it is (<c>Created</c> false).</summary>
    public (LabRegistry Registry, bool Created) Create(string name, bool scanOnPush, string imageTagMutability, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["repositoryName"] = name,
            ["imageTagMutability"] = imageTagMutability,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = scanOnPush },
        };
        try
        {
            using var created = Call("CreateRepository", body, cancellationToken);
            return (Read(created.RootElement.GetProperty("repository")), true);
        }
        catch (AwsRequestException ex) when (ex.Code == "RepositoryAlreadyExistsException")
        {
            return (Describe([name], cancellationToken).Single(), false);
        }
    }

    /// <summary>The named repositories (RepositoryNotFoundException when one is missing), or every repository.</summary>
    public IReadOnlyList<LabRegistry> Describe(IReadOnlyCollection<string>? names, CancellationToken cancellationToken)
    {
        var found = new List<LabRegistry>();
        string? next = null;
        do
        {
            var body = new JsonObject();
            if (names is { Count: > 0 })
            {
                body["repositoryNames"] = new JsonArray(names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
            }

            if (next is not null)
            {
                body["nextToken"] = next;
            }

            using var page = Call("DescribeRepositories", body, cancellationToken);
            found.AddRange(page.RootElement.GetProperty("repositories").EnumerateArray().Select(Read));
            next = page.RootElement.TryGetProperty("nextToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        }
        while (next is not null);
        return found;
    }

    /// <summary>Deletes a repository (with its images when <paramref name="force"/>); null when it was not there.</summary>
    public LabRegistry? Delete(string name, bool force, CancellationToken cancellationToken)
    {
        try
        {
            using var deleted = Call("DeleteRepository", new JsonObject { ["repositoryName"] = name, ["force"] = force }, cancellationToken);
            return Read(deleted.RootElement.GetProperty("repository"));
        }
        catch (AwsRequestException ex) when (ex.Code == "RepositoryNotFoundException")
        {
            return null;
        }
    }

    /// <summary>A registry password valid for 12 hours (what aws ecr get-login-password prints).</summary>
    public EcrAuthorization GetAuthorizationToken(CancellationToken cancellationToken)
    {
        using var answer = Call("GetAuthorizationToken", new JsonObject(), cancellationToken);
        var data = answer.RootElement.GetProperty("authorizationData")[0];
        var token = data.GetProperty("authorizationToken").GetString() ?? string.Empty;
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return new EcrAuthorization(
            SecureText.Protect(decoded.AsSpan(colon + 1)),
            colon > 0 ? decoded[..colon] : "AWS",
            data.GetProperty("proxyEndpoint").GetString() ?? string.Empty,
            Epoch(data.GetProperty("expiresAt")) ?? DateTimeOffset.UtcNow.AddHours(12));
    }

    private LabRegistry Read(JsonElement repository) => new(
        repository.GetProperty("repositoryName").GetString()!,
        repository.TryGetProperty("repositoryUri", out var uri) ? uri.GetString() ?? string.Empty : string.Empty,
        repository.TryGetProperty("repositoryArn", out var arn) ? arn.GetString() ?? string.Empty : string.Empty,
        repository.TryGetProperty("registryId", out var id) ? id.GetString() ?? string.Empty : string.Empty,
        repository.TryGetProperty("createdAt", out var created) ? Epoch(created) : null,
        repository.TryGetProperty("imageScanningConfiguration", out var scan) && scan.TryGetProperty("scanOnPush", out var onPush) && onPush.GetBoolean(),
        repository.TryGetProperty("imageTagMutability", out var mutability) ? mutability.GetString() : null,
        session.Region);

    private static DateTimeOffset? Epoch(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetDouble() * 1000))
        : null;

    // One call: signed, sent, retried on throttling, 5xx and connection failures; errors parsed as botocore does.
    private JsonDocument Call(string operation, JsonObject body, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var message = Sign(operation, payload);
                using var response = http.Send(message, cancellationToken);
                var text = response.Content.ReadAsStringAsync(cancellationToken).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return JsonDocument.Parse(text.Length == 0 ? "{}" : text);
                }

                var error = Error(operation, (int)response.StatusCode, text, response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null);
                if (attempt >= Attempts || !Retryable(error))
                {
                    throw error;
                }
            }
            catch (HttpRequestException) when (attempt < Attempts)
            {
            }
            catch (HttpRequestException ex)
            {
                throw new AwsRequestException("EndpointUnreachable", 0, $"ECR {operation}: {endpoint} could not be reached: {ex.Message}", null, ex);
            }

            Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1)), cancellationToken).GetAwaiter().GetResult();
        }
    }

    private static bool Retryable(AwsRequestException error) =>
        error.Status >= 500 || error.Code is "ThrottlingException" or "TooManyRequestsException" or "RequestLimitExceeded";

    // botocore's _do_error_parse: __type, cut at ':' and after the last '#'; message or Message.
    private static AwsRequestException Error(string operation, int status, string text, string? requestId)
    {
        string code = status.ToString(CultureInfo.InvariantCulture);
        var message = text;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("__type", out var type) && type.GetString() is { } t)
            {
                code = t.Split(':')[0];
                code = code[(code.LastIndexOf('#') + 1)..];
            }

            if (doc.RootElement.TryGetProperty("message", out var m) || doc.RootElement.TryGetProperty("Message", out m))
            {
                message = m.GetString() ?? message;
            }
        }
        catch (JsonException)
        {
        }

        return new AwsRequestException(code, status, $"ECR {operation}: {code}: {message}", requestId);
    }

    // The request as AWSSDK.Core's SigV4 signer signs it; its headers (Authorization, X-Amz-Date, token) are copied over.
    private HttpRequestMessage Sign(string operation, byte[] payload)
    {
        var request = new DefaultRequest(new EcrRequest(), "ECR")
        {
            HttpMethod = "POST",
            Endpoint = endpoint,
            ResourcePath = "/",
            Content = payload,
            AuthenticationRegion = session.Region,
            OverrideSigningServiceName = "ecr",
        };
        request.Headers["Content-Type"] = ContentType;
        request.Headers["X-Amz-Target"] = TargetPrefix + operation;
        var credentials = session.Credentials.GetCredentials();
        if (credentials.UseToken)
        {
            // Session credentials: the token travels in a signed header.
            request.Headers["X-Amz-Security-Token"] = credentials.Token;
        }

        new AWS4Signer().Sign(request, SigningConfig(), null, session.Credentials);

        var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(payload) };
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", value);
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    // The signer reads the signing region and service name from a client configuration; any service's will do.
    private Amazon.SecurityToken.AmazonSecurityTokenServiceConfig SigningConfig() => new()
    {
        AuthenticationRegion = session.Region,
        AuthenticationServiceName = "ecr",
    };

    private sealed class EcrRequest : AmazonWebServiceRequest
    {
    }
}
