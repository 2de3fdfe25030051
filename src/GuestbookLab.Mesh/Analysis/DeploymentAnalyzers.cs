using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's deployment.ServiceAssociationAnalyzer (its metadata name is deployment.MultiServiceAnalyzer): the Services
// that select an in-mesh Deployment's pods. As Istio's, it reads Deployments only (not Pods, whose owners it would
// report twice, nor StatefulSets or DaemonSets).
public static partial class MeshAnalyzer
{
    /// <summary>
    /// IST0117 an in-mesh Deployment no Service of its namespace selects; IST0116 a port its Services give different
    /// protocols; IST0137 a targetPort its Services reach from different ports.
    /// </summary>
    private static void ServiceAssociation(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var services = inputs.Model.Resources.OfType<Service>().Where(s => s.Spec.Selector is { Count: > 0 }).ToList();
        foreach (var pod in inputs.Pods.Where(p => p.Resource is Deployment && InMesh(p, inputs)))
        {
            var template = ((Deployment)pod.Resource).Spec.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
            var matching = services
                .Where(s => MeshModel.NamespaceOf(s) == pod.Namespace && s.Spec.Selector!.All(kv => template.TryGetValue(kv.Key, out var v) && v == kv.Value))
                .ToList();
            if (matching.Count == 0)
            {
                messages.Add(new("IST0117", "DeploymentRequiresServiceAssociated", AnalysisLevel.Warning, Ref(pod.Resource),
                    "No service associated with this deployment. Service mesh deployments must be associated with a service."));
                continue;
            }

            var ports = matching.Select(s => (Name: FullName(s), Ports: s.Spec.Ports ?? [])).ToList();

            // Port -> protocol -> services, in the Services' order (Istio's maps have none).
            foreach (var port in ports.SelectMany(s => s.Ports.Select(p => (s.Name, Port: p.Port ?? 0, Protocol: string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol)))
                .GroupBy(p => p.Port).Where(g => g.Select(p => p.Protocol).Distinct(StringComparer.Ordinal).Count() > 1))
            {
                var names = port.GroupBy(p => p.Protocol, StringComparer.Ordinal).SelectMany(g => g.Select(p => p.Name));
                messages.Add(new("IST0116", "DeploymentAssociatedToMultipleServices", AnalysisLevel.Warning, Ref(pod.Resource),
                    $"This deployment {pod.Resource.Name} is associated with multiple services using port {port.Key} but different protocols: [{string.Join(" ", names)}]"));
            }

            // targetPort -> port -> the last service with it (an unset or 0 targetPort is the port).
            foreach (var target in ports.SelectMany(s => s.Ports.Select(p => (s.Name, Port: p.Port ?? 0, Target: Tree.Str(p.TargetPort) is { Length: > 0 } t && t != "0" ? t : (p.Port ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture))))
                .GroupBy(p => p.Target, StringComparer.Ordinal))
            {
                var byPort = target.GroupBy(p => p.Port).Select(g => (Port: g.Key, g.Last().Name)).ToList();
                if (byPort.Count > 1)
                {
                    messages.Add(new("IST0137", "DeploymentConflictingPorts", AnalysisLevel.Warning, Ref(pod.Resource),
                        $"This deployment {pod.Resource.Name} is associated with multiple services [{string.Join(" ", byPort.Select(p => p.Name))}] using targetPort \"{target.Key}\" but different ports: [{string.Join(" ", byPort.Select(p => p.Port))}]."));
                }
            }
        }
    }
}
