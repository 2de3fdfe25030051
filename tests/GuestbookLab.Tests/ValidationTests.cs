using System;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>Istio 1.17's validation rules, one family at a time, through whole manifests.</summary>
public class ValidationTests
{
    private static ValidationResult Check(string yaml) => ResourceValidator.Validate(ManifestSerializer.Deserialize(yaml).Single());

    private static void AssertError(string yaml, string errorId, string field)
    {
        var result = Check(yaml);
        Assert.Contains(result.Errors, i => i.ErrorId == errorId && i.Field == field);
    }

    private static void AssertValid(string yaml)
    {
        var result = Check(yaml);
        Assert.False(result.HasErrors, string.Join("\n", result.Errors));
    }

    private static string Vs(string spec, string name = "vs") =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: {name}\nspec:\n{spec}";

    private static string Dr(string spec) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: dr\nspec:\n{spec}";

    private static string Gw(string spec, string name = "gw") =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: {name}\nspec:\n{spec}";

    private static string Se(string spec) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata:\n  name: se\nspec:\n{spec}";

    private const string Route = "  http:\n  - route:\n    - destination:\n        host: reviews\n";

    [Fact]
    public void The_codelab_virtual_service_is_valid() =>
        AssertValid(Vs("  hosts: ['*']\n  gateways: [guestbook-ui-gateway]\n  http:\n  - match:\n    - uri: {prefix: /}\n      headers:\n        user-agent: {regex: '.*Chrome.*'}\n    route:\n    - destination: {host: ui, subset: v2}\n"));

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("UPPER")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    public void Names_must_be_dns1123(string name) => AssertError(Vs("  hosts: [reviews]\n" + Route, name), ErrorIds.InvalidName, "metadata.name");

    [Fact]
    public void Gateway_names_cannot_have_dots() => AssertError(Gw("  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n", "a.b"), ErrorIds.InvalidName, "metadata.name");

    // Istio refuses a null header, withoutHeaders or query parameter match ("header match X cannot be null"). Read from
    // YAML, such a document is refused with the field named; built in code, the validator reports it (no exception).
    [Theory]
    [InlineData("headers", "user-agent")]
    [InlineData("withoutHeaders", "user-agent")]
    [InlineData("queryParams", "q")]
    public void A_null_match_is_refused_with_its_field(string kind, string name)
    {
        var read = Assert.Throws<ManifestFormatException>(() => Check(Vs($"  hosts: [reviews]\n  http:\n  - match:\n    - {kind}:\n        {name}:\n    route:\n    - destination: {{host: reviews}}\n")));
        Assert.Contains($"spec.http[0].match[0].{kind}.{name}", read.Message, StringComparison.Ordinal);
        var vs = (VirtualService)ManifestSerializer.Deserialize(Vs($"  hosts: [reviews]\n  http:\n  - match:\n    - {kind}: {{{name}: {{exact: x}}}}\n    route:\n    - destination: {{host: reviews}}\n")).Single();
        var match = vs.Spec.Http![0].Match![0];
        var map = kind switch { "headers" => match.Headers!, "withoutHeaders" => match.WithoutHeaders!, _ => match.QueryParams! };
        map[name] = null!;
        var result = ResourceValidator.Validate(vs);
        Assert.Contains(result.Errors, e => e.ErrorId == ErrorIds.InvalidMatch && e.Field == $"spec.http[0].match[0].{kind}.{name}");
    }

    [Fact]
    public void A_virtual_service_needs_a_route() => AssertError(Vs("  hosts: [reviews]\n"), ErrorIds.MissingRoutes, "spec");

    [Fact]
    public void Star_host_needs_a_gateway() => AssertError(Vs("  hosts: ['*']\n" + Route), ErrorIds.InvalidHost, "spec.hosts[0]");

    [Theory]
    [InlineData("foo.*.com")]
    [InlineData("in valid")]
    [InlineData("a.123")]
    public void Hosts_must_be_valid_wildcard_domains(string host) => AssertError(Vs($"  hosts: ['{host}']\n" + Route), ErrorIds.InvalidHost, "spec.hosts[0]");

