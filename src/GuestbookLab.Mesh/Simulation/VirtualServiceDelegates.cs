using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>An HTTP route as a proxy gets it, with the namespace its short host names resolve in.</summary>
internal readonly record struct ScopedRoute(HttpRoute Route, string Namespace);

/// <summary>
/// Delegate VirtualServices as istiod merges them (pilot/pkg/model/virtualservice.go mergeVirtualServicesIfNeeded): a
/// VirtualService without hosts is a delegate; a root's route with <c>delegate</c> is replaced by the delegate's
/// routes merged with it (mergeHTTPRoute: the matches combined, the root's settings filling what the delegate leaves
/// unset; a delegate route whose match conflicts with the root's is dropped). A delegate that does not exist or is not
/// exported to the root's namespace drops the root's route.
/// </summary>
internal static class VirtualServiceDelegates
{
    /// <summary>The HTTP routes of every VirtualService, delegates merged into their roots.</summary>
    public static Dictionary<VirtualService, List<ScopedRoute>> Merge(IReadOnlyList<VirtualService> virtualServices)
    {
        var delegates = new Dictionary<string, VirtualService>(StringComparer.Ordinal);
        foreach (var vs in virtualServices.Where(v => v.Spec.Hosts is not { Count: > 0 }))
        {
            delegates.TryAdd($"{MeshModel.NamespaceOf(vs)}/{vs.Name}", vs);
        }

        var result = new Dictionary<VirtualService, List<ScopedRoute>>(ReferenceEqualityComparer.Instance);
        foreach (var vs in virtualServices)
        {
            var ns = MeshModel.NamespaceOf(vs);
            var routes = new List<ScopedRoute>();
            var isRoot = vs.Spec.Hosts is { Count: > 0 } && (vs.Spec.Http ?? []).Any(r => r.Delegate is not null);
            foreach (var route in vs.Spec.Http ?? [])
            {
                if (!isRoot || route.Delegate is not { } target)
                {
                    routes.Add(new ScopedRoute(route, ns));
                    continue;
                }

                var delegateNs = string.IsNullOrEmpty(target.Namespace) ? ns : target.Namespace;
                if (!delegates.TryGetValue($"{delegateNs}/{target.Name}", out var leaf) || !MeshModel.IsExported(leaf.Spec.ExportTo, delegateNs, ns))
                {
                    continue;
                }

                foreach (var leafRoute in leaf.Spec.Http ?? [])
                {
                    if (MergeRoute(route, leafRoute) is { } merged)
                    {
                        routes.Add(new ScopedRoute(merged, delegateNs));
                    }
                }
            }

            result[vs] = routes;
        }

        return result;
    }

    // mergeHTTPRoute: null when the delegate's matches conflict with the root's.
    private static HttpRoute? MergeRoute(HttpRoute root, HttpRoute leaf)
    {
        var (matches, conflict) = MergeMatches(root.Match, leaf.Match);
        if (conflict)
        {
            return null;
        }

        return new HttpRoute
        {
            Name = string.IsNullOrEmpty(leaf.Name) ? root.Name : string.IsNullOrEmpty(root.Name) ? leaf.Name : $"{root.Name}-{leaf.Name}",
            Match = matches,
            Route = leaf.Route,
            Redirect = leaf.Redirect,
            DirectResponse = leaf.DirectResponse ?? root.DirectResponse,
            Rewrite = leaf.Rewrite ?? root.Rewrite,
            Timeout = leaf.Timeout ?? root.Timeout,
            Retries = leaf.Retries ?? root.Retries,
            Fault = leaf.Fault ?? root.Fault,
            Mirror = leaf.Mirror ?? root.Mirror,
            MirrorPercent = leaf.MirrorPercent ?? root.MirrorPercent,
            MirrorPercentage = leaf.MirrorPercentage ?? root.MirrorPercentage,
        };
    }

    // mergeHTTPMatchRequests: every delegate match needs a root match it does not conflict with.
    private static (List<HttpMatchRequest>? Matches, bool Conflict) MergeMatches(List<HttpMatchRequest>? root, List<HttpMatchRequest>? leaf)
    {
        if (root is not { Count: > 0 })
        {
            return (leaf, false);
        }

        if (leaf is not { Count: > 0 })
        {
            return (root, false);
        }

        var merged = new List<HttpMatchRequest>();
        foreach (var sub in leaf)
        {
            var found = false;
            foreach (var top in root.Where(r => !HasConflict(r, sub)))
            {
                merged.Add(MergeMatch(top, sub));
                found = true;
            }

            if (!found)
            {
                return (null, true);
            }
        }

        return (merged, merged.Count == 0);
    }

