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

    /// <summary>
    /// IST0139: Istio's injection webhooks (a configuration with a revision, or a webhook named *istio.io) that, for
    /// some namespace labels and pod labels (none, istio-injection or sidecar.istio.io/inject enabled or disabled, each
    /// with every revision), select a pod together (injection twice); and webhooks whose service does not exist.
    /// </summary>
    private static void InjectionWebhooks(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var hooks = new List<(GenericResource Configuration, string Id, object? Hook)>();
        var revisions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var configuration in MutatingWebhookConfigurations(inputs))
        {
            var webhooks = Webhooks(configuration).ToList();
            var revs = new HashSet<string>(StringComparer.Ordinal);
            if (configuration.Metadata.Labels?.TryGetValue("istio.io/rev", out var rev) == true)
            {
                revs.Add(rev);
            }

            foreach (var hook in webhooks)
            {
                revs.UnionWith(LabelSelectors.ValuesOf(Tree.Path(hook, "namespaceSelector"), "istio.io/rev"));
                revs.UnionWith(LabelSelectors.ValuesOf(Tree.Path(hook, "objectSelector"), "istio.io/rev"));
            }

            if (revs.Count == 0 && !webhooks.Any(w => (Tree.Str(Tree.Path(w, "name")) ?? string.Empty).EndsWith("istio.io", StringComparison.Ordinal)))
            {
                continue;
            }

            revisions.UnionWith(revs);
            hooks.AddRange(webhooks.Select(w => (configuration, $"{(configuration.Namespace is null ? configuration.Name : FullName(configuration))}/{Tree.Str(Tree.Path(w, "name"))}", w)));
        }

        static List<Dictionary<string, string>> Permutations(string key, IEnumerable<string> revisions)
        {
            var bases = new[] { (string?)null, "enabled", "disabled" };
            return bases.Select(v => (Rev: (string?)null, Value: v)).Concat(revisions.SelectMany(r => bases.Select(v => (Rev: (string?)r, Value: v))))
                .Select(p =>
                {
                    var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (p.Value is not null)
                    {
                        labels[key] = key == "sidecar.istio.io/inject" ? (p.Value == "enabled" ? "true" : "false") : p.Value;
                    }

                    if (p.Rev is not null)
                    {
                        labels["istio.io/rev"] = p.Rev;
                    }

                    return labels;
                }).ToList();
        }

        foreach (var nsLabels in Permutations("istio-injection", revisions))
        {
            foreach (var podLabels in Permutations("sidecar.istio.io/inject", revisions))
            {
                var matches = hooks.Where(h => LabelSelectors.Matches(Tree.Path(h.Hook, "namespaceSelector"), nsLabels) && LabelSelectors.Matches(Tree.Path(h.Hook, "objectSelector"), podLabels))
                    .DistinctBy(h => h.Id).ToList();
                if (matches.Count < 2)
                {
                    continue;
                }

                foreach (var match in matches)
                {
                    var others = matches.Where(m => m.Id != match.Id).Select(m => m.Id).Order(StringComparer.Ordinal);
                    messages.Add(InvalidWebhook(match.Configuration, $"Webhook overlaps with others: [{string.Join(" ", others)}]. This may cause injection to occur twice."));
                }
            }
        }

        var services = inputs.Model.Resources.OfType<Service>().Select(FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var (configuration, _, hook) in hooks)
        {
            if (Tree.Path(hook, "clientConfig", "service") is not { } service)
            {
                continue;
            }

            var name = $"{Tree.Str(Tree.Path(service, "namespace"))}/{Tree.Str(Tree.Path(service, "name"))}";
            if (!services.Contains(name))
            {
                messages.Add(InvalidWebhook(configuration, $"Injector refers to a control plane service that does not exist: {name}."));
            }
        }
    }

    private static AnalysisMessage InvalidWebhook(GenericResource configuration, string text) =>
        new("IST0139", "InvalidWebhook", AnalysisLevel.Error, Ref(configuration), text);
}
