using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's validating-webhook rules (pkg/config/validation) for the networking and security kinds, and the
/// module's own rules for IstioOperator, namespaces and workloads, applied to a whole resource before it is
/// emitted, exported or applied. Kinds without rules here validate their name only.
/// </summary>
public static class ResourceValidator
{
    /// <summary>
    /// GuestbookLab's own warnings, which Istio's validation does not give, for the cmdlets that build and change
    /// resources to say about their change: HTTP routes after a match-less route that is not last (never used).
    /// </summary>
    public static IReadOnlyList<ValidationIssue> Advise(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var result = new ValidationResult(resource.DisplayName);
        if (resource is VirtualService vs && UnreachableRules.CatchAllBeforeLast(vs.Spec) is { } catchAll)
        {
            result.Warning(ErrorIds.UnreachableRoute, $"spec.http[{catchAll + 1}]", null,
                $"this route is unreachable: spec.http[{catchAll}] has no match and catches every request (only the last route can have no match)", "GuestbookLab (GBL0009)");
        }

        return result.Issues;
    }

    /// <summary>What the building cmdlets weigh about a resource: <see cref="Validate"/>'s issues and then <see cref="Advise"/>'s.</summary>
    public static IReadOnlyList<ValidationIssue> Check(LabResource resource) => [.. Validate(resource).Issues, .. Advise(resource)];

    public static ValidationResult Validate(LabResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var result = new ValidationResult(resource.DisplayName);
        // A Gateway's and a Namespace's names have the stricter DNS-1123 label rule, checked with their kinds;
        // an IstioOperator file needs no name (istioctl names it).
        if (resource is not (Gateway or KubernetesNamespace) && (resource is not IstioOperator || resource.Metadata.Name is not null))
        {
            Rules.ResourceName(result, "metadata.name", resource.Metadata.Name);
        }

        if (resource.Namespace is not null)
        {
            Rules.Dns1123Label(result, "metadata.namespace", resource.Namespace, ErrorIds.InvalidName, "namespace", "metadata.namespace");
        }

        var sidecar = resource is GenericResource { Kind: "Sidecar" } generic && generic.ApiVersion.StartsWith("networking.istio.io/", StringComparison.Ordinal) ? generic : null;
        if (resource is VirtualService or DestinationRule or Gateway or ServiceEntry or AuthorizationPolicy or PeerAuthentication or RequestAuthentication || sidecar is not null)
        {
            SecurityRules.DryRunAnnotation(result, resource);
        }

        if (sidecar is not null)
        {
            SidecarRules.Validate(result, sidecar);
        }

        switch (resource)
        {
            case VirtualService vs:
                VirtualServiceRules.Validate(result, vs);
                break;
            case DestinationRule dr:
                DestinationRuleRules.Validate(result, dr);
                break;
            case Gateway gw:
                GatewayRules.Validate(result, gw);
                break;
            case ServiceEntry se:
                ServiceEntryRules.Validate(result, se);
                break;
            case AuthorizationPolicy ap:
                SecurityRules.AuthorizationPolicy(result, ap);
                break;
            case PeerAuthentication pa:
                SecurityRules.PeerAuthentication(result, pa);
                break;
            case RequestAuthentication ra:
                SecurityRules.RequestAuthentication(result, ra);
                break;
            case IstioOperator io:
                InstallRules.IstioOperator(result, io);
                break;
            case KubernetesNamespace ns:
                InstallRules.Namespace(result, ns);
                break;
            case Workload workload:
                InstallRules.Workload(result, workload);
                break;
            case ServiceAccount account:
                KpackRules.ServiceAccount(result, account);
                break;
            case ClusterStore store:
                KpackRules.ClusterStore(result, store);
                break;
            case ClusterStack stack:
                KpackRules.ClusterStack(result, stack);
                break;
            case KpackBuilder builder:
                KpackRules.Builder(result, builder);
                break;
            case KpackImage image:
                KpackRules.Image(result, image);
                break;
        }

        return result;
    }

    internal static void Destination(ValidationResult result, string field, Destination? destination)
    {
        if (destination is null)
        {
            result.Error(ErrorIds.InvalidDestination, field, null, "a route needs a destination", "validateHTTPRouteDestinations");
            return;
        }

        // A port selector without a number (port: {}) is port 0 to Istio's protobuf, which ValidatePort refuses.
        Rules.Destination(result, $"{field}.host", destination.Host, $"{field}.subset", destination.Subset, $"{field}.port.number", destination.Port is null ? null : destination.Port.Number ?? 0);
    }

    internal static void Weights(ValidationResult result, string field, IReadOnlyList<int?> weights)
    {
        for (var i = 0; i < weights.Count; i++)
        {
            Rules.Weight(result, $"{field}[{i}].weight", weights[i]);
        }

        if (weights.Count > 1 && weights.All(w => (w ?? 0) == 0))
        {
            result.Error(ErrorIds.AllWeightsZero, field, null, "when a route has more than one destination, their weights cannot all be 0", "validateHTTPRouteDestinations");
        }
    }
}

