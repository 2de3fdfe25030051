using System;
using System.Collections.Generic;
using GuestbookLab.Engine;

namespace GuestbookLab.Tests;

public class JwtDecoderTests
{
    // Istio's demo token (security/tools/jwt/samples/demo.jwt), the one the codelab uses.
    internal const string DemoToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkRIRmJwb0lVcXJZOHQyenBBMnFYZkNtcjVWTzVaRXI0UnpIVV8tZW52dlEiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjQ2ODU5ODk3MDAsImZvbyI6ImJhciIsImlhdCI6MTUzMjM4OTcwMCwiaXNzIjoidGVzdGluZ0BzZWN1cmUuaXN0aW8uaW8iLCJzdWIiOiJ0ZXN0aW5nQHNlY3VyZS5pc3Rpby5pbyJ9.CfNnxWP2tcnR9q0vxyxweaF3ovQYHYZl82hAUsn21bwQd9zP7c-LS9qd_vpdLG4Tn1A15NxfCjp5f7QNBUo-KC9PJqYpgGbaXhaGx7bEdFWjcwv3nZzvc7M__ZpaCERdwU7igUmJqYGBYQ51vr2njU9ZimyKkfDe3axcyiBZde7G6dabliUosJvvKOPcKIWPccCgefSj_GNfwIip3-SsFdlR7BtbVUcqR-yv-XOxJ3Uc1MI0tz3uMiiZcyPV7sNCU4KRnemRIMHVOfuvHsU60_GhGbiSFzgPTAa9WTltbnarTbxudb_YEOx12JiwYToeX0DCPb43W1tzIBxgm8NxUg";

    [Fact]
    public void The_codelab_token_gives_its_request_principal()
    {
        var principal = JwtDecoder.Decode(DemoToken);
        Assert.Equal("testing@secure.istio.io", principal.Issuer);
        Assert.Equal("testing@secure.istio.io", principal.Subject);
        Assert.Equal("testing@secure.istio.io/testing@secure.istio.io", principal.RequestPrincipal);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(4685989700), principal.Expires);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1532389700), principal.IssuedAt);
        Assert.Equal("RS256", principal.Algorithm);
        Assert.False(principal.IsExpired);
        Assert.Equal("bar", principal.Claims["foo"]);
        Assert.Equal(4685989700L, Assert.IsType<long>(principal.Claims["exp"]));
    }

    [Fact]
    public void A_bearer_prefix_is_ignored() =>
        Assert.Equal("testing@secure.istio.io", JwtDecoder.Decode("Bearer " + DemoToken).Issuer);

    [Fact]
    public void Audiences_and_nested_claims_keep_their_types()
    {
        // {"alg":"none"} . {"iss":"i","sub":"s","aud":["a","b"],"groups":["g1"],"nested":{"k":1.5},"exp":1}
        var token = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJpIiwic3ViIjoicyIsImF1ZCI6WyJhIiwiYiJdLCJncm91cHMiOlsiZzEiXSwibmVzdGVkIjp7ImsiOjEuNX0sImV4cCI6MX0.";
        var principal = JwtDecoder.Decode(token);
        Assert.Equal(["a", "b"], principal.Audiences);
        Assert.Equal(["g1"], Assert.IsType<List<object?>>(principal.Claims["groups"]));
        Assert.Equal(1.5, Assert.IsType<Dictionary<string, object?>>(principal.Claims["nested"])["k"]);
        Assert.True(principal.IsExpired);
    }

    [Theory]
    [InlineData("invalidToken")]
    [InlineData("a.b")]
    [InlineData("e30.bm90LWpzb24.")]
    public void Bad_tokens_fail_without_echoing_the_token(string token)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => JwtDecoder.Decode(token));
        Assert.DoesNotContain(token, ex.Message, StringComparison.Ordinal);
    }
}
