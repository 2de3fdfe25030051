using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum AnalysisLevel : long
{
    Info = 0,
    Warning = 1,
    Error = 2,
}

/// <summary>One finding, like a line of istioctl analyze: code, level, resource and message.</summary>
public sealed record AnalysisMessage(string Code, string Name, AnalysisLevel Level, string Resource, string Message)
{
    /// <summary>The field of the resource the finding is about, when there is one (e.g. spec.ports[1]); findings with the same text on different fields are distinct.</summary>
    public string? Field { get; init; }

    /// <summary>
    /// Where the resource was read from (file or URL, and line), when it came from a manifest: the line of <see cref="Field"/>
    /// when the field is known and the file could be read again, else the line its document starts on.
    /// </summary>
    public ManifestSource? Source { get; init; }

    /// <summary>As istioctl analyze prints a finding, the place after the resource when known: <c>Error [IST0101] (VirtualService default/reviews vs.yaml:12) ...</c>.</summary>
    public override string ToString() => Source is null ? $"{Level} [{Code}] ({Resource}) {Message}" : $"{Level} [{Code}] ({Resource} {Source}) {Message}";
}

/// <summary>
/// Static analysis in the manner of istioctl analyze (Istio 1.17 analyzers, ANALYZER_LOGIC.md), on a built
/// <see cref="MeshModel"/>. Codes are Istio's where Istio has one; GuestbookLab's own findings use GBL codes.
/// </summary>
public static partial class MeshAnalyzer
{
    /// <summary>The analyzers, by Istio's names where Istio has the analyzer, GuestbookLab's own as guestbooklab.*.</summary>
    private static readonly (string Name, Action<AnalysisInputs, List<AnalysisMessage>> Run)[] All =
    [
        ("schema.ValidationAnalyzer", (i, m) => { Schema(i, m); UnreachableRules(i.Model, m); }),
        ("virtualservice.DestinationHostAnalyzer", VirtualServiceDestinationHosts),
        ("virtualservice.DestinationRuleAnalyzer", VirtualServiceDestinationRules),
        ("virtualservice.GatewayAnalyzer", VirtualServiceGateways),
        ("virtualservice.ConflictingMeshGatewayHostsAnalyzer", ConflictingMeshHosts),
        ("virtualservice.RegexAnalyzer", (i, m) => Regexes(i.Model, m)),
        ("virtualservice.JWTClaimRouteAnalyzer", JwtClaimRoutes),
        ("destinationrule.CaCertificateAnalyzer", CaCertificates),
        ("deprecation.FieldAnalyzer", Deprecations),
        ("deployment.ApplicationUIDAnalyzer", ApplicationUids),
        ("deployment.ServiceAssociationAnalyzer", ServiceAssociation),
        ("annotations.K8sAnalyzer", Annotations),
        ("service.PortNameAnalyzer", PortNames),
        ("telemetry.ProdiverAnalyzer", TelemetryProviders),
        ("sidecar.SelectorAnalyzer", SidecarSelectors),
        ("sidecar.DefaultSelectorAnalyzer", SidecarDefaults),
        ("gateway.IngressGatewayPortAnalyzer", GatewayPorts),
        ("gateway.SecretAnalyzer", GatewaySecrets),
        ("gateway.CertificateAnalyzer", GatewayCertificates),
        ("gateway.ConflictingGatewayAnalyzer", ConflictingGateways),
        ("authz.AuthorizationPoliciesAnalyzer", AuthorizationPolicies),
        ("injection.Analyzer", Injection),
        ("injection.ImageAnalyzer", ProxyImages),
        ("injection.ImageAutoAnalyzer", ImageAuto),
        ("serviceentry.ProtocolAddressesAnalyzer", ServiceEntryAddresses),
        ("envoyfilter.EnvoyPatchAnalyzer", EnvoyFilterPatches),
        ("webhook.Analyzer", InjectionWebhooks),
        ("multicluster.MeshNetworksAnalyzer", MeshNetworks),
        ("guestbooklab.DestinationRuleWorkloadsAnalyzer", DestinationRuleWorkloads),
        ("guestbooklab.PrincipalAnalyzer", (i, m) => Principals(i.Model, m)),
        ("guestbooklab.AllowAnySourceAnalyzer", AllowAnySource),
        ("guestbooklab.StrictMtlsClientsAnalyzer", (i, m) => StrictMtlsClients(i.Model, m)),
        ("guestbooklab.ServiceEntryConflictAnalyzer", (i, m) => ServiceEntryConflicts(i.Model, m)),
        ("guestbooklab.ProbeRewriteAnalyzer", (i, m) => ProbeRewrite(i.Model, m)),
        ("guestbooklab.RulesAfterCatchAllAnalyzer", (i, m) => RulesAfterCatchAll(i.Model, m)),
    ];