internal static class VirtualServiceRules
{
    public static void Validate(ValidationResult result, VirtualService vs)
    {
        var spec = vs.Spec;
        var hosts = spec.Hosts ?? [];
        var gateways = spec.Gateways ?? [];
        var appliesToMesh = gateways.Count == 0 || gateways.Contains("mesh");
        var isDelegate = hosts.Count == 0;

        if ((spec.Http?.Count ?? 0) + (spec.Tcp?.Count ?? 0) + (spec.Tls?.Count ?? 0) == 0)
        {
            result.Error(ErrorIds.MissingRoutes, "spec", null, "a VirtualService needs at least one http, tcp or tls route (add one with Add-MeshRoute)", "ValidateVirtualService");
        }

        if (isDelegate && (gateways.Count > 0 || spec.Tcp is not null || spec.Tls is not null))
        {
            result.Error(ErrorIds.InvalidHost, "spec.hosts", null, "a delegate VirtualService (no hosts) cannot have gateways, tcp or tls routes", "ValidateVirtualService");
        }

        for (var i = 0; i < hosts.Count; i++)
        {
            var field = $"spec.hosts[{i}]";
            var host = hosts[i];
            if (host == "*" && appliesToMesh)
            {
                result.Error(ErrorIds.InvalidHost, field, host, "the host '*' is only allowed when the VirtualService is bound to gateways (not to the mesh)", "ValidateVirtualService");
            }
            else if (host != "*" && !Rules.IsIpAddress(host))
            {
                Rules.WildcardDomain(result, field, host, "ValidateVirtualService");
            }

            for (var j = 0; j < i; j++)
            {
                if (HostsOverlap(hosts[j], host))
                {
                    result.Error(ErrorIds.DuplicateHost, field, host, $"{ValidationResult.Show(host)} duplicates the host {ValidationResult.Show(hosts[j])}", "ValidateVirtualService");
                }
            }
        }

        for (var i = 0; i < gateways.Count; i++)
        {
            Rules.GatewayReference(result, $"spec.gateways[{i}]", gateways[i]);
        }

        Rules.ExportTo(result, "spec.exportTo", vs.Namespace, spec.ExportTo, allowNone: false);

        var http = spec.Http ?? [];
        for (var i = 0; i < http.Count; i++)
        {
            HttpRoute(result, $"spec.http[{i}]", http[i], isDelegate, vs.Spec.Gateways is { Count: > 0 } && !appliesToMesh);
        }

        foreach (var unreachable in UnreachableRules.Find(spec))
        {
            result.Warning(ErrorIds.UnreachableRoute, unreachable.Field, null, unreachable.Message, unreachable.Field.StartsWith("spec.http", StringComparison.Ordinal)
                ? "analyzeUnreachableHTTPRules" : unreachable.Field.StartsWith("spec.tcp", StringComparison.Ordinal) ? "analyzeUnreachableTCPRules" : "analyzeUnreachableTLSRules");
        }

        var tcp = spec.Tcp ?? [];
        for (var i = 0; i < tcp.Count; i++)
        {
            L4Routes(result, $"spec.tcp[{i}]", tcp[i].Route, "validateTCPRoute");
            foreach (var (match, m) in (tcp[i].Match ?? []).Select((m, j) => (m, j)))
            {
                if (match.Port is { } port)
                {
                    Rules.Port(result, $"spec.tcp[{i}].match[{m}].port", port);
                }
            }
        }

        var tls = spec.Tls ?? [];
        for (var i = 0; i < tls.Count; i++)
        {
            var route = tls[i];
            if (route.Match is not { Count: > 0 })
            {
                result.Error(ErrorIds.InvalidMatch, $"spec.tls[{i}].match", null, "a TLS route needs at least one match", "validateTLSRoute");
            }
            else
            {
                for (var m = 0; m < route.Match.Count; m++)
                {
                    if (route.Match[m].SniHosts is not { Count: > 0 })
                    {
                        result.Error(ErrorIds.InvalidMatch, $"spec.tls[{i}].match[{m}].sniHosts", null, "a TLS match needs at least one SNI host", "validateTLSMatch");
                    }

                    foreach (var (sni, h) in (route.Match[m].SniHosts ?? []).Select((x, h) => (x, h)))
                    {
                        SniHost(result, $"spec.tls[{i}].match[{m}].sniHosts[{h}]", sni, hosts);
                    }

                    if (route.Match[m].Port is { } tlsPort and not 0)
                    {
                        Rules.Port(result, $"spec.tls[{i}].match[{m}].port", tlsPort, "validateTLSMatch");
                    }
                }
            }

            L4Routes(result, $"spec.tls[{i}]", route.Route, "validateTLSRoute");
        }
    }

    /// <summary>validateSniHost: a (wildcard) domain within one of the VirtualService's hosts; an IP address only warns.</summary>
    private static void SniHost(ValidationResult result, string field, string sni, IReadOnlyList<string> hosts)
    {
        if (Rules.WildcardDomainProblem(sni) is { } problem)
        {
            if (Rules.IsIpAddress(sni))
            {
                result.Warning(ErrorIds.InvalidMatch, field, sni, $"{ValidationResult.Show(sni)} is an IP address: SNI does not allow them and most clients do not send one", "validateSniHost");
            }
            else
            {
                result.Error(ErrorIds.InvalidHost, field, sni, $"{ValidationResult.Show(sni)} is not a valid SNI host: {problem}", "validateSniHost");
            }

            return;
        }

        if (!hosts.Any(h => IsSubsetOf(sni, h)))
        {
            result.Error(ErrorIds.InvalidHost, field, sni, $"the SNI host {ValidationResult.Show(sni)} is not within any of the VirtualService's hosts ({string.Join(", ", hosts)})", "validateSniHost");
        }
    }

    /// <summary>host.Name.SubsetOf: 'a.foo.com' is within '*.foo.com' and '*'; a wildcard only within a wider wildcard.</summary>
    internal static bool IsSubsetOf(string host, string other)
    {
        if (host.StartsWith('*'))
        {
            return other.StartsWith('*') && host[1..].EndsWith(other[1..], StringComparison.Ordinal);
        }

        return other.StartsWith('*') ? host.EndsWith(other[1..], StringComparison.Ordinal) : host == other;
    }

