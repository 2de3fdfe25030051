using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Tests;

/// <summary>The mesh layer's builders: options in, a resource or issues out, each issue naming its field and the parameter it came from.</summary>
public class BuilderTests
{
    private static ValidationIssue Single(ValidationResult result, string errorId)
    {
        var issue = Assert.Single(result.Errors);
        Assert.Equal(errorId, issue.ErrorId);
        return issue;
    }

    private static KeyValuePair<string, T> Pair<T>(string key, T value) => KeyValuePair.Create(key, value);

    [Fact]
    public void The_parameter_map_keeps_indexes_and_maps_each_field_of_a_list()
    {
        var map = new ParameterMap(("Weights", "-Weight"));
        Assert.Equal("-Weight[v1]", map.Of("Weights[v1]"));
        Assert.Equal("-Name", map.Of("Name"));
        Assert.Equal("-Weight, -Name", map.Of("Weights, Name"));
    }

    [Fact]
    public void An_issue_is_shown_under_its_parameter_and_keeps_its_field()
    {
        var result = new ValidationResult(new ParameterMap(("Ports", "-Port")));
        result.Error(ErrorIds.InvalidPort, "Ports[0]", "http", "not a port", "rule");
        var issue = result.Issues[0];
        Assert.Equal("Ports[0]", issue.Field);
        Assert.Equal("-Port[0]", issue.Parameter);
        Assert.Equal("-Port[0]: not a port [rule]", issue.ToString());
        Assert.Null(new ValidationIssue("X", IssueSeverity.Error, "spec.a", null, "m", "r").Parameter);
    }

    [Fact]
    public void A_route_with_several_uri_matches_names_the_fields_given()
    {
        var issue = Single(RouteBuilder.Validate(new RouteOptions { Destination = "ui", UriPrefix = "/", UriExact = "/a" }), ErrorIds.InvalidMatch);
        Assert.Equal("UriPrefix, UriExact", issue.Field);
        Assert.Equal("-UriPrefix, -UriExact", issue.Parameter);
        Assert.Equal("give only one of -UriPrefix, -UriExact and -UriRegex", issue.Message);
    }

    [Fact]
    public void A_route_checks_header_matches_by_key()
    {
        var result = RouteBuilder.Validate(new RouteOptions { Destination = "ui", HeaderPrefix = [Pair("x-user", string.Empty)], HeaderRegex = [Pair("user-agent", "(")] });
        Assert.Contains(result.Errors, i => i.Field == "HeaderPrefix[x-user]" && i.ErrorId == ErrorIds.InvalidMatch);
        Assert.Contains(result.Errors, i => i.Field == "HeaderRegex[user-agent]" && i.Parameter == "-HeaderRegex[user-agent]");
    }

    [Fact]
    public void A_route_rejects_a_negative_weight() =>
        Assert.Equal("Weight", Single(RouteBuilder.Validate(new RouteOptions { Destination = "ui", Weight = -1 }), ErrorIds.InvalidWeight).Field);

    [Fact]
    public void Weighted_routes_with_the_same_match_join_into_one_split()
    {
        var vs = new VirtualService { Name = "ui" };
        RouteBuilder.Apply(vs, new RouteOptions { Destination = "ui", Subset = "v1", Weight = 20, UriPrefix = "/" });
        RouteBuilder.Apply(vs, new RouteOptions { Destination = "ui", Subset = "v2", Weight = 80, UriPrefix = "/" });
        var route = Assert.Single(vs.Spec.Http!);
        Assert.Equal([20, 80], route.Route!.Select(d => d.Weight!.Value));
    }

    [Fact]
    public void Routes_without_a_weight_or_with_another_match_are_appended()
    {
        var vs = new VirtualService { Name = "ui" };
        RouteBuilder.Apply(vs, new RouteOptions { Destination = "ui", Subset = "v2", UriPrefix = "/", HeaderRegex = [Pair("User-Agent", ".*Chrome.*")] });
        RouteBuilder.Apply(vs, new RouteOptions { Destination = "ui", Subset = "v1", Weight = 100, UriPrefix = "/" });
        RouteBuilder.Apply(vs, new RouteOptions { Destination = "ui", Subset = "v1" });
        Assert.Equal(3, vs.Spec.Http!.Count);
        Assert.Equal(".*Chrome.*", vs.Spec.Http[0].Match![0].Headers!["user-agent"].Regex);
        Assert.Null(vs.Spec.Http[2].Match);
    }

