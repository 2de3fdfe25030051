using System.Collections.Generic;

namespace GuestbookLab.Model;

// Typed models of security.istio.io (v1beta1; v1 reads into the same types).

public sealed class PeerAuthentication : LabResource<PeerAuthenticationSpec>
{
    public const string KindName = "PeerAuthentication";

    public PeerAuthentication()
        : base(ResourceKinds.SecurityV1Beta1, KindName)
    {
    }
}

public sealed class PeerAuthenticationSpec : ApiObject
{
    [ApiField("selector")] public WorkloadSelector? Selector { get; set; }

    [ApiField("mtls")] public MutualTls? Mtls { get; set; }

    /// <summary>Port number (as text) to the mTLS mode of that port; workload-level policies only.</summary>
    [ApiField("portLevelMtls")] public Dictionary<string, MutualTls>? PortLevelMtls { get; set; }
}

public sealed class MutualTls : ApiObject
{
    [ApiField("mode")] public string? Mode { get; set; }
}

public sealed class AuthorizationPolicy : LabResource<AuthorizationPolicySpec>
{
    public const string KindName = "AuthorizationPolicy";

    public AuthorizationPolicy()
        : base(ResourceKinds.SecurityV1Beta1, KindName)
    {
    }
}

public sealed class AuthorizationPolicySpec : ApiObject
{
    [ApiField("selector")] public WorkloadSelector? Selector { get; set; }

    [ApiField("rules")] public List<AuthorizationRule>? Rules { get; set; }

    [ApiField("action")] public string? Action { get; set; }

    [ApiField("provider")] public ExtensionProvider? Provider { get; set; }
}

public sealed class ExtensionProvider : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }
}

/// <summary>One rule: its from, to and when are ANDed; the rules of a policy are ORed.</summary>
public sealed class AuthorizationRule : ApiObject
{
    [ApiField("from")] public List<RuleFrom>? From { get; set; }

    [ApiField("to")] public List<RuleTo>? To { get; set; }

    [ApiField("when")] public List<Condition>? When { get; set; }
}

public sealed class RuleFrom : ApiObject
{
    [ApiField("source")] public Source? Source { get; set; }
}

public sealed class RuleTo : ApiObject
{
    [ApiField("operation")] public Operation? Operation { get; set; }
}

public sealed class Source : ApiObject
{
    [ApiField("principals")] public List<string>? Principals { get; set; }

    [ApiField("notPrincipals")] public List<string>? NotPrincipals { get; set; }

    [ApiField("requestPrincipals")] public List<string>? RequestPrincipals { get; set; }

    [ApiField("notRequestPrincipals")] public List<string>? NotRequestPrincipals { get; set; }

    [ApiField("namespaces")] public List<string>? Namespaces { get; set; }

    [ApiField("notNamespaces")] public List<string>? NotNamespaces { get; set; }

    [ApiField("ipBlocks")] public List<string>? IpBlocks { get; set; }

    [ApiField("notIpBlocks")] public List<string>? NotIpBlocks { get; set; }

    [ApiField("remoteIpBlocks")] public List<string>? RemoteIpBlocks { get; set; }

    [ApiField("notRemoteIpBlocks")] public List<string>? NotRemoteIpBlocks { get; set; }
}

public sealed class Operation : ApiObject
{
    [ApiField("hosts")] public List<string>? Hosts { get; set; }

    [ApiField("notHosts")] public List<string>? NotHosts { get; set; }

    [ApiField("ports")] public List<string>? Ports { get; set; }

    [ApiField("notPorts")] public List<string>? NotPorts { get; set; }

    [ApiField("methods")] public List<string>? Methods { get; set; }

    [ApiField("notMethods")] public List<string>? NotMethods { get; set; }

    [ApiField("paths")] public List<string>? Paths { get; set; }

    [ApiField("notPaths")] public List<string>? NotPaths { get; set; }
}

public sealed class Condition : ApiObject
{
    [ApiField("key")] public string? Key { get; set; }

    [ApiField("values")] public List<string>? Values { get; set; }

    [ApiField("notValues")] public List<string>? NotValues { get; set; }
}

public sealed class RequestAuthentication : LabResource<RequestAuthenticationSpec>
{
    public const string KindName = "RequestAuthentication";

    public RequestAuthentication()
        : base(ResourceKinds.SecurityV1Beta1, KindName)
    {
    }
}

public sealed class RequestAuthenticationSpec : ApiObject
{
    [ApiField("selector")] public WorkloadSelector? Selector { get; set; }

    [ApiField("jwtRules")] public List<JwtRule>? JwtRules { get; set; }
}

public sealed class JwtRule : ApiObject
{
    [ApiField("issuer")] public string? Issuer { get; set; }

    [ApiField("audiences")] public List<string>? Audiences { get; set; }

    [ApiField("jwksUri")] public string? JwksUri { get; set; }

    [ApiField("jwks")] public string? Jwks { get; set; }

    [ApiField("fromHeaders")] public List<JwtHeader>? FromHeaders { get; set; }

    [ApiField("fromParams")] public List<string>? FromParams { get; set; }

    [ApiField("outputPayloadToHeader")] public string? OutputPayloadToHeader { get; set; }

    [ApiField("forwardOriginalToken")] public bool? ForwardOriginalToken { get; set; }

    [ApiField("outputClaimToHeaders")] public List<ClaimToHeader>? OutputClaimToHeaders { get; set; }
}

public sealed class JwtHeader : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("prefix")] public string? Prefix { get; set; }
}

public sealed class ClaimToHeader : ApiObject
{
    [ApiField("header")] public string? Header { get; set; }

    [ApiField("claim")] public string? Claim { get; set; }
}
