using System;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Decodes a JWT (without trusting it) and tells the request principal an AuthorizationPolicy would match.</summary>
/// <remarks>
/// Reads the token with Microsoft.IdentityModel.JsonWebTokens and returns its issuer, subject, audiences, expiry,
/// every claim (with its JSON type) and the RequestPrincipal 'iss/sub' that Istio sets once a RequestAuthentication
/// has verified the token. The signature is not checked: use this to write policies, not to trust a token. The token
/// itself is never written to any output or error. A leading 'Bearer ' is ignored.
/// </remarks>
/// <example>
/// <code>$token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkRIRmJwb0lVcXJZOHQyenBBMnFYZkNtcjVWTzVaRXI0UnpIVV8tZW52dlEiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjQ2ODU5ODk3MDAsImZvbyI6ImJhciIsImlhdCI6MTUzMjM4OTcwMCwiaXNzIjoidGVzdGluZ0BzZWN1cmUuaXN0aW8uaW8iLCJzdWIiOiJ0ZXN0aW5nQHNlY3VyZS5pc3Rpby5pbyJ9.CfNnxWP2tcnR9q0vxyxweaF3ovQYHYZl82hAUsn21bwQd9zP7c-LS9qd_vpdLG4Tn1A15NxfCjp5f7QNBUo-KC9PJqYpgGbaXhaGx7bEdFWjcwv3nZzvc7M__ZpaCERdwU7igUmJqYGBYQ51vr2njU9ZimyKkfDe3axcyiBZde7G6dabliUosJvvKOPcKIWPccCgefSj_GNfwIip3-SsFdlR7BtbVUcqR-yv-XOxJ3Uc1MI0tz3uMiiZcyPV7sNCU4KRnemRIMHVOfuvHsU60_GhGbiSFzgPTAa9WTltbnarTbxudb_YEOx12JiwYToeX0DCPb43W1tzIBxgm8NxUg'
/// Get-MeshJwtPrincipal -Token $token | Select-Object Issuer, Subject, Expires, RequestPrincipal</code>
/// <para>The codelab's demo token: issuer and subject testing@secure.istio.io, so the request principal is testing@secure.istio.io/testing@secure.istio.io.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MeshJwtPrincipal")]
[OutputType(typeof(JwtPrincipal))]
public sealed class GetMeshJwtPrincipalCommand : LabCmdlet
{
    /// <summary>The token (compact JWS: three base64url parts), with or without 'Bearer '.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public string Token { get; set; } = null!;

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(JwtDecoder.Decode(Token));
        }
        catch (FormatException ex)
        {
            // The message describes the problem, never the token.
            WriteError(Errors.LabErrors.Create(ErrorIds.InvalidToken, Errors.Messages.ForParameter("-Token", ex.Message), null));
        }
    }
}