    [Fact]
    public void The_route_selector_reports_a_missing_route_and_a_bad_index()
    {
        Assert.Null(RouteSelector.Select(new VirtualService { Name = "r" }, null, out var none));
        Assert.Equal("InputObject", Single(none, ErrorIds.NoRouteToModify).Field);

        var vs = new VirtualService { Name = "r" };
        RouteBuilder.Apply(vs, new RouteOptions { Destination = "r" });
        Assert.Null(RouteSelector.Select(vs, 3, out var bad));
        Assert.Equal("-RouteIndex", Single(bad, ErrorIds.NoRouteToModify).Parameter);
        Assert.Same(vs.Spec.Http![0], RouteSelector.Select(vs, null, out var ok));
        Assert.Empty(ok.Issues);
    }

    [Fact]
    public void A_fault_needs_an_abort_or_a_delay_by_the_validators_own_rule()
    {
        var issue = Single(FaultBuilder.Validate(new FaultOptions()), ErrorIds.InvalidFault);
        Assert.Equal("-Abort, -Delay", issue.Parameter);

        var vs = new VirtualService { Name = "r" };
        vs.Spec.Hosts = ["r"];
        vs.Spec.Http = [new HttpRoute { Route = [new HttpRouteDestination { Destination = new Destination { Host = "r" } }], Fault = new HttpFaultInjection() }];
        var fromValidator = ResourceValidator.Validate(vs).Errors.Single(i => i.ErrorId == ErrorIds.InvalidFault);
        Assert.Equal(fromValidator.Message, issue.Message);
        Assert.Equal("spec.http[0].fault", fromValidator.Field);
    }

    [Fact]
    public void A_fault_checks_its_status_and_sets_both_parts()
    {
        Assert.Equal("Abort", Single(FaultBuilder.Validate(new FaultOptions { Abort = 700 }), ErrorIds.InvalidAbortStatus).Field);
        var route = new HttpRoute();
        FaultBuilder.Apply(route, new FaultOptions { Abort = 503, Delay = MeshDuration.Parse("5s"), Percent = 50 });
        Assert.Equal(503, route.Fault!.Abort!.HttpStatus);
        Assert.Equal("5s", route.Fault.Delay!.FixedDelay);
        Assert.Equal(50, route.Fault.Delay.Percentage!.Value);
    }

