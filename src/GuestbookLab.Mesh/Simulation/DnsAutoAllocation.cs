using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// The addresses istiod allocates to ServiceEntries that have none (pilot/pkg/serviceregistry/serviceentry/controller.go
/// autoAllocateIPs): an entry with resolution DNS or STATIC, no addresses and a host that is not a wildcard gets
/// 240.240.x.y, its slot chosen by the FNV-1a hash of namespace/host with double hashing on a collision, the addresses
/// handed out in slot order (one per namespace/host). A proxy uses them when its metadata sets both
/// ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE (pilot/pkg/model/service.go GetAddressForProxy).
/// </summary>
internal static class DnsAutoAllocation
{
    private const int MaxIps = 255 * 255;

    private const uint Prime = 65011;

    /// <summary>Whether the mesh config's defaultConfig.proxyMetadata turns on DNS capture and auto-allocation.</summary>
    public static bool Enabled(MeshConfig? mesh)
    {
        if (mesh?.DefaultConfig?.AdditionalFields.TryGetValue("proxyMetadata", out var value) != true || value is not IDictionary<string, object?> metadata)
        {
            return false;
        }

        bool On(string key) => metadata.TryGetValue(key, out var v) && string.Equals(Convert.ToString(v, CultureInfo.InvariantCulture), "true", StringComparison.OrdinalIgnoreCase);
        return On("ISTIO_META_DNS_CAPTURE") && On("ISTIO_META_DNS_AUTO_ALLOCATE");
    }

    /// <summary>Sets <see cref="ServiceInfo.AutoAllocatedAddress"/> on every eligible ServiceEntry host, in the order given.</summary>
    public static void Allocate(IEnumerable<ServiceInfo> services)
    {
        var eligible = services.Where(s => s.Entry is { } entry && entry.Spec.Addresses is not { Count: > 0 } && !s.Host.StartsWith('*')
            && (entry.Spec.Resolution?.ToUpperInvariant() ?? "NONE") != "NONE").ToList();
        if (eligible.Count == 0)
        {
            return;
        }

        var slots = new ServiceInfo?[MaxIps];
        foreach (var service in eligible)
        {
            var hash = Fnv1a($"{service.Namespace}/{service.Host}");
            var slot = hash % MaxIps;
            for (var i = 1u; slots[slot] is not null && i < MaxIps; i++)
            {
                slot = (hash + (i * (Prime - (hash % Prime)))) % MaxIps;
            }

            // Past the addresses the range has (or a probe sequence that finds no free one), an entry gets none.
            if (slots[slot] is null)
            {
                slots[slot] = service;
            }
        }

        var x = 0;
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in slots)
        {
            if (service is not null && byKey.TryGetValue($"{service.Namespace}/{service.Host}", out var reused))
            {
                service.AutoAllocatedAddress = reused;
                continue;
            }

            x++;
            if (x % 255 == 0)
            {
                x++;
            }

            if (service is not null)
            {
                var address = $"240.240.{x / 255}.{x % 255}";
                service.AutoAllocatedAddress = address;
                byKey[$"{service.Namespace}/{service.Host}"] = address;
            }
        }
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
