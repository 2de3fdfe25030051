using System;
using System.Collections.Generic;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>A new VirtualService: New-MeshVirtualService's input.</summary>
public sealed record VirtualServiceOptions
{
    public required string Name { get; init; }

    public required IReadOnlyList<string> Hosts { get; init; }

    public IReadOnlyList<string>? Gateways { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>Builds a VirtualService with no routes yet.</summary>
public static class VirtualServiceBuilder
{
    public static ParameterMap Parameters { get; } = new(("Gateways", "-Gateway"));

    public static ValidationResult Validate(VirtualServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        return result;
    }

    public static VirtualService Build(VirtualServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var vs = new VirtualService { Name = options.Name, Namespace = options.Namespace };
        vs.Spec.Hosts = [.. options.Hosts];
        vs.Spec.Gateways = options.Gateways is null ? null : [.. options.Gateways];
        return vs;
    }
}

/// <summary>A Gateway with one server: New-MeshGateway's input.</summary>
public sealed record GatewayOptions
{
    public required string Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyList<string> Hosts { get; init; } = ["*"];

    public int Port { get; init; } = 80;

    public string Protocol { get; init; } = "HTTP";

    /// <summary>The port's name; null: the protocol in lower case.</summary>
    public string? PortName { get; init; }

    public IReadOnlyDictionary<string, string>? Selector { get; init; }

    /// <summary>The secret with the certificate of an HTTPS or TLS server (TLS mode SIMPLE).</summary>
    public string? CredentialName { get; init; }

    public bool HttpsRedirect { get; init; }
}

/// <summary>Builds a Gateway with one server.</summary>
public static class GatewayBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.Dns1123Label(result, nameof(options.Name), options.Name, ErrorIds.InvalidName, "Gateway name", "ValidateGateway");
        Rules.Port(result, nameof(options.Port), options.Port);
        Rules.Protocol(result, nameof(options.Protocol), options.Protocol);
        Rules.PortName(result, nameof(options.PortName), PortName(options));
        Rules.Selector(result, nameof(options.Selector), Copy(options.Selector));
        return result;
    }

    public static Gateway Build(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var server = new Server
        {
            Port = new ServerPort { Number = options.Port, Name = PortName(options), Protocol = options.Protocol.ToUpperInvariant() },
            Hosts = [.. options.Hosts],
        };
        if (options.CredentialName is not null)
        {
            server.Tls = new ServerTlsSettings { Mode = "SIMPLE", CredentialName = options.CredentialName };
        }
        else if (options.HttpsRedirect)
        {
            server.Tls = new ServerTlsSettings { HttpsRedirect = true };
        }

        var gateway = new Gateway { Name = options.Name, Namespace = options.Namespace };
        gateway.Spec.Selector = Copy(options.Selector);
        gateway.Spec.Servers = [server];
        return gateway;
    }

    private static string PortName(GatewayOptions options) => options.PortName ?? options.Protocol.ToLowerInvariant();

    internal static Dictionary<string, string>? Copy(IReadOnlyDictionary<string, string>? map) =>
        map is null ? null : new Dictionary<string, string>(map, StringComparer.Ordinal);
}

/// <summary>A ServiceEntry for hosts outside the mesh: Add-MeshEgressEntry's input.</summary>
public sealed record EgressEntryOptions
{
    public required string Name { get; init; }

    public required IReadOnlyList<string> Hosts { get; init; }

    public required int Port { get; init; }

    public required string Protocol { get; init; }

    /// <summary>The port's name; null: the protocol in lower case.</summary>
    public string? PortName { get; init; }

    public string Location { get; init; } = "MESH_EXTERNAL";

    /// <summary>NONE, STATIC, DNS or DNS_ROUND_ROBIN; null: Istio's default (NONE).</summary>
    public string? Resolution { get; init; }

    public IReadOnlyList<string>? Addresses { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>Builds the ServiceEntry of an egress destination.</summary>
public static class EgressEntryBuilder
{
    public static ParameterMap Parameters { get; } = new(("Addresses", "-Address"));

    public static ValidationResult Validate(EgressEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        Rules.Port(result, nameof(options.Port), options.Port);
        Rules.Protocol(result, nameof(options.Protocol), options.Protocol.ToUpperInvariant());
        Rules.PortName(result, nameof(options.PortName), PortName(options));
        if (options.Location.ToUpperInvariant() is not ("MESH_EXTERNAL" or "MESH_INTERNAL"))
        {
            result.Error(ErrorIds.InvalidServiceEntry, nameof(options.Location), options.Location, $"'{options.Location}' is not a location: use MESH_EXTERNAL or MESH_INTERNAL", "ServiceEntry.location");
        }

        return result;
    }

    public static ServiceEntry Build(EgressEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entry = new ServiceEntry { Name = options.Name, Namespace = options.Namespace };
        entry.Spec.Hosts = [.. options.Hosts];
        entry.Spec.Addresses = options.Addresses is null ? null : [.. options.Addresses];
        entry.Spec.Location = options.Location.ToUpperInvariant();
        entry.Spec.Resolution = options.Resolution?.ToUpperInvariant();
        entry.Spec.Ports = [new ServicePort { Number = options.Port, Name = PortName(options), Protocol = options.Protocol.ToUpperInvariant() }];
        return entry;
    }

    private static string PortName(EgressEntryOptions options) => options.PortName ?? options.Protocol.ToLowerInvariant();
}