    private static HttpMatchRequest MergeMatch(HttpMatchRequest root, HttpMatchRequest leaf)
    {
        static Dictionary<string, TValue>? Union<TValue>(Dictionary<string, TValue>? a, Dictionary<string, TValue>? b)
        {
            if (a is not { Count: > 0 } && b is not { Count: > 0 })
            {
                return null;
            }

            var result = new Dictionary<string, TValue>(a ?? [], StringComparer.Ordinal);
            foreach (var (key, value) in b ?? [])
            {
                result[key] = value;
            }

            return result;
        }

        return new HttpMatchRequest
        {
            Name = string.IsNullOrEmpty(leaf.Name) ? root.Name : string.IsNullOrEmpty(root.Name) ? leaf.Name : $"{root.Name}-{leaf.Name}",
            Uri = leaf.Uri ?? root.Uri,
            Scheme = leaf.Scheme ?? root.Scheme,
            Method = leaf.Method ?? root.Method,
            Authority = leaf.Authority ?? root.Authority,
            Headers = Union(root.Headers, leaf.Headers),
            WithoutHeaders = Union(root.WithoutHeaders, leaf.WithoutHeaders),
            QueryParams = Union(root.QueryParams, leaf.QueryParams),
            Port = leaf.Port is > 0 ? leaf.Port : root.Port,
            SourceLabels = Union(root.SourceLabels, leaf.SourceLabels),
            SourceNamespace = string.IsNullOrEmpty(leaf.SourceNamespace) ? root.SourceNamespace : leaf.SourceNamespace,
            Gateways = leaf.Gateways is { Count: > 0 } ? leaf.Gateways : root.Gateways,
            IgnoreUriCase = leaf.IgnoreUriCase,
            StatPrefix = string.IsNullOrEmpty(leaf.StatPrefix) ? root.StatPrefix : leaf.StatPrefix,
        };
    }

    // hasConflict: the delegate's match must be narrower than the root's.
    private static bool HasConflict(HttpMatchRequest root, HttpMatchRequest leaf)
    {
        if (StringMatchConflict(root.Uri, leaf.Uri) || StringMatchConflict(root.Scheme, leaf.Scheme)
            || StringMatchConflict(root.Method, leaf.Method) || StringMatchConflict(root.Authority, leaf.Authority))
        {
            return true;
        }

        static bool MapConflict(Dictionary<string, StringMatch>? top, Dictionary<string, StringMatch>? sub) =>
            (sub ?? []).Any(kv => StringMatchConflict(top?.GetValueOrDefault(kv.Key), kv.Value));

        if (MapConflict(root.Headers, leaf.Headers) || MapConflict(root.WithoutHeaders, leaf.WithoutHeaders) || MapConflict(root.QueryParams, leaf.QueryParams))
        {
            return true;
        }

        if ((root.IgnoreUriCase ?? false) != (leaf.IgnoreUriCase ?? false)
            || (root.Port is > 0 && leaf.Port is > 0 && root.Port != leaf.Port)
            || (!string.IsNullOrEmpty(root.SourceNamespace) && leaf.SourceNamespace != root.SourceNamespace))
        {
            return true;
        }

        if ((leaf.SourceLabels ?? []).Any(kv => root.SourceLabels?.TryGetValue(kv.Key, out var v) == true && v != kv.Value))
        {
            return true;
        }

        return root.Gateways is { Count: > 0 } rootGateways && leaf.Gateways is { Count: > 0 } leafGateways
            && (rootGateways.Count < leafGateways.Count || leafGateways.Any(g => !rootGateways.Contains(g)));
    }

    // stringMatchConflict: an exact root admits only the same exact; a prefix root admits narrower prefixes and
    // exacts under it; a regex on either side admits nothing else.
    private static bool StringMatchConflict(StringMatch? root, StringMatch? leaf)
    {
        if (root is null || leaf is null)
        {
            return false;
        }

        static bool Set(string? value) => !string.IsNullOrEmpty(value);
        if (Set(root.Regex) && (Set(leaf.Regex) || Set(leaf.Prefix) || Set(leaf.Exact)))
        {
            return true;
        }

        if (Set(leaf.Regex) && (Set(root.Regex) || Set(root.Prefix) || Set(root.Exact)))
        {
            return true;
        }

        if (Set(root.Exact))
        {
            return Set(leaf.Prefix) || leaf.Exact != root.Exact;
        }

        if (Set(root.Prefix))
        {
            if (Set(leaf.Prefix))
            {
                return !leaf.Prefix!.StartsWith(root.Prefix!, StringComparison.Ordinal);
            }

            if (Set(leaf.Exact))
            {
                return !leaf.Exact!.StartsWith(root.Prefix!, StringComparison.Ordinal);
            }
        }

        return true;
    }
}
