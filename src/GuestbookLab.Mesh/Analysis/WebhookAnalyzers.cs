using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's analyzers of MutatingWebhookConfigurations: injection.ImageAutoAnalyzer and webhook.Analyzer.
public static partial class MeshAnalyzer
{
    private static IEnumerable<GenericResource> MutatingWebhookConfigurations(AnalysisInputs inputs) =>
        inputs.Model.Resources.OfType<GenericResource>().Where(r => r.Kind == "MutatingWebhookConfiguration" && r.ApiVersion.StartsWith("admissionregistration.k8s.io/", StringComparison.Ordinal));

    private static IEnumerable<object?> Webhooks(GenericResource configuration) =>
        Tree.Seq(configuration.AdditionalFields.TryGetValue("webhooks", out var webhooks) ? webhooks : null);

    /// <summary>
    /// IST0147 a Pod whose istio-proxy container has <c>image: auto</c> (the injector never replaces it in a Pod),
    /// IST0146 a Deployment with one that no Istio injection webhook (a webhook named *istio.io) selects.
    /// </summary>
    private static void ImageAuto(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var webhooks = MutatingWebhookConfigurations(inputs).SelectMany(Webhooks)
            .Where(w => (Tree.Str(Tree.Path(w, "name")) ?? string.Empty).EndsWith("istio.io", StringComparison.Ordinal)).ToList();
        var namespaces = inputs.NamespaceObjects.GroupBy(n => n.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Metadata.Labels, StringComparer.Ordinal);
        foreach (var pod in inputs.Pods.Where(p => p.Resource is Deployment or GenericResource { Kind: "Pod" } && p.Containers.Any(c => c.Name == "istio-proxy" && c.Image == "auto")))
        {
            if (pod.IsPod)
            {
                messages.Add(new("IST0147", "ImageAutoWithoutInjectionError", AnalysisLevel.Error, Ref(pod.Resource),
                    $"Pod {pod.Resource.Name} contains `image: auto` but does not match any Istio injection webhook selectors."));
                continue;
            }

            var nsLabels = namespaces.GetValueOrDefault(pod.Namespace);
            var podLabels = ((Deployment)pod.Resource).Spec.Template?.Metadata?.Labels;
            if (!webhooks.Any(w => LabelSelectors.Matches(Tree.Path(w, "namespaceSelector"), nsLabels) && LabelSelectors.Matches(Tree.Path(w, "objectSelector"), podLabels)))
            {
                messages.Add(new("IST0146", "ImageAutoWithoutInjectionWarning", AnalysisLevel.Warning, Ref(pod.Resource),
                    $"Deployment {pod.Resource.Name} contains `image: auto` but does not match any Istio injection webhook selectors."));
            }
        }
    }
}
