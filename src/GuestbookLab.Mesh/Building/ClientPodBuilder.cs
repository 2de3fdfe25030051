using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>Which throw-away client pod Start-LabClientPod creates, and where.</summary>
public sealed record ClientPodOptions
{
    /// <summary>curl or ubuntu, the codelab's two client pods.</summary>
    public string Name { get; init; } = "curl";

    /// <summary>The namespace (default, or the codelab's noistio).</summary>
    public string Namespace { get; init; } = "default";
}

/// <summary>A client pod of the codelab: its image and how it keeps running with curl at hand.</summary>
public sealed record ClientPodInfo(string Name, string Image, IReadOnlyList<string> Command, IReadOnlyList<string>? ReadinessCommand);

/// <summary>
/// The codelab's throw-away client pods: 'curl' (curlimages/curl running sleep infinity, as kubectl run curl
/// --image=curlimages/curl --command -- sleep infinity) and 'ubuntu' (ubuntu that installs curl with apt-get and then
/// sleeps; ready only once curl is there). Both carry the module's ownership label and kubectl run's run=NAME label.
/// </summary>
public static class ClientPodBuilder
{
    /// <summary>The container name: the pod's own name, as kubectl run names it.</summary>
    public static IReadOnlyList<ClientPodInfo> All { get; } =
    [
        new("curl", "curlimages/curl", ["sleep", "infinity"], null),
        new("ubuntu", "ubuntu", ["sh", "-c", "apt-get update && apt-get install -y curl && exec sleep infinity"], ["sh", "-c", "command -v curl"]),
    ];

    public static ParameterMap Parameters { get; } = new();

    public static ClientPodInfo? Find(string? name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    public static ValidationResult Validate(ClientPodOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (Find(options.Name) is null)
        {
            result.Error(ErrorIds.InvalidClientPod, nameof(options.Name), options.Name, $"{ValidationResult.Show(options.Name)} is not a client pod of the codelab: use {string.Join(" or ", All.Select(p => p.Name))}", "codelab client pods");
        }

        Rules.Dns1123Label(result, nameof(options.Namespace), options.Namespace, ErrorIds.InvalidName, "namespace", "metadata.namespace");
        return result;
    }

    /// <summary>The Pod object: one container named as the pod, the ownership label, and a short grace period (sleep ignores SIGTERM).</summary>
    public static LabResource Build(ClientPodOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = Validate(options);
        if (check.HasErrors)
        {
            throw new ArgumentException(check.Errors.First().ToString(), nameof(options));
        }

        var info = Find(options.Name)!;
        var container = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = info.Name,
            ["image"] = info.Image,
            ["command"] = info.Command.Cast<object?>().ToList(),
        };
        if (info.ReadinessCommand is { } probe)
        {
            container["readinessProbe"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["exec"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["command"] = probe.Cast<object?>().ToList() },
                ["periodSeconds"] = 2L,
            };
        }

        var tree = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = info.Name,
                ["namespace"] = options.Namespace,
                ["labels"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["run"] = info.Name, [Ownership.Label] = Ownership.Manager },
            },
            ["spec"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["containers"] = new List<object?> { container },
                ["restartPolicy"] = "Always",
                ["terminationGracePeriodSeconds"] = 1L,
            },
        };
        return ResourceKinds.FromTree(tree);
    }
}