    [Fact]
    public void Retries_off_name_the_parameters_that_cannot_be_set()
    {
        var issue = Single(RetryBuilder.Validate(new RetryOptions { Attempts = 0, RetryOn = "5xx" }), ErrorIds.InvalidRetryPolicy);
        Assert.Equal("Attempts", issue.Field);
        Assert.Equal("with 0 attempts (retries off), -PerTryTimeout and -RetryOn cannot be set", issue.Message);
        Assert.Contains("-3 is not allowed", Single(RetryBuilder.Validate(new RetryOptions { Attempts = -3 }), ErrorIds.InvalidRetryPolicy).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retries_are_set_on_the_route()
    {
        var route = new HttpRoute();
        RetryBuilder.Apply(route, new RetryOptions { Attempts = 3, PerTryTimeout = MeshDuration.Parse("2s") });
        Assert.Equal(3, route.Retries!.Attempts);
        Assert.Equal("2s", route.Retries.PerTryTimeout);
    }

    [Fact]
    public void A_mirror_checks_its_percentage_and_replaces_the_old_field()
    {
        Assert.Equal("Percent", Single(MirrorBuilder.Validate(new MirrorOptions { Destination = "m", Percent = 150 }), ErrorIds.InvalidPercentage).Field);
        var route = new HttpRoute { MirrorPercent = 10 };
        MirrorBuilder.Apply(route, new MirrorOptions { Destination = "m", Subset = "v2" });
        Assert.Equal("v2", route.Mirror!.Subset);
        Assert.Equal(100, route.MirrorPercentage!.Value);
        Assert.Null(route.MirrorPercent);
    }

    private static TrafficSplitOptions Split(params (string Subset, object? Weight)[] weights) =>
        new() { Service = "ui", Weights = weights.Select(w => Pair(w.Subset, w.Weight)).ToList() };

    [Fact]
    public void A_split_reports_weights_under_the_singular_parameter()
    {
        var bad = Single(TrafficSplitBuilder.Validate(Split(("v1", "x"), ("v2", 100))), ErrorIds.InvalidWeight);
        Assert.Equal("Weights[v1]", bad.Field);
        Assert.Equal("-Weight[v1]", bad.Parameter);

        var sum = Single(TrafficSplitBuilder.Validate(Split(("v1", 20), ("v2", 70))), ErrorIds.WeightsMustSumTo100);
        Assert.Equal("-Weight", sum.Parameter);
        Assert.Equal("v1=20, v2=70 sum to 90: give whole percentages that sum to 100", sum.Message);
    }

    [Fact]
    public void A_split_needs_labels_for_subsets_not_named_vN()
    {
        var issue = Single(TrafficSplitBuilder.Validate(Split(("blue", 50), ("green", 50))), ErrorIds.MissingSubsetLabels);
        Assert.Equal("-SubsetLabel", issue.Parameter);
        Assert.Contains("give -SubsetLabel @{ blue", issue.Message, StringComparison.Ordinal);

        var labelled = Split(("blue", 50), ("green", 50)) with
        {
            SubsetLabels = new Dictionary<string, object?>
            {
                ["blue"] = new Dictionary<string, string> { ["track"] = "blue" },
                ["green"] = "not a hashtable",
            },
        };
        Assert.Equal("-SubsetLabel[green]", Single(TrafficSplitBuilder.Validate(labelled), ErrorIds.MissingSubsetLabels).Parameter);
    }

    [Fact]
    public void A_split_keeps_zero_weight_subsets_out_of_the_route_only()
    {
        var (rule, vs) = TrafficSplitBuilder.Build(Split(("v1", 100), ("v2", 0)) with { Gateways = ["gw"], Hosts = ["*"] });
        Assert.Equal(["v1", "v2"], rule.Spec.Subsets!.Select(s => s.Name));
        Assert.Equal("2.0", rule.Spec.Subsets![1].Labels!["version"]);
        var route = Assert.Single(vs.Spec.Http!);
        Assert.Equal("v1", Assert.Single(route.Route!).Destination!.Subset);
        Assert.Equal("/", route.Match![0].Uri!.Prefix);
        Assert.Equal(["gw"], vs.Spec.Gateways!);
        Assert.Throws<ArgumentException>(() => TrafficSplitBuilder.Build(Split(("v1", 50))));
    }

    [Fact]
    public void A_circuit_breaker_needs_a_setting_and_keeps_the_others()
    {
        Assert.Equal(ErrorIds.InvalidTrafficPolicy, Single(CircuitBreakerBuilder.Validate(new CircuitBreakerOptions()), ErrorIds.InvalidTrafficPolicy).ErrorId);
        Assert.Equal("MaxRequests", Single(CircuitBreakerBuilder.Validate(new CircuitBreakerOptions { MaxRequests = -1 }), ErrorIds.InvalidTrafficPolicy).Field);

        var rule = new DestinationRule { Name = "m" };
        CircuitBreakerBuilder.Apply(rule, new CircuitBreakerOptions { MaxConnections = 100, MaxPendingRequests = 1024 });
        CircuitBreakerBuilder.Apply(rule, new CircuitBreakerOptions { Consecutive5xxErrors = 7, Interval = MeshDuration.Parse("5m") });
        Assert.Equal(100, rule.Spec.TrafficPolicy!.ConnectionPool!.Tcp!.MaxConnections);
        Assert.Equal(1024, rule.Spec.TrafficPolicy.ConnectionPool.Http!.Http1MaxPendingRequests);
        Assert.Equal("5m", rule.Spec.TrafficPolicy.OutlierDetection!.Interval);
    }

    [Fact]
    public void A_subset_reports_its_labels_under_the_singular_parameter_and_no_duplicates()
    {
        var bad = Single(SubsetBuilder.Validate(new SubsetOptions { Name = "v1", Labels = new Dictionary<string, string> { ["version"] = "not ok!" } }), ErrorIds.InvalidLabel);
        Assert.Equal("Labels[version]", bad.Field);
        Assert.Equal("-Label[version]", bad.Parameter);

        var rule = new DestinationRule { Name = "ui" };
        var options = new SubsetOptions { Name = "v1", Labels = new Dictionary<string, string> { ["version"] = "1.0" } };
        Assert.Empty(SubsetBuilder.Apply(rule, options).Issues);
        Assert.Equal("Name", Single(SubsetBuilder.Apply(rule, options), ErrorIds.DuplicateSubset).Field);
        Assert.Single(rule.Spec.Subsets!);
    }

    [Fact]
    public void New_resources_are_built_as_the_codelab_writes_them()
    {
        var gateway = GatewayBuilder.Build(new GatewayOptions { Name = "guestbook-ui-gateway", Selector = new Dictionary<string, string> { ["istio"] = "ingressgateway" } });
        var server = Assert.Single(gateway.Spec.Servers!);
        Assert.Equal((80, "http", "HTTP"), (server.Port!.Number!.Value, server.Port.Name, server.Port.Protocol));
        Assert.Equal("Name", Single(GatewayBuilder.Validate(new GatewayOptions { Name = "a.b" }), ErrorIds.InvalidName).Field);

        var vs = VirtualServiceBuilder.Build(new VirtualServiceOptions { Name = "guestbook-ui", Hosts = ["*"], Gateways = ["guestbook-ui-gateway"] });
        Assert.Equal(["guestbook-ui-gateway"], vs.Spec.Gateways!);

        Assert.Equal("ui", DestinationRuleBuilder.Build(new DestinationRuleOptions { Name = "ui", Host = "ui" }).Spec.Host);
        Assert.Equal("Host", Single(DestinationRuleBuilder.Validate(new DestinationRuleOptions { Name = "ui", Host = "a..b" }), ErrorIds.InvalidHost).Field);
    }

    [Fact]
    public void An_egress_entry_checks_its_location_and_names_its_port_after_the_protocol()
    {
        Assert.Equal("Location", Single(EgressEntryBuilder.Validate(new EgressEntryOptions { Name = "g", Hosts = ["google.com"], Port = 443, Protocol = "HTTPS", Location = "outside" }), ErrorIds.InvalidServiceEntry).Field);
        var entry = EgressEntryBuilder.Build(new EgressEntryOptions { Name = "ubuntu", Hosts = ["*.ubuntu.com"], Port = 80, Protocol = "http", Addresses = ["10.0.0.1"] });
        Assert.Equal(("http", "HTTP"), (entry.Spec.Ports![0].Name, entry.Spec.Ports[0].Protocol));
        Assert.Equal("MESH_EXTERNAL", entry.Spec.Location);
        Assert.Equal(["10.0.0.1"], entry.Spec.Addresses!);
        Assert.Equal("-Address", EgressEntryBuilder.Parameters.Of("Addresses"));
    }

    [Fact]
    public void The_install_config_and_outbound_policy_upper_case_the_mode()
    {
        var config = InstallConfigBuilder.Build(new InstallConfigOptions { OutboundTrafficPolicy = "registry_only" });
        Assert.Equal("REGISTRY_ONLY", config.Spec.MeshConfig!.OutboundTrafficPolicy!.Mode);
        Assert.Equal("zipkin.istio-system:9411", config.Spec.MeshConfig.DefaultConfig!.Tracing!.Zipkin!.Address);
        Assert.Null(InstallConfigBuilder.Build(new InstallConfigOptions { ZipkinAddress = string.Empty }).Spec.MeshConfig);
        Assert.Equal("OutboundTrafficPolicy", Assert.Single(InstallConfigBuilder.Validate(new InstallConfigOptions { OutboundTrafficPolicy = "none" }).Errors).Field);

        Assert.Equal("-Mode", Assert.Single(OutboundPolicyBuilder.Validate("open").Errors).Parameter);
        var io = new IstioOperator();
        OutboundPolicyBuilder.Apply(io, "allow_any");
        Assert.Equal("ALLOW_ANY", io.Spec.MeshConfig!.OutboundTrafficPolicy!.Mode);
    }

    [Fact]
    public void Injection_labels_the_namespace()
    {
        Assert.Equal("-Namespace", Single(InjectionBuilder.Validate("Bad_Name"), ErrorIds.InvalidName).Parameter);
        Assert.Equal("disabled", InjectionBuilder.Label(new KubernetesNamespace { Name = "noistio" }, disable: true).Metadata.Labels![InstallRules.InjectionLabel]);
    }
}
