using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GuestbookLab.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GuestbookLab.Engine;

/// <summary>Reads a JWT with Microsoft.IdentityModel.JsonWebTokens, without trusting it (no signature check).</summary>
public static class JwtDecoder
{
    /// <summary>Decodes a compact JWS. The error never contains the token itself.</summary>
    public static JwtPrincipal Decode(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var text = token.Trim();
        if (text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..].Trim();
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebTokenHandler().ReadJsonWebToken(text);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"The token is not a JWT: {Describe(ex)}", ex);
        }

        Dictionary<string, object?> claims;
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload));
            claims = JsonTree.Mapping(payload.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            throw new FormatException("The token's payload is not a JSON object.", ex);
        }

        return new JwtPrincipal
        {
            Issuer = claims.GetValueOrDefault("iss") as string,
            Subject = claims.GetValueOrDefault("sub") as string,
            Audiences = jwt.Audiences.ToList(),
            Expires = Time(claims, "exp"),
            NotBefore = Time(claims, "nbf"),
            IssuedAt = Time(claims, "iat"),
            Algorithm = jwt.Alg,
            KeyId = string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid,
            Claims = claims,
        };
    }

    // The library's messages can quote the token; keep only their IDX code.
    private static string Describe(ArgumentException ex) =>
        ex.Message.StartsWith("IDX", StringComparison.Ordinal) ? $"{ex.Message.Split(':')[0]} (it needs three base64url parts separated by dots)" : "it needs three base64url parts separated by dots";

    private static DateTimeOffset? Time(Dictionary<string, object?> claims, string name) => claims.GetValueOrDefault(name) switch
    {
        long seconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
        double seconds => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)),
        _ => null,
    };

}