    /// <summary>Analyzers that run only when named, as Istio leaves them out of its default set (too noisy).</summary>
    private static readonly (string Name, Action<AnalysisInputs, List<AnalysisMessage>> Run)[] OptIn =
    [
        ("maturity.AlphaAnalyzer", AlphaAnnotations),
    ];

    /// <summary>The names of the analyzers <see cref="Analyze(MeshModel, AnalysisOptions)"/> runs by default.</summary>
    public static IReadOnlyList<string> AnalyzerNames { get; } = All.Select(a => a.Name).ToList();

    public static IReadOnlyList<AnalysisMessage> Analyze(MeshModel model) => Analyze(model, new AnalysisOptions());

    /// <summary>Runs the analyzers <paramref name="options"/> names (all by default); one message per finding, as istioctl analyze reports them.</summary>
    public static IReadOnlyList<AnalysisMessage> Analyze(MeshModel model, AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var messages = new List<AnalysisMessage>();
        var inputs = new AnalysisInputs(model, options);
        foreach (var (name, run) in All)
        {
            // A name may carry Istio's collection suffix (schema.ValidationAnalyzer.IstioNetworkingV1Alpha3Virtualservices).
            if (options.Analyzers is null || options.Analyzers.Any(a => a == name || a.StartsWith(name + ".", StringComparison.Ordinal)))
            {
                run(inputs, messages);
            }
        }

        foreach (var (_, run) in OptIn.Where(a => options.Analyzers?.Contains(a.Name) == true))
        {
            run(inputs, messages);
        }

        // As istioctl analyze: identical findings (same code, resource, text and place) are reported once; a resource's
        // galley.istio.io/analyze-suppress annotation (codes, or *) and the suppressions leave findings out.
        var suppressedByAnnotation = model.Resources
            .Where(r => !string.IsNullOrEmpty(r.Metadata.Annotations?.GetValueOrDefault("galley.istio.io/analyze-suppress")))
            .GroupBy(Ref, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Metadata.Annotations!["galley.istio.io/analyze-suppress"].Split(',').Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var sources = AnalysisSources.Of(model.Resources);
        return AnalysisSuppression.Filter(messages, options.Suppressions)
            .Where(m => !(suppressedByAnnotation.TryGetValue(m.Resource, out var codes) && (codes.Contains("*") || codes.Contains(m.Code))))
            .DistinctBy(m => (m.Code, m.Resource, m.Message, m.Field))
            .Select(m => sources.TryGetValue(m.Resource, out var source) ? m with { Source = source } : m)
            .OrderByDescending(m => m.Level).ThenBy(m => m.Resource, StringComparer.Ordinal).ThenBy(m => m.Code, StringComparer.Ordinal)
            .ToList();
    }

    private static string Ref(LabResource r) => r.Namespace is null ? $"{r.Kind} {r.Name}" : $"{r.Kind} {r.Namespace}/{r.Name}";

    private static string Labels(IReadOnlyDictionary<string, string>? selector) =>
        string.Join(",", (selector ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>IST0106/IST0133: schema errors and warnings, as the validator (Test-MeshResource) reports them.</summary>
    private static void Schema(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var resource in inputs.Model.Resources)
        {
            foreach (var issue in inputs.Validation(resource).Issues)
            {
                var text = $"{issue.Field}: {issue.Message}";
                AnalysisMessage? message = issue switch
                {
                    // Reported by their own analyzers: regexes (IST0122), ServiceEntry addresses (IST0134), split ALLOW rules (GBL0008).
                    { ErrorId: ErrorIds.InvalidRegex } or { Field: "spec.addresses", Severity: IssueSeverity.Warning } => null,
                    { ErrorId: ErrorIds.RuleAllowsMore, Rule: "AuthorizationPolicy rules" } => null,
                    // Unreachable and ineffective rules (IST0130, IST0131) are found as Istio's validation finds them, in UnreachableRules.
                    { ErrorId: ErrorIds.UnreachableRoute } => null,
                    { Severity: IssueSeverity.Error } => new("IST0106", "SchemaValidationError", AnalysisLevel.Error, Ref(resource), $"Schema validation error: {text}") { Field = issue.Field },
                    _ => new("IST0133", "SchemaWarning", AnalysisLevel.Warning, Ref(resource), $"Schema validation warning: {text}") { Field = issue.Field },
                };
                if (message is not null)
                {
                    messages.Add(message);
                }
            }
        }
    }

    /// <summary>IST0122: an invalid RE2 regular expression in a VirtualService's matches or CORS origins, one message per expression.</summary>
    private static void Regexes(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var vs in model.VirtualServices)
        {
            foreach (var route in vs.Spec.Http ?? [])
            {
                var regexes = new List<(string Where, string? Regex)>();
                foreach (var match in route.Match ?? [])
                {
                    regexes.AddRange([("uri", match.Uri?.Regex), ("scheme", match.Scheme?.Regex), ("method", match.Method?.Regex), ("authority", match.Authority?.Regex)]);
                    regexes.AddRange((match.Headers ?? []).Select(h => ("headers", h.Value?.Regex)));
                    regexes.AddRange((match.QueryParams ?? []).Select(q => ("queryParams", q.Value?.Regex)));
                }

                var cors = route.AdditionalFields.TryGetValue("corsPolicy", out var policy) ? policy : null;
                regexes.AddRange(Tree.Seq(Tree.Path(cors, "allowOrigins")).Select(o => ("corsPolicy.allowOrigins", Tree.Str(Tree.Path(o, "regex")))));
                foreach (var (where, regex) in regexes.Where(r => !string.IsNullOrEmpty(r.Regex)))
                {
                    if (Re2Syntax.Check(regex!) is { } error)
                    {
                        messages.Add(new("IST0122", "InvalidRegexp", AnalysisLevel.Warning, Ref(vs), $"Field \"{where}\" regular expression invalid: \"{regex}\" ({error})") { Field = where });
                    }
                }
            }
        }
    }

    /// <summary>GBL0008: AuthorizationPolicy ALLOW rules split so that one admits any source.</summary>
    private static void AllowAnySource(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var policy in inputs.Model.AuthorizationPolicies)
        {
            foreach (var issue in inputs.Validation(policy).Issues.Where(i => i.ErrorId == ErrorIds.RuleAllowsMore && i.Rule == "AuthorizationPolicy rules"))
            {
                messages.Add(new("GBL0008", "RuleAllowsAnySource", AnalysisLevel.Warning, Ref(policy), $"{issue.Field}: {issue.Message}"));
            }
        }
    }