    /// <summary>Whether two VirtualService hosts overlap, wildcard-aware ('*.foo.com' covers 'a.foo.com').</summary>
    internal static bool HostsOverlap(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        static bool Covers(string wildcard, string host) =>
            wildcard.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(wildcard[1..], StringComparison.OrdinalIgnoreCase);

        return Covers(a, b) || Covers(b, a) || a == "*" || b == "*";
    }

    private static void HttpRoute(ValidationResult result, string field, HttpRoute route, bool isDelegate, bool onGatewayOnly)
    {
        var hasRoute = route.Route is { Count: > 0 };
        if (!hasRoute && route.Redirect is null && route.DirectResponse is null && route.Delegate is null)
        {
            result.Error(ErrorIds.InvalidRoute, field, null, "an HTTP route needs a route, redirect or directResponse", "validateHTTPRouteConflict");
        }

        if (route.Redirect is not null && (hasRoute || route.Fault is not null || route.Rewrite is not null || route.DirectResponse is not null))
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.redirect", null, "a redirect cannot be combined with route, fault, rewrite or directResponse", "validateHTTPRouteConflict");
        }

        if (route.DirectResponse is not null && (hasRoute || route.Fault is not null || route.Rewrite is not null))
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.directResponse", null, "a directResponse cannot be combined with route, fault, rewrite or redirect", "validateHTTPRouteConflict");
        }

        if (route.Delegate is not null && (hasRoute || route.Redirect is not null))
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.delegate", null, "a route that delegates cannot also have route or redirect", "validateHTTPRouteConflict");
        }

        if (route.Delegate is not null && isDelegate)
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.delegate", null, "a delegate VirtualService cannot delegate again", "validateHTTPRouteConflict");
        }

        var destinations = route.Route ?? [];
        for (var i = 0; i < destinations.Count; i++)
        {
            ResourceValidator.Destination(result, $"{field}.route[{i}].destination", destinations[i].Destination);
            HttpRules.HeaderOperations(result, $"{field}.route[{i}]", destinations[i], destination: true);
        }

        HttpRules.HeaderOperations(result, field, route, destination: false);
        HttpRules.AuthorityRewrite(result, field, route);
        HttpRules.CorsPolicy(result, field, route);

        ResourceValidator.Weights(result, $"{field}.route", destinations.Select(d => d.Weight).ToList());

        var matches = route.Match ?? [];
        for (var i = 0; i < matches.Count; i++)
        {
            Match(result, $"{field}.match[{i}]", matches[i], onGatewayOnly);
        }

        if (route.Fault is { } fault)
        {
            Fault(result, $"{field}.fault", fault);
        }

        if (route.Retries is { } retries)
        {
            Retries(result, $"{field}.retries", retries);
        }

        if (route.Timeout is not null)
        {
            Rules.Duration(result, $"{field}.timeout", route.Timeout);
        }

        if (route.Mirror is not null)
        {
            ResourceValidator.Destination(result, $"{field}.mirror", route.Mirror);
        }

        if (route.MirrorPercentage?.Value is { } mirror && mirror is < 0 or > 100)
        {
            result.Error(ErrorIds.InvalidPercentage, $"{field}.mirrorPercentage.value", mirror, $"{ValidationResult.Show(mirror)} is not a valid mirror percentage: use 0 to 100", "validateHTTPRoute");
        }

        if (route.MirrorPercent is { } mirrorPercent)
        {
            Rules.Percent(result, $"{field}.mirrorPercent", mirrorPercent, "validateHTTPRoute");
            result.Warning(ErrorIds.InvalidMirror, $"{field}.mirrorPercent", mirrorPercent, "mirrorPercent is deprecated; use mirrorPercentage", "validateHTTPRoute");
        }

        if (route.Redirect is { } redirect)
        {
            if (string.IsNullOrEmpty(redirect.Uri) && string.IsNullOrEmpty(redirect.Authority) && string.IsNullOrEmpty(redirect.Scheme) && redirect.Port is null
                && !redirect.AdditionalFields.ContainsKey("derivePort"))
            {
                result.Error(ErrorIds.InvalidRedirect, $"{field}.redirect", null, "a redirect needs uri, authority, scheme or port", "validateHTTPRedirect");
            }

            if (redirect.RedirectCode is { } code && code != 0 && code is < 300 or > 399)
            {
                result.Error(ErrorIds.InvalidRedirect, $"{field}.redirect.redirectCode", code, $"{code} is not a redirect status: use 3xx", "validateHTTPRedirect");
            }

            if (redirect.Scheme is { Length: > 0 } and not ("http" or "https"))
            {
                result.Error(ErrorIds.InvalidRedirect, $"{field}.redirect.scheme", redirect.Scheme, "a redirect scheme is http or https", "validateHTTPRedirect");
            }

            if (redirect.Port is { } port and > 0)
            {
                Rules.Port(result, $"{field}.redirect.port", port, "validateHTTPRedirect");
            }
        }

        if (route.DirectResponse is { } direct)
        {
            // An unset status is 0 to Istio's protobuf, which validateHTTPStatus refuses.
            if ((direct.Status ?? 0) is var status && status is < 200 or > 600)
            {
                result.Error(ErrorIds.InvalidRoute, $"{field}.directResponse.status", status, $"{status} is not a valid status: use 200 to 600", "validateHTTPDirectResponse");
            }

            HttpRules.DirectResponseBody(result, $"{field}.directResponse", direct);
        }

        if (route.Rewrite is { } rewrite && string.IsNullOrEmpty(rewrite.Uri) && string.IsNullOrEmpty(rewrite.Authority))
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.rewrite", null, "a rewrite needs uri, authority or both", "validateHTTPRewrite");
        }
    }

    private static void Match(ValidationResult result, string field, HttpMatchRequest match, bool onGatewayOnly)
    {
        StringMatch(result, $"{field}.uri", match.Uri);
        StringMatch(result, $"{field}.scheme", match.Scheme);
        StringMatch(result, $"{field}.method", match.Method);
        StringMatch(result, $"{field}.authority", match.Authority);
        HeaderMatches(result, $"{field}.headers", match.Headers, onGatewayOnly);
        HeaderMatches(result, $"{field}.withoutHeaders", match.WithoutHeaders, onGatewayOnly);
        foreach (var (name, value) in match.QueryParams ?? [])
        {
            if (value is null)
            {
                result.Error(ErrorIds.InvalidMatch, $"{field}.queryParams.{name}", null, $"the query parameter match {ValidationResult.Show(name)} cannot be null", "validateHTTPRouteMatchRequest");
                continue;
            }

            StringMatch(result, $"{field}.queryParams.{name}", value);
        }

        if (match.Port is { } port)
        {
            Rules.Port(result, $"{field}.port", port, "validateHTTPRouteMatchRequest");
        }

        if (match.SourceNamespace is not null)
        {
            Rules.Dns1123Label(result, $"{field}.sourceNamespace", match.SourceNamespace, ErrorIds.InvalidMatch, "namespace", "validateHTTPRouteMatchRequest");
        }

        Rules.Labels(result, $"{field}.sourceLabels", match.SourceLabels);
        foreach (var (gateway, i) in (match.Gateways ?? []).Select((g, i) => (g, i)))
        {
            Rules.GatewayReference(result, $"{field}.gateways[{i}]", gateway);
        }
    }

    private static void HeaderMatches(ValidationResult result, string field, Dictionary<string, StringMatch>? headers, bool onGatewayOnly)
    {
        foreach (var (name, value) in headers ?? [])
        {
            if (string.IsNullOrEmpty(name))
            {
                result.Error(ErrorIds.InvalidMatch, field, name, "a header name cannot be empty", "validateHTTPRouteMatchRequest");
            }

            if (name.StartsWith("@request.auth.claims", StringComparison.Ordinal) && !onGatewayOnly)
            {
                result.Error(ErrorIds.InvalidMatch, $"{field}.{name}", name, "JWT claim matches (@request.auth.claims) are only allowed on a VirtualService bound to gateways only", "ValidateVirtualService");
            }

            // A YAML 'name:' with no value: Istio's protobuf leaves a nil match, which its validation refuses.
            if (value is null)
            {
                result.Error(ErrorIds.InvalidMatch, $"{field}.{name}", null, $"the header match {ValidationResult.Show(name)} cannot be null: give exact, prefix or regex", "validateHTTPRouteMatchRequest");
                continue;
            }

            if (value.Prefix is { Length: 0 })
            {
                result.Error(ErrorIds.InvalidMatch, $"{field}.{name}.prefix", string.Empty, "a header prefix match cannot be empty", "validateHTTPRouteMatchRequest");
            }

            StringMatch(result, $"{field}.{name}", value);
        }
    }

    private static void StringMatch(ValidationResult result, string field, StringMatch? match)
    {
        if (match?.Regex is not null)
        {
            Rules.Regex(result, $"{field}.regex", match.Regex);
        }
    }

    private static void Fault(ValidationResult result, string field, HttpFaultInjection fault)
    {
        Rules.FaultAction(result, field, fault.Abort is not null, fault.Delay is not null);

        if (fault.Abort is { } abort)
        {
            Rules.Percentage(result, $"{field}.abort.percentage.value", abort.Percentage?.Value);
            if (abort.HttpStatus is { } status)
            {
                Rules.AbortStatus(result, $"{field}.abort.httpStatus", status);
            }

            if (abort.GrpcStatus is { } grpc && !Rules.GrpcCodes.Contains(grpc, StringComparer.Ordinal))
            {
                result.Error(ErrorIds.InvalidFault, $"{field}.abort.grpcStatus", grpc, $"{ValidationResult.Show(grpc)} is not a gRPC status code name (e.g. UNAVAILABLE)", "validateHTTPFaultInjectionAbort");
            }

            if (abort.Http2Error is not null)
            {
                result.Error(ErrorIds.InvalidFault, $"{field}.abort.http2Error", abort.Http2Error, "http2Error aborts are not supported", "validateHTTPFaultInjectionAbort");
            }

            if (abort.HttpStatus is null && abort.GrpcStatus is null && abort.Http2Error is null)
            {
                result.Error(ErrorIds.InvalidFault, $"{field}.abort", null, "an abort needs httpStatus or grpcStatus", "validateHTTPFaultInjectionAbort");
            }
        }

        if (fault.Delay is { } delay)
        {
            Rules.Percentage(result, $"{field}.delay.percentage.value", delay.Percentage?.Value);
            Rules.Percent(result, $"{field}.delay.percent", delay.Percent);
            if (delay.ExponentialDelay is not null)
            {
                result.Error(ErrorIds.InvalidFault, $"{field}.delay.exponentialDelay", delay.ExponentialDelay, "exponentialDelay is not supported", "validateHTTPFaultInjectionDelay");
            }
            else if (delay.FixedDelay is null)
            {
                result.Error(ErrorIds.InvalidFault, $"{field}.delay.fixedDelay", null, "a delay needs fixedDelay", "validateHTTPFaultInjectionDelay");
            }
            else
            {
                Rules.Duration(result, $"{field}.delay.fixedDelay", delay.FixedDelay);
            }
        }
    }

    internal static void Retries(ValidationResult result, string field, HttpRetry retries)
    {
        if (retries.Attempts is < 0)
        {
            result.Error(ErrorIds.InvalidRetryPolicy, $"{field}.attempts", retries.Attempts, "retry attempts cannot be negative", "validateHTTPRetry");
        }

        Rules.RetriesOff(result, $"{field}.attempts", retries.Attempts ?? 0,
            retries.PerTryTimeout is not null || retries.RetryOn is not null || retries.RetryRemoteLocalities is not null,
            ["perTryTimeout", "retryOn", "retryRemoteLocalities"]);

        if (retries.PerTryTimeout is not null)
        {
            Rules.Duration(result, $"{field}.perTryTimeout", retries.PerTryTimeout);
        }

        Rules.RetryOn(result, $"{field}.retryOn", retries.RetryOn);
    }

    private static void L4Routes(ValidationResult result, string field, List<RouteDestination>? routes, string rule)
    {
        if (routes is not { Count: > 0 })
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.route", null, "a route needs at least one destination", rule);
            return;
        }

        for (var i = 0; i < routes.Count; i++)
        {
            ResourceValidator.Destination(result, $"{field}.route[{i}].destination", routes[i].Destination);
        }

        ResourceValidator.Weights(result, $"{field}.route", routes.Select(r => r.Weight).ToList());
    }
}

