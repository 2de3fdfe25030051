using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's virtualservice.JWTClaimRouteAnalyzer, destinationrule.CaCertificateAnalyzer and deprecation.FieldAnalyzer.
public static partial class MeshAnalyzer
{
    private static readonly HashSet<string> RemovedRbacKinds = new(["ClusterRbacConfig", "RbacConfig", "ServiceRole", "ServiceRoleBinding"], StringComparer.Ordinal);

    /// <summary>IST0149: routing on a JWT claim (@request.auth.claims headers) through a gateway whose pods no RequestAuthentication selects.</summary>
    private static void JwtClaimRoutes(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var model = inputs.Model;
        var gateways = model.Gateways.GroupBy(FullName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var vs in model.VirtualServices)
        {
            var key = (vs.Spec.Http ?? []).SelectMany(h => h.Match ?? [])
                .SelectMany(m => (m.Headers ?? []).Keys.Concat(Tree.Path(m.AdditionalFields.TryGetValue("withoutHeaders", out var w) ? w : null) is IDictionary<string, object?> without ? without.Keys : []))
                .FirstOrDefault(k => k.StartsWith("@request.auth.claims", StringComparison.Ordinal));
            if (key is null)
            {
                continue;
            }

            var ns = MeshModel.NamespaceOf(vs);
            foreach (var reference in (vs.Spec.Gateways ?? []).Where(g => g != "mesh"))
            {
                var name = reference.Contains('/', StringComparison.Ordinal) ? reference : $"{ns}/{reference}";
                if (!gateways.TryGetValue(name, out var gateway))
                {
                    continue;
                }

                foreach (var pod in inputs.Pods.Where(p => p.Selects(gateway.Spec.Selector ?? new Dictionary<string, string>())))
                {
                    var covered = model.RequestAuthentications
                        .Where(ra => MeshModel.NamespaceOf(ra) == "istio-system" || MeshModel.NamespaceOf(ra) == pod.Namespace)
                        .Any(ra => pod.Selects(ra.Spec.Selector?.MatchLabels));
                    if (!covered)
                    {
                        messages.Add(new("IST0149", "JwtClaimBasedRoutingWithoutRequestAuthN", AnalysisLevel.Error, Ref(vs),
                            $"The virtual service uses the JWT claim based routing (key: {key}) but found no request authentication for the gateway ({name}) pod ({pod.Resource.Name}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing."));
                    }
                }
            }
        }
    }

    /// <summary>IST0128 / IST0129: a DestinationRule originating SIMPLE or MUTUAL TLS without caCertificates, for the host or a port.</summary>
    private static void CaCertificates(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var dr in inputs.Model.DestinationRules)
        {
            var ns = MeshModel.NamespaceOf(dr);
            var policy = dr.Spec.TrafficPolicy;
            if (policy?.Tls is { Mode: "SIMPLE" or "MUTUAL" } tls && string.IsNullOrEmpty(tls.CaCertificates))
            {
                messages.Add(new("IST0128", "NoServerCertificateVerificationDestinationLevel", AnalysisLevel.Error, Ref(dr),
                    $"DestinationRule {ns}/{dr.Name} in namespace {ns} has TLS mode set to {tls.Mode} but no caCertificates are set to validate server identity for host: {dr.Spec.Host}") { Field = "spec.trafficPolicy.tls.mode" });
            }

            var portLevel = policy?.PortLevelSettings ?? [];
            for (var i = 0; i < portLevel.Count; i++)
            {
                var port = portLevel[i];
                if (port.Tls is { Mode: "SIMPLE" or "MUTUAL" } portTls && string.IsNullOrEmpty(portTls.CaCertificates))
                {
                    messages.Add(new("IST0129", "NoServerCertificateVerificationPortLevel", AnalysisLevel.Warning, Ref(dr),
                        $"DestinationRule {ns}/{dr.Name} in namespace {ns} has TLS mode set to {portTls.Mode} but no caCertificates are set to validate server identity for host: {dr.Spec.Host} at port number:{port.Port?.Number}") { Field = $"spec.trafficPolicy.portLevelSettings[{i}].tls.mode" });
                }
            }
        }
    }

    /// <summary>IST0002: fault.delay.percent (use percentage), a Sidecar's outboundTrafficPolicy.egressProxy (ignored), the removed rbac.istio.io CRDs.</summary>
    private static void Deprecations(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var vs in inputs.Model.VirtualServices)
        {
            foreach (var _ in (vs.Spec.Http ?? []).Where(h => h.Fault?.Delay?.Percent > 0))
            {
                messages.Add(new("IST0002", "Deprecated", AnalysisLevel.Warning, Ref(vs), "Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage"));
            }
        }

        foreach (var resource in inputs.Model.Resources.OfType<GenericResource>())
        {
            if (resource.Kind == "Sidecar" && resource.Group == "networking.istio.io" && Tree.Path(resource.Spec, "outboundTrafficPolicy", "egressProxy") is not null)
            {
                messages.Add(new("IST0002", "Deprecated", AnalysisLevel.Warning, Ref(resource), "Deprecated: OutboundTrafficPolicy.EgressProxy ignored"));
            }
            else if (resource.Kind == "CustomResourceDefinition" && Tree.Str(Tree.Path(resource.Spec, "group")) == "rbac.istio.io"
                && Tree.Str(Tree.Path(resource.Spec, "names", "kind")) is { } kind && RemovedRbacKinds.Contains(kind))
            {
                messages.Add(new("IST0002", "Deprecated", AnalysisLevel.Warning, Ref(resource), $"Deprecated: Custom resource type rbac.istio.io {kind} is removed"));
            }
        }
    }
}