    /// <summary>GBL0001: a DestinationRule whose host is no service; GBL0002: a subset that selects no pods (503 UH at run time).</summary>
    private static void DestinationRuleWorkloads(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var index = inputs.ServiceIndex;
        foreach (var dr in inputs.Model.DestinationRules)
        {
            var host = dr.Spec.Host;
            if (host is null || host.StartsWith('*'))
            {
                continue;
            }

            var service = index.Find(MeshModel.Fqdn(host, MeshModel.NamespaceOf(dr)), MeshModel.NamespaceOf(dr));
            if (service is null)
            {
                messages.Add(new("GBL0001", "DestinationRuleHostNotFound", AnalysisLevel.Warning, Ref(dr), $"No service or ServiceEntry has the host \"{host}\": the rule applies to nothing."));
                continue;
            }

            if (service.Entry is not null)
            {
                continue;
            }

            foreach (var subset in dr.Spec.Subsets ?? [])
            {
                if (!index.HasEndpoints(service, subset.Labels))
                {
                    messages.Add(new("GBL0002", "SubsetSelectsNoWorkloads", AnalysisLevel.Warning, Ref(dr),
                        $"The subset \"{subset.Name}\" ({Labels(subset.Labels)}) selects no pod of {service.Host}: routes to it get 503 no healthy upstream."));
                }
            }
        }
    }

    /// <summary>GBL0003: an AuthorizationPolicy source principal that no workload runs as.</summary>
    private static void Principals(MeshModel model, List<AnalysisMessage> messages)
    {
        var principals = model.Workloads.Select(w => $"{model.TrustDomain}/ns/{w.Namespace}/sa/{w.ServiceAccount}").ToHashSet(StringComparer.Ordinal);
        foreach (var policy in model.AuthorizationPolicies)
        {
            foreach (var source in (policy.Spec.Rules ?? []).SelectMany(r => r.From ?? []).Select(f => f.Source).OfType<Source>())
            {
                foreach (var principal in (source.Principals ?? []).Where(p => !p.Contains('*', StringComparison.Ordinal) && !principals.Contains(p)))
                {
                    messages.Add(new("GBL0003", "PrincipalMatchesNoWorkload", AnalysisLevel.Warning, Ref(policy),
                        $"No workload runs as \"{principal}\" (trust domain {model.TrustDomain}): this source never matches."));
                }
            }
        }
    }