internal static class DestinationRuleRules
{
    public static void Validate(ValidationResult result, DestinationRule dr)
    {
        var spec = dr.Spec;
        if (string.IsNullOrEmpty(spec.Host))
        {
            result.Error(ErrorIds.InvalidHost, "spec.host", null, "a DestinationRule needs a host", "ValidateDestinationRule");
        }
        else
        {
            Rules.WildcardDomain(result, "spec.host", spec.Host, "ValidateDestinationRule");
        }

        if (spec.TrafficPolicy is not null)
        {
            TrafficPolicy(result, "spec.trafficPolicy", spec.TrafficPolicy);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var subsets = spec.Subsets ?? [];
        for (var i = 0; i < subsets.Count; i++)
        {
            var subset = subsets[i];
            var field = $"spec.subsets[{i}]";
            if (Rules.Dns1123Label(result, $"{field}.name", subset.Name, ErrorIds.InvalidSubset, "subset name", "validateSubset") && !names.Add(subset.Name!))
            {
                result.Error(ErrorIds.DuplicateSubset, $"{field}.name", subset.Name, $"the subset {ValidationResult.Show(subset.Name)} is defined twice", "validateSubset");
            }

            Rules.Labels(result, $"{field}.labels", subset.Labels);
            if (subset.TrafficPolicy is not null)
            {
                TrafficPolicy(result, $"{field}.trafficPolicy", subset.TrafficPolicy);
            }
        }

        Rules.Selector(result, "spec.workloadSelector.matchLabels", spec.WorkloadSelector?.MatchLabels);
        Rules.ExportTo(result, "spec.exportTo", dr.Namespace, spec.ExportTo, allowNone: false);
        if (spec.WorkloadSelector is not null && spec.ExportTo is { } export && (export.Count != 1 || (export[0] != "." && export[0] != dr.Namespace)))
        {
            result.Error(ErrorIds.InvalidExportTo, "spec.exportTo", string.Join(",", export), "a DestinationRule with a workloadSelector can only be exported to its own namespace", "validateExportTo");
        }
    }

    private static void TrafficPolicy(ValidationResult result, string field, TrafficPolicy policy)
    {
        if (policy.ConnectionPool is null && policy.OutlierDetection is null && policy.LoadBalancer is null && policy.Tls is null
            && policy.PortLevelSettings is null && policy.Tunnel is null)
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, field, null, "a traffic policy needs at least one of connectionPool, outlierDetection, loadBalancer, tls, portLevelSettings or tunnel", "validateTrafficPolicy");
        }