    [Fact]
    public void Overlapping_hosts_are_duplicates() => AssertError(Vs("  hosts: ['*.foo.com', 'a.foo.com']\n" + Route), ErrorIds.DuplicateHost, "spec.hosts[1]");

    [Theory]
    [InlineData("a/b/c")]
    [InlineData("NS/gw")]
    public void Gateway_references_are_checked(string gateway) =>
        AssertError(Vs($"  hosts: [reviews]\n  gateways: ['{gateway}']\n" + Route), ErrorIds.InvalidGatewayReference, "spec.gateways[0]");

    [Fact]
    public void Legacy_gateway_reference_warns()
    {
        var result = Check(Vs("  hosts: [reviews.com]\n  gateways: [gw.istio-system]\n" + Route));
        Assert.False(result.HasErrors);
        Assert.Contains(result.Warnings, w => w.ErrorId == ErrorIds.InvalidGatewayReference);
    }

    [Fact]
    public void Weights_cannot_be_negative() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n      weight: -1\n"), ErrorIds.InvalidWeight, "spec.http[0].route[0].weight");

    [Fact]
    public void Weights_cannot_all_be_zero() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r, subset: a}\n      weight: 0\n    - destination: {host: r, subset: b}\n      weight: 0\n"), ErrorIds.AllWeightsZero, "spec.http[0].route");

    [Fact]
    public void Weights_need_not_sum_to_100_in_istio_1_17() =>
        AssertValid(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r, subset: a}\n      weight: 30\n    - destination: {host: r, subset: b}\n      weight: 30\n"));

    [Theory]
    [InlineData(199)]
    [InlineData(601)]
    public void Abort_status_is_200_to_600(int status) =>
        AssertError(Vs($"  hosts: [r]\n  http:\n  - route:\n    - destination: {{host: r}}\n    fault:\n      abort:\n        httpStatus: {status}\n        percentage: {{value: 100}}\n"), ErrorIds.InvalidAbortStatus, "spec.http[0].fault.abort.httpStatus");

    [Fact]
    public void Abort_status_600_passes_as_in_istio() =>
        AssertValid(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n    fault:\n      abort:\n        httpStatus: 600\n"));

    [Theory]
    [InlineData("100.5")]
    [InlineData("-1")]
    [InlineData("0.00001")]
    public void Percentages_are_0_or_0_0001_to_100(string value) =>
        AssertError(Vs($"  hosts: [r]\n  http:\n  - route:\n    - destination: {{host: r}}\n    fault:\n      abort:\n        httpStatus: 503\n        percentage: {{value: {value}}}\n"), ErrorIds.InvalidPercentage, "spec.http[0].fault.abort.percentage.value");

    [Fact]
    public void A_fault_needs_abort_or_delay() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n    fault: {}\n"), ErrorIds.InvalidFault, "spec.http[0].fault");

    [Theory]
    [InlineData("0.5ms")]
    [InlineData("1500us")]
    [InlineData("5")]
    [InlineData("fast")]
    [InlineData("0s")]
    public void Durations_are_whole_milliseconds_of_at_least_1ms(string value) =>
        AssertError(Vs($"  hosts: [r]\n  http:\n  - route:\n    - destination: {{host: r}}\n    fault:\n      delay:\n        fixedDelay: '{value}'\n        percentage: {{value: 100}}\n"), ErrorIds.InvalidDuration, "spec.http[0].fault.delay.fixedDelay");

    [Theory]
    [InlineData("1ms")]
    [InlineData("5s")]
    [InlineData("1h30m")]
    [InlineData("1.5s")]
    public void Valid_durations_pass(string value) =>
        AssertValid(Vs($"  hosts: [r]\n  http:\n  - route:\n    - destination: {{host: r}}\n    timeout: {value}\n"));

    [Theory]
    [InlineData("(?=x)a")]
    [InlineData("(a)\\1")]
    [InlineData("[unclosed")]
    [InlineData("")]
    public void Regexes_must_be_re2(string regex) =>
        AssertError(Vs($"  hosts: [r]\n  http:\n  - match:\n    - uri:\n        regex: '{regex}'\n    route:\n    - destination: {{host: r}}\n"), ErrorIds.InvalidRegex, "spec.http[0].match[0].uri.regex");

    [Fact]
    public void Header_regexes_are_checked_too() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - match:\n    - headers:\n        user-agent: {regex: '(?<=a)b'}\n    route:\n    - destination: {host: r}\n"), ErrorIds.InvalidRegex, "spec.http[0].match[0].headers.user-agent.regex");

    [Fact]
    public void Retry_timeout_with_zero_attempts_is_invalid() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n    retries:\n      attempts: 0\n      perTryTimeout: 2s\n"), ErrorIds.InvalidRetryPolicy, "spec.http[0].retries.attempts");

    [Fact]
    public void Unknown_retry_conditions_are_invalid() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n    retries:\n      attempts: 3\n      retryOn: 5xx,sometimes\n"), ErrorIds.InvalidRetryOn, "spec.http[0].retries.retryOn");

    [Fact]
    public void Retry_on_status_codes_is_valid() =>
        AssertValid(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n    retries:\n      attempts: 3\n      retryOn: gateway-error,503,connect-failure\n"));

    [Fact]
    public void Redirect_cannot_be_combined_with_route() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - redirect: {uri: /x}\n    route:\n    - destination: {host: r}\n"), ErrorIds.InvalidRoute, "spec.http[0].redirect");

    [Fact]
    public void Destination_host_cannot_be_star() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: '*'}\n"), ErrorIds.InvalidDestination, "spec.http[0].route[0].destination.host");

    [Fact]
    public void Mirror_percentage_is_0_to_100() =>
        AssertError(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n    mirror: {host: r, subset: v2}\n    mirrorPercentage: {value: 101}\n"), ErrorIds.InvalidPercentage, "spec.http[0].mirrorPercentage.value");

    [Fact]
    public void A_second_catch_all_warns_as_Istio_warns_but_one_before_a_matched_route_does_not()
    {
        // analyzeUnreachableHTTPRules reports a match-less rule only after another one; Test-MeshConfiguration's GBL0009 says the rest.
        var one = Check(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n  - match:\n    - uri: {prefix: /a}\n    route:\n    - destination: {host: r}\n"));
        Assert.False(one.HasErrors);
        Assert.Empty(one.Warnings);
        var two = Check(Vs("  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n  - name: second\n    route:\n    - destination: {host: r}\n"));
        var warning = Assert.Single(two.Warnings);
        Assert.Equal((ErrorIds.UnreachableRoute, "spec.http[1]"), (warning.ErrorId, warning.Field));
        Assert.Equal("virtualService rule \"second\" not used (only the last rule can have no matches)", warning.Message);
    }

    [Fact]
    public void A_repeated_match_warns()
    {
        var result = Check(Vs("  hosts: [r]\n  http:\n  - match:\n    - uri: {prefix: /}\n    route:\n    - destination: {host: r, subset: v1}\n  - match:\n    - uri: {prefix: /}\n    route:\n    - destination: {host: r, subset: v2}\n"));
        Assert.Contains(result.Warnings, w => w.ErrorId == ErrorIds.UnreachableRoute && w.Field == "spec.http[1].match[0]"
            && w.Message == "virtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)");
        Assert.Contains(result.Warnings, w => w.Field == "spec.http[1]" && w.Message == "virtualService rule #1 not used (all matches used by prior rules)");
    }

    [Fact]
    public void A_match_repeated_with_its_zero_values_written_out_warns_as_Istio_warns()
    {
        // Istio compares the matches' JSON, which leaves out 0 and false.
        var result = Check(Vs("  hosts: [r]\n  http:\n  - match:\n    - uri: {prefix: /a}\n    route:\n    - destination: {host: r}\n  - match:\n    - uri: {prefix: /a}\n      port: 0\n      ignoreUriCase: false\n    route:\n    - destination: {host: r}\n"));
        Assert.Contains(result.Warnings, w => w.Field == "spec.http[1].match[0]" && w.ErrorId == ErrorIds.UnreachableRoute);
    }

    [Fact]
    public void A_null_route_is_passed_over_as_Istio_passes_over_a_nil_route()
    {
        var vs = (VirtualService)ManifestSerializer.Deserialize("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n  - match: [{uri: {prefix: /a}}]\n    route: [{destination: {host: r}}]\n")[0];
        vs.Spec.Http!.Insert(0, null!);
        Assert.Empty(GuestbookLab.Mesh.Validation.UnreachableRules.Find(vs.Spec));
        Assert.Null(GuestbookLab.Mesh.Validation.UnreachableRules.CatchAllBeforeLast(vs.Spec));
    }

    [Fact]
    public void Repeated_tcp_and_tls_matches_warn_as_Istio_warns()
    {
        var result = Check(Vs("  hosts: [r]\n  tcp:\n  - match:\n    - port: 3306\n    route:\n    - destination: {host: r}\n  - match:\n    - port: 3306\n    route:\n    - destination: {host: r}\n"));
        Assert.Contains(result.Warnings, w => w.Field == "spec.tcp[1].match[0]" && w.Rule == "analyzeUnreachableTCPRules");
    }

    [Fact]
    public void The_codelab_circuit_breaker_is_valid() =>
        AssertValid(Dr("  host: message-service\n  trafficPolicy:\n    connectionPool:\n      tcp: {maxConnections: 100}\n      http: {maxRequestsPerConnection: 10, http1MaxPendingRequests: 1024}\n    outlierDetection:\n      consecutive5xxErrors: 7\n      interval: 5m\n      baseEjectionTime: 15m\n"));

    [Fact]
    public void An_empty_traffic_policy_is_invalid() => AssertError(Dr("  host: r\n  trafficPolicy: {}\n"), ErrorIds.InvalidTrafficPolicy, "spec.trafficPolicy");

    [Fact]
    public void Subset_names_are_unique_labels()
    {
        AssertError(Dr("  host: r\n  subsets:\n  - name: v1\n    labels: {version: '1.0'}\n  - name: v1\n    labels: {version: '2.0'}\n"), ErrorIds.DuplicateSubset, "spec.subsets[1].name");
        AssertError(Dr("  host: r\n  subsets:\n  - name: V_1\n"), ErrorIds.InvalidSubset, "spec.subsets[0].name");
    }

    [Fact]
    public void Subset_labels_are_valid_label_values() =>
        AssertError(Dr("  host: r\n  subsets:\n  - name: v1\n    labels: {version: 'not valid!'}\n"), ErrorIds.InvalidLabel, "spec.subsets[0].labels[version]");

    [Fact]
    public void Outlier_percentages_and_durations_are_checked()
    {
        AssertError(Dr("  host: r\n  trafficPolicy:\n    outlierDetection: {maxEjectionPercent: 120}\n"), ErrorIds.InvalidPercentage, "spec.trafficPolicy.outlierDetection.maxEjectionPercent");
        AssertError(Dr("  host: r\n  trafficPolicy:\n    outlierDetection: {interval: 0.1ms}\n"), ErrorIds.InvalidDuration, "spec.trafficPolicy.outlierDetection.interval");
    }

    [Fact]
    public void Negative_connection_limits_are_invalid() =>
        AssertError(Dr("  host: r\n  trafficPolicy:\n    connectionPool:\n      tcp: {maxConnections: -1}\n"), ErrorIds.InvalidTrafficPolicy, "spec.trafficPolicy.connectionPool.tcp.maxConnections");

    [Fact]
    public void Mutual_tls_needs_certificates() =>
        AssertError(Dr("  host: r\n  trafficPolicy:\n    tls: {mode: MUTUAL}\n"), ErrorIds.InvalidTls, "spec.trafficPolicy.tls.clientCertificate");

    [Fact]
    public void The_codelab_mtls_destination_rule_is_valid() =>
        AssertValid(Dr("  host: '*.default.svc.cluster.local'\n  trafficPolicy:\n    tls: {mode: ISTIO_MUTUAL}\n"));

    [Fact]
    public void The_codelab_gateway_is_valid() =>
        AssertValid(Gw("  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n"));

    [Theory]
    [InlineData("ui")]
    [InlineData("*ui.com")]
    [InlineData("foo/bar/baz.com")]
    public void Gateway_hosts_need_a_dot_and_no_partial_wildcard(string host) =>
        AssertError(Gw($"  servers:\n  - port: {{number: 80, name: http, protocol: HTTP}}\n    hosts: ['{host}']\n"), ErrorIds.InvalidHost, "spec.servers[0].hosts[0]");

    [Fact]
    public void Gateway_ports_need_valid_protocols_and_unique_names()
    {
        AssertError(Gw("  servers:\n  - port: {number: 80, name: http, protocol: HTTPX}\n    hosts: ['*']\n"), ErrorIds.InvalidProtocol, "spec.servers[0].port.protocol");
        AssertError(Gw("  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n  - port: {number: 81, name: http, protocol: HTTP}\n    hosts: ['*']\n"), ErrorIds.InvalidPortName, "spec.servers[1].port.name");
        AssertError(Gw("  servers:\n  - port: {number: 70000, name: http, protocol: HTTP}\n    hosts: ['*']\n"), ErrorIds.InvalidPort, "spec.servers[0].port.number");
    }

    [Fact]
    public void Https_servers_need_tls() =>
        AssertError(Gw("  servers:\n  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n"), ErrorIds.InvalidTls, "spec.servers[0].tls");

    [Fact]
    public void The_codelab_service_entries_are_valid()
    {
        AssertValid(Se("  hosts: ['*.ubuntu.com']\n  location: MESH_EXTERNAL\n  ports:\n  - number: 80\n    name: http\n    protocol: HTTP\n"));
        AssertValid(Se("  hosts: [google.com]\n  location: MESH_EXTERNAL\n  ports:\n  - number: 443\n    name: https\n    protocol: HTTPS\n"));
    }

    [Fact]
    public void Service_entry_wildcard_hosts_need_resolution_none() =>
        AssertError(Se("  hosts: ['*.ubuntu.com']\n  resolution: DNS\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n"), ErrorIds.InvalidServiceEntry, "spec.hosts[0]");

    [Fact]
    public void Service_entry_several_hosts_need_http_or_tls_ports() =>
        AssertError(Se("  hosts: [a.com, b.com]\n  addresses: [10.0.0.1]\n  resolution: DNS\n  ports:\n  - {number: 3306, name: mysql, protocol: MYSQL}\n"), ErrorIds.InvalidServiceEntry, "spec.ports[0].protocol");

    [Fact]
    public void Service_entry_ports_are_unique_and_valid()
    {
        AssertError(Se("  hosts: [a.com]\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n  - {number: 80, name: web, protocol: HTTP}\n"), ErrorIds.DuplicatePort, "spec.ports[1].number");
        AssertError(Se("  hosts: [a.com]\n  ports:\n  - {number: 80, name: Http_Port, protocol: HTTP}\n"), ErrorIds.InvalidPortName, "spec.ports[0].name");
        AssertError(Se("  hosts: ['*']\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n"), ErrorIds.InvalidHost, "spec.hosts[0]");
    }

    [Fact]
    public void Service_entry_tcp_ports_without_addresses_warn()
    {
        var result = Check(Se("  hosts: [db.example.com]\n  resolution: DNS\n  ports:\n  - {number: 5432, name: tcp, protocol: TCP}\n"));
        Assert.False(result.HasErrors);
        Assert.Contains(result.Warnings, w => w.Field == "spec.addresses");
    }

    [Fact]
    public void Export_to_rules()
    {
        AssertError(Vs("  hosts: [r]\n  exportTo: ['*', ns1]\n" + Route), ErrorIds.InvalidExportTo, "spec.exportTo");
        AssertError(Vs("  hosts: [r]\n  exportTo: ['~']\n" + Route), ErrorIds.InvalidExportTo, "spec.exportTo");
        AssertValid(Se("  hosts: [a.com]\n  exportTo: ['~']\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n"));
    }

    [Fact]
    public void Issues_name_the_resource()
    {
        var issue = Check(Vs("  hosts: [r]\n")).Errors.Single();
        Assert.Equal("VirtualService vs", issue.Resource);
        Assert.StartsWith("VirtualService vs spec:", issue.ToString(), System.StringComparison.Ordinal);
    }
}