    /// <summary>GBL0004: STRICT mTLS while some workloads have no sidecar (their plaintext calls are reset).</summary>
    private static void StrictMtlsClients(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var pa in model.PeerAuthentications.Where(p => p.Spec.Mtls?.Mode == "STRICT" && p.Spec.Selector?.MatchLabels is not { Count: > 0 }))
        {
            var outside = model.Workloads.Where(w => !w.HasSidecar).Select(w => $"{w.Namespace}/{w.Name}").ToList();
            if (outside.Count > 0)
            {
                messages.Add(new("GBL0004", "StrictMtlsWithClientsOutsideMesh", AnalysisLevel.Warning, Ref(pa),
                    $"STRICT mTLS refuses plaintext, and these workloads have no sidecar: {string.Join(", ", outside)}. Their calls into {(MeshModel.NamespaceOf(pa) == model.RootNamespace ? "the mesh" : $"namespace {MeshModel.NamespaceOf(pa)}")} will be reset."));
            }
        }
    }

    /// <summary>GBL0005: ServiceEntries with the same host and port; GBL0006: a wildcard entry that covers another's host.</summary>
    private static void ServiceEntryConflicts(MeshModel model, List<AnalysisMessage> messages)
    {
        var entries = model.ServiceEntries
            .SelectMany(se => (se.Spec.Hosts ?? []).SelectMany(h => (se.Spec.Ports ?? []).Select(p => (Entry: se, Host: h, Port: p.Number ?? 0))))
            .ToList();
        foreach (var group in entries.GroupBy(e => (Host: e.Host.ToLowerInvariant(), e.Port)).Where(g => g.Select(e => e.Entry).Distinct().Count() > 1))
        {
            var names = string.Join(", ", group.Select(e => Ref(e.Entry)).Distinct());
            foreach (var entry in group.Select(e => e.Entry).Distinct())
            {
                messages.Add(new("GBL0005", "ConflictingServiceEntries", AnalysisLevel.Warning, Ref(entry), $"{names} all define {group.Key.Host}:{group.Key.Port}; the oldest wins."));
            }
        }

        foreach (var wildcard in entries.Where(e => e.Host.StartsWith("*.", StringComparison.Ordinal)))
        {
            foreach (var covered in entries.Where(e => e.Entry != wildcard.Entry && e.Port == wildcard.Port && !e.Host.StartsWith('*') && RequestSimulator.HostMatches(wildcard.Host, e.Host)))
            {
                messages.Add(new("GBL0006", "ShadowedServiceEntryHost", AnalysisLevel.Info, Ref(covered.Entry),
                    $"{covered.Host}:{covered.Port} is also covered by {wildcard.Host} of {Ref(wildcard.Entry)}; the exact host is matched first."));
            }
        }
    }

    /// <summary>GBL0007: a workload whose HTTP readiness probe is not rewritten while its port is STRICT: it never becomes ready.</summary>
    private static void ProbeRewrite(MeshModel model, List<AnalysisMessage> messages)
    {
        var simulator = new RequestSimulator(model);
        foreach (var workload in model.Workloads.Where(w => w.HasSidecar && !w.RewriteProbes && w.ReadinessProbePort is not null))
        {
            var probe = simulator.Simulate(simulator.ResolveSource("kubelet"), new RequestSpec { Scheme = "http", Host = workload.Name, Port = workload.ReadinessProbePort!.Value }, new Random(0));
            if (probe.Outcome == RequestOutcome.ConnectionReset)
            {
                messages.Add(new("GBL0007", "ProbeFailsUnderStrictMtls", AnalysisLevel.Warning, workload.DisplayName,
                    $"Probe rewriting is off (sidecar.istio.io/rewriteAppHTTPProbers: \"false\") and port {workload.ReadinessProbePort} is STRICT: the kubelet's plaintext readiness probe is reset, so the pods never become ready."));
            }
        }
    }

    private static AnalysisMessage NotFound(LabResource resource, string what, string? value) =>
        new("IST0101", "ReferencedResourceNotFound", AnalysisLevel.Error, Ref(resource), $"Referenced {what} not found: \"{value}\"");
}