        ConnectionPool(result, $"{field}.connectionPool", policy.ConnectionPool);
        Outlier(result, $"{field}.outlierDetection", policy.OutlierDetection);
        LoadBalancerRules.LoadBalancer(result, $"{field}.loadBalancer", policy.LoadBalancer, policy.OutlierDetection is not null);
        Tls(result, $"{field}.tls", policy.Tls);
        LoadBalancerRules.Tunnel(result, $"{field}.tunnel", policy.Tunnel);
        var ports = policy.PortLevelSettings ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var portField = $"{field}.portLevelSettings[{i}]";
            if (port.Port?.Number is not { } number)
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, $"{portField}.port", null, "a port-level setting needs a port", "validatePortTrafficPolicies");
            }
            else
            {
                Rules.Port(result, $"{portField}.port.number", number, "validatePortTrafficPolicies");
            }

            if (port.ConnectionPool is null && port.OutlierDetection is null && port.LoadBalancer is null && port.Tls is null)
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, portField, null, "a port-level setting needs connectionPool, outlierDetection, loadBalancer or tls", "validatePortTrafficPolicies");
            }

            ConnectionPool(result, $"{portField}.connectionPool", port.ConnectionPool);
            Outlier(result, $"{portField}.outlierDetection", port.OutlierDetection);
            LoadBalancerRules.LoadBalancer(result, $"{portField}.loadBalancer", port.LoadBalancer, port.OutlierDetection is not null);
            Tls(result, $"{portField}.tls", port.Tls);
        }
    }

    private static void ConnectionPool(ValidationResult result, string field, ConnectionPoolSettings? pool)
    {
        if (pool is null)
        {
            return;
        }

        if (pool.Http is null && pool.Tcp is null)
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, field, null, "a connection pool needs http or tcp settings", "validateConnectionPool");
        }

        if (pool.Http is { } http)
        {
            NonNegative(result, $"{field}.http.http1MaxPendingRequests", http.Http1MaxPendingRequests);
            NonNegative(result, $"{field}.http.http2MaxRequests", http.Http2MaxRequests);
            NonNegative(result, $"{field}.http.maxRequestsPerConnection", http.MaxRequestsPerConnection);
            NonNegative(result, $"{field}.http.maxRetries", http.MaxRetries);
            if (http.IdleTimeout is not null)
            {
                Rules.Duration(result, $"{field}.http.idleTimeout", http.IdleTimeout);
            }

            if (http.UseClientProtocol == true && http.H2UpgradePolicy == "UPGRADE")
            {
                result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.http.useClientProtocol", true, "useClientProtocol cannot be combined with h2UpgradePolicy UPGRADE", "validateConnectionPool");
            }
        }

        if (pool.Tcp is { } tcp)
        {
            NonNegative(result, $"{field}.tcp.maxConnections", tcp.MaxConnections);
            if (tcp.ConnectTimeout is not null)
            {
                Rules.Duration(result, $"{field}.tcp.connectTimeout", tcp.ConnectTimeout);
            }

            if (tcp.MaxConnectionDuration is not null)
            {
                Rules.Duration(result, $"{field}.tcp.maxConnectionDuration", tcp.MaxConnectionDuration);
            }
        }
    }

    private static void Outlier(ValidationResult result, string field, OutlierDetection? outlier)
    {
        if (outlier is null)
        {
            return;
        }

        if (outlier.BaseEjectionTime is not null)
        {
            Rules.Duration(result, $"{field}.baseEjectionTime", outlier.BaseEjectionTime);
        }

        if (outlier.Interval is not null)
        {
            Rules.Duration(result, $"{field}.interval", outlier.Interval);
        }

        Rules.Percent(result, $"{field}.maxEjectionPercent", outlier.MaxEjectionPercent, "validateOutlierDetection");
        Rules.Percent(result, $"{field}.minHealthPercent", outlier.MinHealthPercent, "validateOutlierDetection");
        NonNegative(result, $"{field}.consecutive5xxErrors", outlier.Consecutive5xxErrors);
        NonNegative(result, $"{field}.consecutiveGatewayErrors", outlier.ConsecutiveGatewayErrors);
        if (outlier.ConsecutiveLocalOriginFailures > 0 && outlier.SplitExternalLocalOriginErrors != true)
        {
            result.Error(ErrorIds.InvalidTrafficPolicy, $"{field}.consecutiveLocalOriginFailures", outlier.ConsecutiveLocalOriginFailures,
                "consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true", "validateOutlierDetection");
        }

        if (outlier.ConsecutiveErrors is not null)
        {
            result.Warning(ErrorIds.InvalidTrafficPolicy, $"{field}.consecutiveErrors", outlier.ConsecutiveErrors,
                "consecutiveErrors is deprecated and ignored by Istio 1.17; use consecutive5xxErrors", "validateOutlierDetection");
        }
    }

    private static void Tls(ValidationResult result, string field, ClientTlsSettings? tls)
    {
        if (tls is null)
        {
            return;
        }

        if (tls.Mode is not null and not ("DISABLE" or "SIMPLE" or "MUTUAL" or "ISTIO_MUTUAL"))
        {
            result.Error(ErrorIds.InvalidTls, $"{field}.mode", tls.Mode, $"{ValidationResult.Show(tls.Mode)} is not a TLS mode: use DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL", "validateTLS");
        }

        // "" is unset, as in Istio's protobuf.
        static bool Set(string? value) => !string.IsNullOrEmpty(value);
        if (Set(tls.CredentialName) && tls.Mode is "SIMPLE" or "MUTUAL")
        {
            foreach (var (name, value) in new[] { ("clientCertificate", tls.ClientCertificate), ("privateKey", tls.PrivateKey), ("caCertificates", tls.CaCertificates) })
            {
                if (Set(value))
                {
                    result.Error(ErrorIds.InvalidTls, $"{field}.{name}", null, $"with credentialName set, {name} must be empty: the certificates come from the credential", "validateTLS");
                }
            }
        }
        else if (tls.Mode == "MUTUAL")
        {
            foreach (var (name, value) in new[] { ("clientCertificate", tls.ClientCertificate), ("privateKey", tls.PrivateKey) })
            {
                if (!Set(value))
                {
                    result.Error(ErrorIds.InvalidTls, $"{field}.{name}", null, $"MUTUAL TLS needs {name} (or credentialName)", "validateTLS");
                }
            }
        }
    }

    private static void NonNegative(ValidationResult result, string field, int? value) => Rules.NonNegative(result, field, value);
}

