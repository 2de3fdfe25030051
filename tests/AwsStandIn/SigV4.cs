using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace AwsStandIn;

/// <summary>An access key the stand-in knows: its secret, account, and the session token it needs (if any).</summary>
internal sealed record KnownKey(string AccessKeyId, string Secret, string Account, string UserName, string? SessionToken, bool Expired);

/// <summary>
/// Checks an AWS Signature Version 4 Authorization header, computed here from the specification
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), not with any SDK's signer.
/// </summary>
internal static partial class SigV4
{
    public static readonly KnownKey[] Keys =
    [
        new("LABKEYGUESTBOOK0001", "guestbooklab/Secret+Key/0001", "111122223333", "lab-user", null, false),
        new("LABSESSIONGUEST0002", "guestbooklab/Session+Secret/0002", "111122223333", "lab-session", "session-token-0002", false),
        new("LABEXPIREDGUEST0003", "guestbooklab/Expired+Secret/0003", "111122223333", "lab-expired", "expired-token-0003", true),
    ];

    /// <summary>The key that signed the request, or the error code and message AWS would answer with.</summary>
    public static (KnownKey? Key, string? Code, string? Message) Verify(HttpRequest request, byte[] body, string service)
    {
        var header = request.Headers.Authorization.ToString();
        var match = AuthorizationPattern().Match(header);
        if (!match.Success)
        {
            return (null, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var (accessKey, date, region, scopeService) = (match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["service"].Value);
        var signedHeaders = match.Groups["headers"].Value.Split(';');
        var key = Keys.FirstOrDefault(k => k.AccessKeyId == accessKey);
        if (key is null)
        {
            return (null, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (scopeService != service)
        {
            return (null, "InvalidSignatureException", $"Credential should be scoped to correct service: '{service}'.");
        }

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt)
            || !amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            return (null, "IncompleteSignature", "x-amz-date is missing or does not match the credential scope's date.");
        }

        if (Math.Abs((DateTime.UtcNow - signedAt).TotalMinutes) > 15)
        {
            return (null, "InvalidSignatureException", "Signature expired: the request time is more than 15 minutes from now.");
        }

        foreach (var required in new[] { "host", "x-amz-date" })
        {
            if (!signedHeaders.Contains(required))
            {
                return (null, "IncompleteSignature", $"'{required}' must be a signed header.");
            }
        }

        var token = request.Headers["x-amz-security-token"].ToString();
        if (key.SessionToken is not null && token != key.SessionToken)
        {
            return (null, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (token.Length > 0 && !signedHeaders.Contains("x-amz-security-token"))
        {
            return (null, "IncompleteSignature", "'x-amz-security-token' must be a signed header.");
        }

        var canonical = CanonicalRequest(
            request.Method,
            CanonicalUri(request.Path.Value ?? "/"),
            CanonicalQuery(request.QueryString.Value),
            signedHeaders.Select(h => (h, HeaderValue(request, h))),
            body);
        var expected = Signature(key.Secret, date, region, service, amzDate, canonical);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(match.Groups["signature"].Value)))
        {
            return (null, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        return key.Expired ? (null, "ExpiredTokenException", "The security token included in the request is expired") : (key, null, null);
    }

    /// <summary>The canonical request: method, URI, query, the signed headers (lower-case, in order) and the payload hash.</summary>
    public static string CanonicalRequest(string method, string uri, string query, IEnumerable<(string Name, string Value)> headers, byte[] body)
    {
        var signed = headers.ToList();
        return string.Join('\n',
            method,
            uri,
            query,
            string.Concat(signed.Select(h => h.Name + ":" + h.Value + "\n")),
            string.Join(';', signed.Select(h => h.Name)),
            Hex(SHA256.HashData(body)));
    }

    /// <summary>The signature of a canonical request: the string to sign, HMAC-ed with the key derived from the secret.</summary>
    public static string Signature(string secret, string date, string region, string service, string amzDate, string canonicalRequest)
    {
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), region), service), "aws4_request");
        return Hex(Hmac(signingKey, toSign));
    }

    /// <summary>AWS's published test vector get-vanilla (aws-sig-v4-test-suite): true when this implementation signs it as AWS does.</summary>
    public static bool SelfTest(out string signature)
    {
        var canonical = CanonicalRequest("GET", CanonicalUri("/"), CanonicalQuery(null),
            [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")], []);
        signature = Signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service", "20150830T123600Z", canonical);
        return signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    }

    private static string HeaderValue(HttpRequest request, string name)
    {
        if (name == "host")
        {
            return request.Host.Value ?? string.Empty;
        }

        if (name == "content-length")
        {
            return request.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "0";
        }

        return string.Join(',', request.Headers[name].Select(v => Spaces().Replace((v ?? string.Empty).Trim(), " ")));
    }

    // Each path segment URI-encoded twice for services other than S3 (the path is already encoded once on the wire).
    private static string CanonicalUri(string path) =>
        path.Length == 0 ? "/" : string.Join('/', path.Split('/').Select(s => Encode(Encode(Uri.UnescapeDataString(s)))));

    private static string CanonicalQuery(string? query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return string.Empty;
        }

        return string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
    }

    // RFC 3986: unreserved characters as they are, everything else %XX (upper case).
    private static string Encode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, ?SignedHeaders=(?<headers>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();
}
