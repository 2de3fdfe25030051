using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>The security builders and Test-MeshRequest's request builder and sampler.</summary>
public class SecurityBuilderTests
{
    private static ValidationIssue Single(ValidationResult result, string errorId)
    {
        var issue = Assert.Single(result.Errors);
        Assert.Equal(errorId, issue.ErrorId);
        return issue;
    }

    [Fact]
    public void Authorization_rule_values_are_reported_under_the_singular_parameters()
    {
        var port = Single(AuthorizationRuleBuilder.Validate(new AuthorizationRuleOptions { Ports = ["http"] }), ErrorIds.InvalidPort);
        Assert.Equal("Ports[0]", port.Field);
        Assert.Equal("-Port[0]", port.Parameter);
        Assert.Equal("-IpBlock[0]", Single(AuthorizationRuleBuilder.Validate(new AuthorizationRuleOptions { IpBlocks = ["10.0.0.300"] }), ErrorIds.InvalidIpBlock).Parameter);
        Assert.Equal("-Method[0]", Single(AuthorizationRuleBuilder.Validate(new AuthorizationRuleOptions { Methods = [string.Empty] }), ErrorIds.InvalidRule).Parameter);
        Assert.Equal("-Namespaces", Single(AuthorizationRuleBuilder.Validate(new AuthorizationRuleOptions { Namespaces = [] }), ErrorIds.InvalidRule).Parameter);
        Assert.Equal("When[bad]", Single(AuthorizationRuleBuilder.Validate(new AuthorizationRuleOptions { When = [KeyValuePair.Create("bad", (IReadOnlyList<string>)["x"])] }), ErrorIds.InvalidCondition).Field);
    }

    [Fact]
    public void An_authorization_rule_has_from_to_and_when_as_given()
    {
        var rule = AuthorizationRuleBuilder.Build(new AuthorizationRuleOptions
        {
            Principals = ["cluster.local/ns/default/sa/ui-sa"],
            Methods = ["GET", "POST"],
            Ports = ["8080"],
            When = [KeyValuePair.Create("request.headers[x-env]", (IReadOnlyList<string>)["prod", "test"])],
        });
        Assert.Equal(["cluster.local/ns/default/sa/ui-sa"], rule.From![0].Source!.Principals!);
        Assert.Null(rule.From[0].Source!.Namespaces);
        Assert.Equal(["8080"], rule.To![0].Operation!.Ports!);
        Assert.Equal(["prod", "test"], rule.When![0].Values!);
        Assert.True(new AuthorizationRuleOptions().IsEmpty);
        Assert.False(new AuthorizationRuleOptions { Hosts = ["a"] }.IsEmpty);
    }

    [Fact]
    public void An_authorization_policy_without_rule_parameters_is_deny_all()
    {
        var policy = AuthorizationPolicyBuilder.Build(new AuthorizationPolicyOptions { Name = "deny-all", Namespace = "default" });
        Assert.Null(policy.Spec.Rules);
        Assert.Null(policy.Spec.Action);
        Assert.Equal("Action", Single(AuthorizationPolicyBuilder.Validate(new AuthorizationPolicyOptions { Name = "p", Action = "permit" }), ErrorIds.InvalidAction).Field);
        Assert.Equal("-Principal[0]", Single(AuthorizationPolicyBuilder.Validate(new AuthorizationPolicyOptions { Name = "p", Rule = new() { Principals = [string.Empty] } }), ErrorIds.InvalidRule).Parameter);
    }

    [Fact]
    public void A_jwt_rule_is_checked_by_the_validators_rule_and_reported_under_the_parameters()
    {
        var issuer = Single(JwtRuleBuilder.Validate(new JwtRuleOptions { Issuer = string.Empty, JwksUri = "https://example.com/jwks" }), ErrorIds.InvalidJwtRule);
        Assert.Equal("issuer", issuer.Field);
        Assert.Equal("-Issuer", issuer.Parameter);
        Assert.Equal("-JwksUri", JwtRuleBuilder.Validate(new JwtRuleOptions { Issuer = "i", JwksUri = "ftp://x" }).Errors.First().Parameter);
        Assert.Equal("-Audience[0]", JwtRuleBuilder.Validate(new JwtRuleOptions { Issuer = "i", JwksUri = "https://x/j", Audiences = [string.Empty] }).Errors.First().Parameter);
    }

    [Fact]
    public void A_request_authentication_needs_a_name_to_be_created()
    {
        Assert.Null(JwtRuleBuilder.Build(new JwtRuleOptions { Issuer = "i", JwksUri = "https://x/j" }, out var problem));
        Assert.Equal("-Name", Single(problem, ErrorIds.NoApplicableInput).Parameter);

        var ra = JwtRuleBuilder.Build(new JwtRuleOptions { Issuer = "i", JwksUri = "https://x/j", Name = "ui-jwt", Selector = new Dictionary<string, string> { ["app"] = "ui" }, ForwardOriginalToken = true }, out var none)!;
        Assert.Empty(none.Issues);
        Assert.Equal("ui", ra.Spec.Selector!.MatchLabels!["app"]);
        Assert.True(ra.Spec.JwtRules![0].ForwardOriginalToken);

        JwtRuleBuilder.Apply(ra, new JwtRuleOptions { Issuer = "j", Jwks = "{\"keys\":[]}" });
        Assert.Equal(["i", "j"], ra.Spec.JwtRules.Select(r => r.Issuer));
    }