internal static class GatewayRules
{
    public static void Validate(ValidationResult result, Gateway gateway)
    {
        Rules.Dns1123Label(result, "metadata.name", gateway.Metadata.Name, ErrorIds.InvalidName, "Gateway name", "ValidateGateway");
        Rules.Selector(result, "spec.selector", gateway.Spec.Selector);
        var servers = gateway.Spec.Servers ?? [];
        if (servers.Count == 0)
        {
            result.Error(ErrorIds.InvalidServer, "spec.servers", null, "a Gateway needs at least one server", "ValidateGateway");
        }

        var portNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < servers.Count; i++)
        {
            var server = servers[i];
            var field = $"spec.servers[{i}]";
            if (server.Hosts is not { Count: > 0 })
            {
                result.Error(ErrorIds.InvalidServer, $"{field}.hosts", null, "a server needs at least one host", "validateServer");
            }

            foreach (var (host, h) in (server.Hosts ?? []).Select((x, j) => (x, j)))
            {
                ServerHost(result, $"{field}.hosts[{h}]", host);
            }

            if (server.Port is not { } port)
            {
                result.Error(ErrorIds.InvalidServer, $"{field}.port", null, "a server needs a port", "validateServerPort");
                continue;
            }

            if (string.IsNullOrEmpty(port.Protocol))
            {
                result.Error(ErrorIds.InvalidProtocol, $"{field}.port.protocol", null, "a server port needs a protocol", "validateServerPort");
            }
            else
            {
                Rules.Protocol(result, $"{field}.port.protocol", port.Protocol);
            }

            if (port.Number is > 0)
            {
                Rules.Port(result, $"{field}.port.number", port.Number, "validateServerPort");
            }

            if (string.IsNullOrEmpty(port.Name))
            {
                result.Error(ErrorIds.InvalidPortName, $"{field}.port.name", null, "a server port needs a name", "validateServerPort");
            }
            else if (!portNames.Add(port.Name))
            {
                result.Error(ErrorIds.InvalidPortName, $"{field}.port.name", port.Name, $"the port name {ValidationResult.Show(port.Name)} is used by another server", "validateServerPort");
            }

            var protocol = port.Protocol?.ToUpperInvariant();
            var isTls = protocol is "HTTPS" or "TLS";
            var isHttp = protocol is "HTTP" or "HTTP2" or "HTTP_PROXY" or "GRPC" or "GRPC-WEB";
            ServerBind(result, field, server.Bind, port);
            if (server.Tls is { } tls)
            {
                TlsOptions(result, $"{field}.tls", tls);
                if (tls.HttpsRedirect == true && !isHttp)
                {
                    result.Warning(ErrorIds.InvalidTls, $"{field}.tls.httpsRedirect", "true", "tls.httpsRedirect should only be used with HTTP servers", "ValidateGateway");
                }
            }

            if (isTls && server.Tls is null)
            {
                result.Error(ErrorIds.InvalidTls, $"{field}.tls", null, $"a {protocol} server needs tls settings", "validateServer");
            }
            else if (!isTls && Rules.IsKnownProtocol(protocol) && server.Tls is { } plain)
            {
                // Istio lets a plaintext HTTP server carry a passthrough tls block (httpsRedirect), without certificates.
                var passthrough = TlsMode(plain) is "PASSTHROUGH" or "AUTO_PASSTHROUGH";
                if (!isHttp)
                {
                    result.Error(ErrorIds.InvalidTls, $"{field}.tls", null, $"a {protocol} server cannot have tls settings (only HTTPS and TLS servers can)", "validateServer");
                }
                else if (!passthrough || Set(plain.CaCertificates) || Set(plain.PrivateKey) || Set(plain.ServerCertificate))
                {
                    result.Error(ErrorIds.InvalidTls, $"{field}.tls", null, "a plaintext HTTP server can only carry tls.httpsRedirect: no mode other than PASSTHROUGH and no certificates", "validateServer");
                }
            }
        }
    }

    private static bool Set(string? value) => !string.IsNullOrEmpty(value);

    /// <summary>The server TLS mode as Istio's protobuf reads it: unset (or "") is PASSTHROUGH, the enum's zero.</summary>
    private static string TlsMode(ServerTlsSettings tls) => string.IsNullOrEmpty(tls.Mode) ? "PASSTHROUGH" : tls.Mode;

    private static readonly string[] ServerTlsModes = ["PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL"];

    private static readonly string[] TlsVersions = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"];

    /// <summary>The cipher suites a Gateway server may name (Istio 1.17's ValidCipherSuites: BoringSSL's, less PSK).</summary>
    private static readonly HashSet<string> CipherSuites = new(StringComparer.Ordinal)
    {
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA", "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA",
    };

    /// <summary>validateServerBind: an IP address, or unix://PATH with port number 0.</summary>
    private static void ServerBind(ValidationResult result, string field, string? bind, ServerPort port)
    {
        if (string.IsNullOrEmpty(bind))
        {
            return;
        }

        if (bind.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = bind["unix://".Length..];
            if (path.Length == 0 || (path[0] != '@' && path[0] != '/'))
            {
                result.Error(ErrorIds.InvalidServer, $"{field}.bind", bind, $"{ValidationResult.Show(bind)} is not a unix socket address: use unix:///absolute/path or unix://@abstract", "validateServerBind");
            }

            if (port.Number is > 0)
            {
                result.Error(ErrorIds.InvalidServer, $"{field}.port.number", port.Number.Value.ToString(CultureInfo.InvariantCulture), "the port number must be 0 for a unix domain socket", "validateServerBind");
            }
        }
        else if (!Rules.IsIpAddress(bind))
        {
            result.Error(ErrorIds.InvalidServer, $"{field}.bind", bind, $"{ValidationResult.Show(bind)} is not a valid IP address (or unix:// path) to bind", "validateServerBind");
        }
    }

    /// <summary>validateTLSOptions, in Istio 1.17's order: versions, cipher suites, then what each mode needs.</summary>
    internal static void TlsOptions(ValidationResult result, string field, ServerTlsSettings tls)
    {
        var mode = TlsMode(tls);
        if (Array.IndexOf(ServerTlsModes, mode) < 0)
        {
            result.Error(ErrorIds.InvalidTls, $"{field}.mode", tls.Mode, $"{ValidationResult.Show(tls.Mode)} is not a server TLS mode: use {string.Join(", ", ServerTlsModes)}", "validateTLSOptions");
            return;
        }

        foreach (var (name, version) in new[] { ("minProtocolVersion", tls.MinProtocolVersion), ("maxProtocolVersion", tls.MaxProtocolVersion) })
        {
            if (Set(version) && Array.IndexOf(TlsVersions, version) < 0)
            {
                result.Error(ErrorIds.InvalidTls, $"{field}.{name}", version, $"{ValidationResult.Show(version)} is not a TLS version: use {string.Join(", ", TlsVersions)}", "validateTLSOptions");
            }
        }

        var suites = tls.CipherSuites ?? [];
        if (tls.MinProtocolVersion is "TLSV1_0" or "TLSV1_1" && suites.Count == 0)
        {
            result.Warning(ErrorIds.InvalidTls, $"{field}.cipherSuites", null, "TLS versions below TLSV1_2 need compatible cipherSuites set: the default ones no longer include them", "validateTLSOptions");
        }

        var invalid = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicate = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var suite in suites)
        {
            // "" and "ALL" are accepted, and so is anything starting with an operator (+, -, !, [ ...), as Istio does.
            var valid = suite.Length == 0 || suite == "ALL" || !char.IsLetterOrDigit(suite[0]) || CipherSuites.Contains(suite);
            if (!valid)
            {
                invalid.Add(suite);
            }
            else if (!seen.Add(suite))
            {
                duplicate.Add(suite);
            }
        }

        if (invalid.Count > 0)
        {
            result.Warning(ErrorIds.InvalidTls, $"{field}.cipherSuites", string.Join(",", invalid), $"ignoring invalid cipher suites: {string.Join(", ", invalid)}", "validateTLSOptions");
        }

        if (duplicate.Count > 0)
        {
            result.Warning(ErrorIds.InvalidTls, $"{field}.cipherSuites", string.Join(",", duplicate), $"ignoring duplicate cipher suites: {string.Join(", ", duplicate)}", "validateTLSOptions");
        }

        switch (mode)
        {
            case "ISTIO_MUTUAL":
                foreach (var (name, value) in new[] { ("serverCertificate", tls.ServerCertificate), ("privateKey", tls.PrivateKey), ("caCertificates", tls.CaCertificates), ("credentialName", tls.CredentialName) })
                {
                    if (Set(value))
                    {
                        result.Error(ErrorIds.InvalidTls, $"{field}.{name}", null, $"ISTIO_MUTUAL TLS cannot have an associated {name}: the proxy uses its own workload certificate", "validateTLSOptions");
                    }
                }

                return;
            case "PASSTHROUGH" or "AUTO_PASSTHROUGH" when Set(tls.ServerCertificate) || Set(tls.PrivateKey) || Set(tls.CaCertificates) || Set(tls.CredentialName):
                result.Warning(ErrorIds.InvalidTls, field, null, $"{mode} mode does not use certificates: they will be ignored", "validateTLSOptions");
                return;
            case "SIMPLE" or "MUTUAL" when Set(tls.CredentialName):
                // The certificates come from the credentialName's Secret.
                return;
        }

        if (mode is "SIMPLE" or "MUTUAL")
        {
            foreach (var (name, value, what) in new[] { ("serverCertificate", tls.ServerCertificate, "a server certificate"), ("privateKey", tls.PrivateKey, "a private key"), ("caCertificates", mode == "MUTUAL" ? tls.CaCertificates : "-", "a client CA bundle") })
            {
                if (!Set(value))
                {
                    result.Error(ErrorIds.InvalidTls, $"{field}.{name}", null, $"{mode} TLS requires {what} (or credentialName)", "validateTLSOptions");
                }
            }
        }
    }

    private static void ServerHost(ValidationResult result, string field, string host)
    {
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        var dns = slash < 0 ? host : host[(slash + 1)..];
        if (slash >= 0)
        {
            var ns = host[..slash];
            if (ns is not ("*" or ".") && !Rules.Dns1123Label(new ValidationResult(), field, ns, ErrorIds.InvalidHost, "namespace", "validateNamespaceSlashWildcardHostname"))
            {
                result.Error(ErrorIds.InvalidHost, field, host, $"{ValidationResult.Show(ns)} is not a namespace: use '*', '.' or a namespace name before the '/'", "validateNamespaceSlashWildcardHostname");
                return;
            }
        }

        if (dns == "*" || Rules.IsIpAddress(dns))
        {
            return;
        }

        if (!dns.Contains('.', StringComparison.Ordinal))
        {
            result.Error(ErrorIds.InvalidHost, field, host, $"{ValidationResult.Show(host)} is a short name: a Gateway host needs a dot (e.g. 'ui.example.com') or is '*'", "validateSidecarOrGatewayHostnamePart");
            return;
        }

        if (dns.Contains('*', StringComparison.Ordinal) && !dns.StartsWith("*.", StringComparison.Ordinal))
        {
            result.Error(ErrorIds.InvalidHost, field, host, $"{ValidationResult.Show(host)} has a partial wildcard: use '*' or '*.example.com'", "validatePartialWildCard");
            return;
        }

        Rules.WildcardDomain(result, field, dns, "validateSidecarOrGatewayHostnamePart");
    }
}
