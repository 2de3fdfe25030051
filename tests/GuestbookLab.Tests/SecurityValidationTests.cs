using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Istio 1.17's rules for AuthorizationPolicy, PeerAuthentication, RequestAuthentication, and the install rules.</summary>
public class SecurityValidationTests
{
    private static ValidationResult Check(string yaml) => ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single());

    private static void AssertError(string yaml, string errorId, string field) =>
        Assert.Contains(Check(yaml).Errors, i => i.ErrorId == errorId && i.Field == field);

    private static void AssertValid(string yaml)
    {
        var result = Check(yaml);
        Assert.False(result.HasErrors, string.Join("\n", result.Errors));
    }

    private static string Ap(string spec) => $"apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  namespace: default\nspec:\n{spec}";

    private static string Pa(string spec) => $"apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata:\n  name: default\nspec:\n{spec}";

    private static string Ra(string spec) => $"apiVersion: security.istio.io/v1beta1\nkind: RequestAuthentication\nmetadata:\n  name: jwt\nspec:\n{spec}";

    private static string Io(string spec) => $"apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n{spec}";

    [Fact]
    public void Allow_with_no_rules_is_a_valid_deny_all() => AssertValid(Ap("  {}\n"));

    [Fact]
    public void Deny_with_no_rules_is_invalid() => AssertError(Ap("  action: DENY\n"), ErrorIds.InvalidRule, "spec.rules");

    [Fact]
    public void Deny_with_an_empty_rule_is_valid() => AssertValid(Ap("  action: DENY\n  rules:\n  - {}\n"));

    [Fact]
    public void Unknown_actions_are_invalid() => AssertError(Ap("  action: BLOCK\n"), ErrorIds.InvalidAction, "spec.action");

    [Fact]
    public void Custom_needs_a_provider_and_a_provider_needs_custom()
    {
        AssertError(Ap("  action: CUSTOM\n  rules:\n  - {}\n"), ErrorIds.InvalidAction, "spec.provider.name");
        AssertError(Ap("  provider: {name: ext}\n"), ErrorIds.InvalidAction, "spec.provider");
        AssertValid(Ap("  action: CUSTOM\n  provider: {name: ext}\n  rules:\n  - {}\n"));
    }

    [Fact]
    public void Custom_cannot_match_identities() =>
        AssertError(Ap("  action: CUSTOM\n  provider: {name: ext}\n  rules:\n  - from:\n    - source: {principals: [a]}\n"), ErrorIds.InvalidRule, "spec.rules[0].from[0].source");

    [Fact]
    public void Empty_from_and_to_lists_are_invalid()
    {
        AssertError(Ap("  rules:\n  - from: []\n"), ErrorIds.InvalidRule, "spec.rules[0].from");
        AssertError(Ap("  rules:\n  - to: []\n"), ErrorIds.InvalidRule, "spec.rules[0].to");
    }

    [Fact]
    public void Sources_and_operations_need_a_field()
    {
        AssertError(Ap("  rules:\n  - from:\n    - source: {}\n"), ErrorIds.InvalidRule, "spec.rules[0].from[0].source");
        AssertError(Ap("  rules:\n  - to:\n    - operation: {}\n"), ErrorIds.InvalidRule, "spec.rules[0].to[0].operation");
    }

    [Theory]
    [InlineData("http")]
    [InlineData("1-2")]
    [InlineData("70000")]
    [InlineData("-1")]
    public void Ports_are_decimal_strings_up_to_65535(string port) =>
        AssertError(Ap($"  rules:\n  - to:\n    - operation: {{ports: ['{port}']}}\n"), ErrorIds.InvalidPort, "spec.rules[0].to[0].operation.ports[0]");

    [Fact]
    public void Port_zero_passes_as_in_istio() => AssertValid(Ap("  rules:\n  - to:\n    - operation: {ports: ['0']}\n"));

    [Fact]
    public void Empty_values_are_invalid() =>
        AssertError(Ap("  rules:\n  - to:\n    - operation: {methods: ['']}\n"), ErrorIds.InvalidRule, "spec.rules[0].to[0].operation.methods[0]");

    [Fact]
    public void Ip_blocks_are_ips_or_cidrs() =>
        AssertError(Ap("  rules:\n  - from:\n    - source: {ipBlocks: ['10.0.0.0/33']}\n"), ErrorIds.InvalidIpBlock, "spec.rules[0].from[0].source.ipBlocks[0]");

    [Theory]
    [InlineData("request.headers[x-user]", true)]
    [InlineData("request.auth.claims[groups]", true)]
    [InlineData("request.auth.claims[nested][key]", true)]
    [InlineData("source.ip", true)]
    [InlineData("destination.port", true)]
    [InlineData("connection.sni", true)]
    [InlineData("destination.namespace", false)]
    [InlineData("destination.labels[app]", false)]
    [InlineData("request.headers", false)]
    [InlineData("source.user", false)]
    public void Condition_keys_are_the_ones_istio_knows(string key, bool valid) =>
        Assert.Equal(valid, SecurityRules.ConditionKeyProblem(key) is null);

    [Fact]
    public void Conditions_need_values() =>
        AssertError(Ap("  rules:\n  - when:\n    - key: source.ip\n"), ErrorIds.InvalidCondition, "spec.rules[0].when[0]");

    [Fact]
    public void The_codelab_policies_are_valid()
    {
        AssertValid(Ap("  selector:\n    matchLabels: {app: guestbook-service}\n  rules:\n  - from:\n    - source:\n        principals: [cluster.local/ns/default/sa/ui-sa]\n    to:\n    - operation:\n        methods: [GET, POST]\n"));
        AssertValid(Ap("  selector:\n    matchLabels: {app: ui}\n  action: ALLOW\n  rules:\n  - from:\n    - source:\n        requestPrincipals: [testing@secure.istio.io/testing@secure.istio.io]\n"));
    }

    [Fact]
    public void From_and_to_in_separate_allow_rules_warn()
    {
        var result = Check(Ap("  selector:\n    matchLabels: {app: redis}\n  action: ALLOW\n  rules:\n  - from:\n    - source:\n        principals: [cluster.local/ns/default/sa/ui-sa]\n  - to:\n    - operation:\n       ports: ['6379']\n"));
        Assert.False(result.HasErrors);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(ErrorIds.RuleAllowsMore, warning.ErrorId);
        Assert.Equal("spec.rules[1]", warning.Field);
    }

    [Fact]
    public void Deny_with_only_http_attributes_warns()
    {
        var result = Check(Ap("  action: DENY\n  rules:\n  - to:\n    - operation: {methods: [DELETE]}\n"));
        Assert.Contains(result.Warnings, w => w.ErrorId == ErrorIds.RuleAllowsMore && w.Message.Contains("TCP", System.StringComparison.Ordinal));
        Assert.Empty(Check(Ap("  action: DENY\n  rules:\n  - to:\n    - operation: {methods: [DELETE], ports: ['8080']}\n")).Warnings);
    }

    [Fact]
    public void Selectors_cannot_have_wildcards() =>
        AssertError(Ap("  selector:\n    matchLabels: {app: '*'}\n"), ErrorIds.InvalidSelector, "spec.selector.matchLabels[app]");

    [Fact]
    public void The_codelab_peer_authentication_is_valid() => AssertValid(Pa("  mtls:\n    mode: STRICT\n"));

    [Fact]
    public void Mtls_modes_are_checked() => AssertError(Pa("  mtls:\n    mode: STRICTER\n"), ErrorIds.InvalidMtlsMode, "spec.mtls.mode");

    [Fact]
    public void Port_level_mtls_needs_a_selector_and_real_ports()
    {
        AssertError(Pa("  portLevelMtls:\n    '8080': {mode: DISABLE}\n"), ErrorIds.InvalidPortLevelMtls, "spec.portLevelMtls");
        AssertError(Pa("  selector:\n    matchLabels: {app: ui}\n  portLevelMtls:\n    '0': {mode: DISABLE}\n"), ErrorIds.InvalidPortLevelMtls, "spec.portLevelMtls.0");
        AssertError(Pa("  selector:\n    matchLabels: {app: ui}\n  portLevelMtls: {}\n"), ErrorIds.InvalidPortLevelMtls, "spec.portLevelMtls");
        AssertValid(Pa("  selector:\n    matchLabels: {app: ui}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    '9000': {mode: PERMISSIVE}\n"));
    }

    [Fact]
    public void The_codelab_request_authentication_is_valid() =>
        AssertValid(Ra("  selector:\n    matchLabels: {app: ui}\n  jwtRules:\n  - issuer: testing@secure.istio.io\n    jwksUri: https://raw.githubusercontent.com/istio/istio/release-1.17/security/tools/jwt/samples/jwks.json\n"));

    [Fact]
    public void Jwt_rules_need_an_issuer() => AssertError(Ra("  jwtRules:\n  - jwksUri: https://example.com/jwks\n"), ErrorIds.InvalidJwtRule, "spec.jwtRules[0].issuer");

    [Theory]
    [InlineData("ftp://example.com/jwks")]
    [InlineData("/relative/jwks")]
    [InlineData("https://example.com:port/jwks")]
    public void Jwks_uris_are_http_or_https(string uri) =>
        AssertError(Ra($"  jwtRules:\n  - issuer: a\n    jwksUri: '{uri}'\n"), ErrorIds.InvalidJwks, "spec.jwtRules[0].jwksUri");

    [Fact]
    public void Plain_http_jwks_uri_is_accepted_as_in_istio_1_17() => AssertValid(Ra("  jwtRules:\n  - issuer: a\n    jwksUri: http://jwks.local/keys\n"));

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"nokeys\": []}")]
    [InlineData("{\"keys\": [{\"n\": \"x\"}]}")]
    public void Inline_jwks_must_parse(string jwks) =>
        AssertError(Ra($"  jwtRules:\n  - issuer: a\n    jwks: '{jwks}'\n"), ErrorIds.InvalidJwks, "spec.jwtRules[0].jwks");

    [Fact]
    public void Inline_jwks_that_parses_is_valid() => AssertValid(Ra("  jwtRules:\n  - issuer: a\n    jwks: '{\"keys\": [{\"kty\": \"RSA\", \"n\": \"x\", \"e\": \"AQAB\"}]}'\n"));

    [Fact]
    public void The_codelab_install_configs_are_valid()
    {
        AssertValid(Io("  profile: demo\n  meshConfig:\n    defaultConfig:\n      tracing:\n        zipkin:\n          address: zipkin.istio-system:9411\n"));
        AssertValid(Io("  profile: demo\n  meshConfig:\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n"));
    }

    [Theory]
    [InlineData("zipkin.istio-system")]
    [InlineData("zipkin.istio-system:port")]
    [InlineData(":9411")]
    [InlineData("zipkin:99999")]
    public void Zipkin_addresses_are_host_and_port(string address) =>
        AssertError(Io($"  meshConfig:\n    defaultConfig:\n      tracing:\n        zipkin:\n          address: '{address}'\n"), ErrorIds.InvalidInstallConfig, "spec.meshConfig.defaultConfig.tracing.zipkin.address");

    [Fact]
    public void Host_ip_is_accepted_in_a_zipkin_address() =>
        AssertValid(Io("  meshConfig:\n    defaultConfig:\n      tracing:\n        zipkin:\n          address: $(HOST_IP):9411\n"));

    [Fact]
    public void Profiles_and_outbound_modes_are_checked()
    {
        AssertError(Io("  profile: demonstration\n"), ErrorIds.InvalidInstallConfig, "spec.profile");
        AssertError(Io("  meshConfig:\n    outboundTrafficPolicy: {mode: BLOCK_ALL}\n"), ErrorIds.InvalidOutboundPolicy, "spec.meshConfig.outboundTrafficPolicy.mode");
    }

    [Fact]
    public void An_istio_operator_needs_no_name_but_metadata_stays_out_when_empty()
    {
        var io = ManifestSerializer.Deserialize(Io("  profile: demo\n")).Single();
        Assert.False(ResourceValidator.Validate(io).HasErrors);
        Assert.DoesNotContain("metadata", ManifestSerializer.Serialize([io]), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Namespace_names_are_labels() =>
        AssertError("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a.b\n", ErrorIds.InvalidName, "metadata.name");

    [Fact]
    public void Probe_rewrite_annotation_is_a_boolean() =>
        AssertError("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ui\nspec:\n  template:\n    metadata:\n      annotations:\n        sidecar.istio.io/rewriteAppHTTPProbers: 'no'\n", ErrorIds.InvalidAnnotation, "spec.template.metadata.annotations[sidecar.istio.io/rewriteAppHTTPProbers]");

    [Theory]
    [InlineData("security.istio.io/v1beta1", "AuthorizationPolicy", typeof(AuthorizationPolicy))]
    [InlineData("security.istio.io/v1", "AuthorizationPolicy", typeof(AuthorizationPolicy))]
    [InlineData("security.istio.io/v1beta1", "PeerAuthentication", typeof(PeerAuthentication))]
    [InlineData("security.istio.io/v1beta1", "RequestAuthentication", typeof(RequestAuthentication))]
    [InlineData("install.istio.io/v1alpha1", "IstioOperator", typeof(IstioOperator))]
    [InlineData("v1", "Namespace", typeof(KubernetesNamespace))]
    [InlineData("v1", "Service", typeof(Service))]
    [InlineData("apps/v1", "Deployment", typeof(Deployment))]
    [InlineData("apps/v1", "StatefulSet", typeof(StatefulSet))]
    [InlineData("apps/v1", "DaemonSet", typeof(DaemonSet))]
    public void Kinds_read_into_their_models(string apiVersion, string kind, System.Type type) =>
        Assert.IsType(type, ManifestSerializer.Deserialize($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: x\n").Single());
}