    [Fact]
    public void Strict_mtls_for_a_namespace_adds_the_client_rule_and_for_workloads_only_the_policy()
    {
        var both = MtlsBuilder.Build(new MtlsOptions());
        Assert.Equal(2, both.Count);
        var dr = Assert.IsType<DestinationRule>(both[1]);
        Assert.Equal(("*.default.svc.cluster.local", "ISTIO_MUTUAL"), (dr.Spec.Host, dr.Spec.TrafficPolicy!.Tls!.Mode));
        Assert.Equal("DISABLE", ((DestinationRule)MtlsBuilder.Build(new MtlsOptions { Mode = "disable" })[1]).Spec.TrafficPolicy!.Tls!.Mode);

        var workload = MtlsBuilder.Build(new MtlsOptions { Selector = new Dictionary<string, string> { ["app"] = "ui" }, PortLevelMtls = [KeyValuePair.Create("9000", "permissive")] });
        var pa = Assert.IsType<PeerAuthentication>(Assert.Single(workload));
        Assert.Equal("PERMISSIVE", pa.Spec.PortLevelMtls!["9000"].Mode);
        Assert.Equal("PortLevelMtls", Single(MtlsBuilder.Validate(new MtlsOptions { PortLevelMtls = [] }), ErrorIds.InvalidPortLevelMtls).Field);
    }

    [Fact]
    public void A_workload_identity_comes_from_the_service_account_or_the_workload()
    {
        Assert.Equal("-ServiceAccount", Single(WorkloadIdentityBuilder.Validate(new WorkloadIdentityOptions()), ErrorIds.InvalidName).Parameter);
        Assert.Equal("cluster.local/ns/default/sa/ui-sa", WorkloadIdentityBuilder.Build(new WorkloadIdentityOptions { ServiceAccount = "ui-sa" }).Principal);
        var deployment = new Deployment { Name = "ui", Namespace = "shop" };
        Assert.Equal("cluster.local/ns/shop/sa/default", WorkloadIdentityBuilder.Build(new WorkloadIdentityOptions { Workload = deployment }).Principal);
    }

    [Theory]
    [InlineData("not a uri", "is not a request")]
    [InlineData("ftp://host/", "is not a request")]
    [InlineData("tcp://redis", "needs a port")]
    public void A_request_must_be_an_http_https_or_tcp_uri(string uri, string message)
    {
        var issue = Single(RequestBuilder.Validate(new RequestOptions { Uri = uri }), ErrorIds.InvalidUri);
        Assert.Equal("-Uri", issue.Parameter);
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_count_must_be_positive() =>
        Assert.Equal("-Count", Single(RequestBuilder.Validate(new RequestOptions { Uri = "http://ui/", Count = 0 }), ErrorIds.InvalidCount).Parameter);

    [Fact]
    public void A_request_takes_its_token_from_the_authorization_header_and_hides_it()
    {
        string? decoded = null;
        var request = RequestBuilder.Build(
            new RequestOptions { Uri = "https://Google.com/a?b=1", Method = "post", Headers = [KeyValuePair.Create("Authorization", "Bearer abc.def.ghi")] },
            token => { decoded = token; return null; });
        Assert.Equal("abc.def.ghi", decoded);
        Assert.Equal("Bearer (token)", request.Headers["authorization"]);
        Assert.True(request.HasToken);
        Assert.Null(request.Token);
        Assert.Equal(("https", "google.com", 443, "/a", "b=1", "POST"), (request.Scheme, request.Host, request.Port, request.Path, request.Query, request.Method));
        Assert.False(RequestBuilder.Build(new RequestOptions { Uri = "http://ui:8080/" }, _ => throw new InvalidOperationException("no token")).HasToken);
    }

    [Fact]
    public void A_sample_groups_the_outcomes_of_many_requests()
    {
        var simulator = new RequestSimulator(MeshModel.Build([]));
        var source = simulator.ResolveSource("ingress");
        var request = RequestBuilder.Build(new RequestOptions { Uri = "http://ui/" }, _ => null);
        var sample = RequestSampler.Sample(simulator, source, request, 10, new Random(1));
        Assert.Equal(10, sample.Count);
        Assert.Equal(1.0, sample.Groups.Sum(g => g.Fraction), 6);
        Assert.IsType<RequestResult>(RequestSampler.Run(simulator, source, request, 1, new Random(1)));
    }
}
