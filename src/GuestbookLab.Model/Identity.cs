using System;
using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>A workload's mesh identity: the SPIFFE ID in its certificate and the principal policies match.</summary>
public sealed class WorkloadIdentity
{
    public WorkloadIdentity(string serviceAccount, string @namespace, string trustDomain)
    {
        ServiceAccount = serviceAccount;
        Namespace = @namespace;
        TrustDomain = trustDomain;
    }

    public string ServiceAccount { get; }

    public string Namespace { get; }

    public string TrustDomain { get; }

    /// <summary>The form AuthorizationPolicy principals use: <c>cluster.local/ns/default/sa/message-sa</c>.</summary>
    public string Principal => $"{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    /// <summary>The URI SAN of the workload certificate: <c>spiffe://cluster.local/ns/default/sa/message-sa</c>.</summary>
    public string SpiffeId => $"spiffe://{Principal}";

    public override string ToString() => SpiffeId;
}

/// <summary>What a JWT says about its bearer, decoded without verifying the signature.</summary>
public sealed class JwtPrincipal
{
    public string? Issuer { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string> Audiences { get; init; } = [];

    public DateTimeOffset? Expires { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? IssuedAt { get; init; }

    public string? Algorithm { get; init; }

    public string? KeyId { get; init; }

    /// <summary>Every claim of the payload, with its JSON type (numbers, lists, objects).</summary>
    public IReadOnlyDictionary<string, object?> Claims { get; init; } = new Dictionary<string, object?>();

    /// <summary>What Istio sets as request.auth.principal: <c>iss/sub</c>.</summary>
    public string? RequestPrincipal => Issuer is null || Subject is null ? null : $"{Issuer}/{Subject}";

    public bool IsExpired => Expires is { } expires && expires <= DateTimeOffset.UtcNow;

    public override string ToString() => RequestPrincipal ?? Subject ?? Issuer ?? "(no issuer or subject)";
}
