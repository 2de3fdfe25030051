using System;
using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>Kubernetes object metadata.</summary>
public sealed class ObjectMeta : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("namespace")] public string? Namespace { get; set; }

    [ApiField("labels")] public Dictionary<string, string>? Labels { get; set; }

    [ApiField("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>
/// A Kubernetes object as it flows through the pipeline: typed for the kinds the module models
/// (<see cref="GenericResource"/> for the rest).
/// </summary>
public abstract class LabResource : ApiObject
{
    protected LabResource(string apiVersion, string kind)
    {
        ApiVersion = apiVersion;
        Kind = kind;
    }

    [ApiField("apiVersion")] public string ApiVersion { get; set; }

    [ApiField("kind")] public string Kind { get; protected set; }

    [ApiField("metadata", OmitWhenEmpty = true)] public ObjectMeta Metadata { get; set; } = new();

    /// <summary>metadata.name, for display and for binding by property name.</summary>
    public string Name
    {
        get => Metadata.Name ?? string.Empty;
        set => Metadata.Name = value;
    }

    /// <summary>metadata.namespace, for display and for binding by property name.</summary>
    public string? Namespace
    {
        get => Metadata.Namespace;
        set => Metadata.Namespace = string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The API group of <see cref="ApiVersion"/> (empty for the core group).</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;

    /// <summary>
    /// Where the object was read from, when it came from a manifest file, folder or URL: the source and the line its
    /// document starts on. Not an API field (never written to a manifest or sent); kept by the modifying cmdlets.
    /// </summary>
    public ManifestSource? Source { get; set; }

    /// <summary><c>Kind namespace/name</c>, the way analyzers and errors name an object.</summary>
    public string DisplayName => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    public override string ToString() => DisplayName;
}

/// <summary>A resource with a typed <c>spec</c>.</summary>
public abstract class LabResource<TSpec> : LabResource
    where TSpec : ApiObject, new()
{
    protected LabResource(string apiVersion, string kind)
        : base(apiVersion, kind)
    {
    }

    [ApiField("spec")] public TSpec Spec { get; set; } = new();
}

/// <summary>An object of a kind the module does not model; every field is kept in <see cref="ApiObject.AdditionalFields"/>.</summary>
public sealed class GenericResource : LabResource
{
    public GenericResource()
        : base("v1", "Unknown")
    {
    }

    public GenericResource(string apiVersion, string kind)
        : base(apiVersion, kind)
    {
    }

    /// <summary>The object's <c>spec</c>, when it has one.</summary>
    public object? Spec => AdditionalFields.TryGetValue("spec", out var spec) ? spec : null;
}

/// <summary>A place in a manifest: the file (or URL) and the 1-based line, shown as <c>path:line</c> as compilers and istioctl analyze show it.</summary>
public sealed record ManifestSource(string Path, int Line)
{
    /// <summary>
    /// A fingerprint of the text the document was read from (its length and hash, in this session), so a file read
    /// again to place a finding is used only when it has not changed. Not part of equality.
    /// </summary>
    internal long Text { get; init; }

    public bool Equals(ManifestSource? other) => other is not null && Path == other.Path && Line == other.Line;

    public override int GetHashCode() => HashCode.Combine(Path, Line);

    public override string ToString() => $"{Path}:{Line}";
}
