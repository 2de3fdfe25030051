using System;
using System.Collections.Generic;
using System.Linq;

using static GuestbookLab.Model.Tree;

namespace GuestbookLab.Model;

// kpack (kpack.io/v1alpha2, v0.10.2 pkg/apis/build/v1alpha2) and the v1 ServiceAccount its builds run as. The specs
// are typed where the module builds or reads them; every other field (and the status kpack writes) is kept, so a round
// trip loses nothing. Status values are read from the kept tree.

/// <summary>Names shared by the kpack objects.</summary>
public static class KpackKinds
{
    public const string Group = "kpack.io";
    public const string ApiVersion = Group + "/v1alpha2";

    /// <summary>The label kpack puts on an Image's Builds (and their pods), naming the Image.</summary>
    public const string ImageLabel = "image.kpack.io/image";

    /// <summary>The label kpack puts on a Build (and its pod) with the build's number.</summary>
    public const string BuildNumberLabel = "image.kpack.io/buildNumber";

    /// <summary>The label kpack puts on a build pod naming its Build.</summary>
    public const string BuildLabel = "kpack.io/build";
}

/// <summary>A v1 ServiceAccount; kpack pushes with the registry secrets under <c>secrets</c>, pulls with <c>imagePullSecrets</c>.</summary>
public sealed class ServiceAccount : LabResource
{
    public const string KindName = "ServiceAccount";

    public ServiceAccount()
        : base("v1", KindName)
    {
    }

    [ApiField("secrets")] public List<NamedReference>? Secrets { get; set; }

    [ApiField("imagePullSecrets")] public List<NamedReference>? ImagePullSecrets { get; set; }
}

/// <summary>A reference by name (a secret of a ServiceAccount, an image pull secret).</summary>
public sealed class NamedReference : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }
}

/// <summary>A reference to another kpack object by kind and name (an Image's builder, a Builder's stack and store).</summary>
public sealed class KindReference : ApiObject
{
    [ApiField("kind")] public string? Kind { get; set; }

    [ApiField("name")] public string? Name { get; set; }
}

/// <summary>A reference to a ServiceAccount in a namespace (cluster-scoped kpack objects).</summary>
public sealed class ServiceAccountReference : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("namespace")] public string? Namespace { get; set; }
}

/// <summary>A kpack object: its status (kpack writes it) read from the kept tree.</summary>
public abstract class KpackResource<TSpec> : LabResource<TSpec>
    where TSpec : ApiObject, new()
{
    protected KpackResource(string kind)
        : base(KpackKinds.ApiVersion, kind)
    {
    }

    /// <summary>The status kpack wrote, if any.</summary>
    public IDictionary<string, object?>? Status => Map(AdditionalFields, "status");

    /// <summary>metadata.generation (the API server counts spec changes).</summary>
    public long? Generation => Number(Metadata.AdditionalFields, "generation");

    /// <summary>status.observedGeneration: the generation kpack's status is about.</summary>
    public long? ObservedGeneration => Number(Status, "observedGeneration");

    /// <summary>The status of the condition that says whether the object is ready (Ready; Succeeded for a Build).</summary>
    public string? Ready => Condition(ReadyCondition) is { } c ? Text(c, "status") : null;

    /// <summary>The ready condition's reason.</summary>
    public string? Reason => Condition(ReadyCondition) is { } c ? Text(c, "reason") : null;

    /// <summary>The ready condition's message.</summary>
    public string? Message => Condition(ReadyCondition) is { } c ? Text(c, "message") : null;

    /// <summary>The condition type that tells readiness.</summary>
    protected virtual string ReadyCondition => "Ready";

    /// <summary>A status condition by type.</summary>
    public IDictionary<string, object?>? Condition(string type) =>
        Maps(Status, "conditions").FirstOrDefault(c => string.Equals(Text(c, "type"), type, StringComparison.Ordinal));
}

/// <summary>A kpack ClusterStore: the buildpackages builders take their buildpacks from.</summary>
public sealed class ClusterStore : KpackResource<ClusterStoreSpec>
{
    public const string KindName = "ClusterStore";

    public ClusterStore()
        : base(KindName)
    {
    }
}

public sealed class ClusterStoreSpec : ApiObject
{
    [ApiField("sources")] public List<ImageSource>? Sources { get; set; }

    [ApiField("serviceAccountRef")] public ServiceAccountReference? ServiceAccountRef { get; set; }
}

/// <summary>An image reference (<c>image: gcr.io/paketo-buildpacks/java</c>).</summary>
public sealed class ImageSource : ApiObject
{
    [ApiField("image")] public string? Image { get; set; }
}

/// <summary>A kpack ClusterStack: the build and run images of a buildpacks stack.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "kpack's kind name")]
public sealed class ClusterStack : KpackResource<ClusterStackSpec>
{
    public const string KindName = "ClusterStack";

    public ClusterStack()
        : base(KindName)
    {
    }
}

public sealed class ClusterStackSpec : ApiObject
{
    [ApiField("id")] public string? Id { get; set; }

    [ApiField("buildImage")] public ImageSource? BuildImage { get; set; }

    [ApiField("runImage")] public ImageSource? RunImage { get; set; }

    [ApiField("serviceAccountRef")] public ServiceAccountReference? ServiceAccountRef { get; set; }
}

/// <summary>The spec shared by Builder and ClusterBuilder.</summary>
public sealed class BuilderSpec : ApiObject
{
    [ApiField("tag")] public string? Tag { get; set; }

    [ApiField("stack")] public KindReference? Stack { get; set; }

    [ApiField("store")] public KindReference? Store { get; set; }

    [ApiField("order")] public List<BuilderOrderEntry>? Order { get; set; }

    /// <summary>Builder only (namespaced): the ServiceAccount that pushes the builder image.</summary>
    [ApiField("serviceAccountName")] public string? ServiceAccountName { get; set; }

    /// <summary>ClusterBuilder only.</summary>
    [ApiField("serviceAccountRef")] public ServiceAccountReference? ServiceAccountRef { get; set; }
}

/// <summary>One group of buildpacks tried together.</summary>
public sealed class BuilderOrderEntry : ApiObject
{
    [ApiField("group")] public List<BuildpackReference>? Group { get; set; }
}

public sealed class BuildpackReference : ApiObject
{
    [ApiField("id")] public string? Id { get; set; }

    [ApiField("version")] public string? Version { get; set; }

    [ApiField("optional")] public bool? Optional { get; set; }
}

/// <summary>A kpack builder (Builder or ClusterBuilder): a builder image made of a stack and buildpacks.</summary>
public abstract class KpackBuilder : KpackResource<BuilderSpec>
{
    protected KpackBuilder(string kind)
        : base(kind)
    {
    }

    /// <summary>status.latestImage: the builder image kpack pushed.</summary>
    public string? LatestImage => Text(Status, "latestImage");
}

/// <summary>A namespaced kpack Builder.</summary>
public sealed class Builder : KpackBuilder
{
    public const string KindName = "Builder";

    public Builder()
        : base(KindName)
    {
    }
}

/// <summary>A cluster-scoped kpack ClusterBuilder.</summary>
public sealed class ClusterBuilder : KpackBuilder
{
    public const string KindName = "ClusterBuilder";

    public ClusterBuilder()
        : base(KindName)
    {
    }
}

/// <summary>A kpack Image: the OCI image kpack builds from source with a builder, and rebuilds when either changes.</summary>
public sealed class KpackImage : KpackResource<ImageSpec>
{
    public const string KindName = "Image";

    public KpackImage()
        : base(KindName)
    {
    }

    /// <summary>The tag the image is pushed to.</summary>
    public string? Tag => Spec.Tag;

    /// <summary>status.latestImage: the digest reference of the last successful build.</summary>
    public string? LatestImage => Text(Status, "latestImage");

    /// <summary>status.latestBuildReason (CONFIG, COMMIT, BUILDPACK, STACK, TRIGGER).</summary>
    public string? LatestBuildReason => Text(Status, "latestBuildReason");

    /// <summary>status.buildCounter: the number of the latest build.</summary>
    public long? BuildCounter => Number(Status, "buildCounter");

    /// <summary>status.latestBuildRef: the name of the latest Build.</summary>
    public string? LatestBuildRef => Text(Status, "latestBuildRef");
}

public sealed class ImageSpec : ApiObject
{
    [ApiField("tag")] public string? Tag { get; set; }

    [ApiField("serviceAccountName")] public string? ServiceAccountName { get; set; }

    [ApiField("builder")] public KindReference? Builder { get; set; }

    [ApiField("source")] public SourceConfig? Source { get; set; }

    [ApiField("build")] public ImageBuild? Build { get; set; }

    [ApiField("additionalTags")] public List<string>? AdditionalTags { get; set; }

    [ApiField("failedBuildHistoryLimit")] public int? FailedBuildHistoryLimit { get; set; }

    [ApiField("successBuildHistoryLimit")] public int? SuccessBuildHistoryLimit { get; set; }

    [ApiField("imageTaggingStrategy")] public string? ImageTaggingStrategy { get; set; }
}

/// <summary>Where the source comes from: git, a blob or a registry image (one of them), and a sub-path.</summary>
public sealed class SourceConfig : ApiObject
{
    [ApiField("git")] public GitSource? Git { get; set; }

    [ApiField("blob")] public BlobSource? Blob { get; set; }

    [ApiField("registry")] public RegistrySource? Registry { get; set; }

    [ApiField("subPath")] public string? SubPath { get; set; }
}

public sealed class GitSource : ApiObject
{
    [ApiField("url")] public string? Url { get; set; }

    [ApiField("revision")] public string? Revision { get; set; }
}

public sealed class BlobSource : ApiObject
{
    [ApiField("url")] public string? Url { get; set; }

    [ApiField("stripComponents")] public int? StripComponents { get; set; }
}

public sealed class RegistrySource : ApiObject
{
    [ApiField("image")] public string? Image { get; set; }

    [ApiField("imagePullSecrets")] public List<NamedReference>? ImagePullSecrets { get; set; }
}

/// <summary>The build's settings (env typed; resources, tolerations, node selector and the rest kept).</summary>
public sealed class ImageBuild : ApiObject
{
    [ApiField("env")] public List<EnvVar>? Env { get; set; }
}

/// <summary>An environment variable (<c>valueFrom</c> is kept when given).</summary>
public sealed class EnvVar : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("value")] public string? Value { get; set; }
}

/// <summary>A kpack Build: one build of an Image (its condition is Succeeded).</summary>
public sealed class KpackBuild : KpackResource<BuildSpec>
{
    public const string KindName = "Build";

    public KpackBuild()
        : base(KindName)
    {
    }

    protected override string ReadyCondition => "Succeeded";

    /// <summary>The Image the build is of (the image.kpack.io/image label).</summary>
    public string? Image => Metadata.Labels is { } l && l.TryGetValue(KpackKinds.ImageLabel, out var v) ? v : null;

    /// <summary>The build number (the image.kpack.io/buildNumber label).</summary>
    public long? BuildNumber => Metadata.Labels is { } l && l.TryGetValue(KpackKinds.BuildNumberLabel, out var v) && long.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>status.latestImage: the digest reference the build pushed.</summary>
    public string? LatestImage => Text(Status, "latestImage");

    /// <summary>status.podName: the pod the build runs in.</summary>
    public string? PodName => Text(Status, "podName");

    /// <summary>The reason the build was made (the image.kpack.io/reason annotation: CONFIG, COMMIT, ...).</summary>
    public string? BuildReason => Metadata.Annotations is { } a && a.TryGetValue("image.kpack.io/reason", out var v) ? v : null;
}

public sealed class BuildSpec : ApiObject
{
    [ApiField("tags")] public List<string>? Tags { get; set; }

    [ApiField("serviceAccountName")] public string? ServiceAccountName { get; set; }

    [ApiField("source")] public SourceConfig? Source { get; set; }

    [ApiField("env")] public List<EnvVar>? Env { get; set; }
}

/// <summary>What Install-LabKpack installed: the release, its CRDs and Deployments, and what applying each object did.</summary>
public sealed class LabKpackInstall
{
    /// <summary>kpack's version (from the release's Deployments, else its URL).</summary>
    public required string Version { get; init; }

    /// <summary>The release manifest applied: its URL or file.</summary>
    public required string Source { get; init; }

    /// <summary>The CustomResourceDefinitions the release defines (images.kpack.io, builds.kpack.io, ...).</summary>
    public required IReadOnlyList<string> CustomResourceDefinitions { get; init; }

    /// <summary>The controller and webhook Deployments, as namespace/name.</summary>
    public required IReadOnlyList<string> Deployments { get; init; }

    /// <summary>What applying each object of the release did.</summary>
    public required IReadOnlyList<ApplyResult> Applied { get; init; }

    /// <summary>True once the CRDs are established and the Deployments rolled out; false where that cannot be watched (a manifest folder).</summary>
    public required bool Ready { get; init; }

    public int Created => Applied.Count(r => r.Result == ApplyOutcome.Created);

    public int Configured => Applied.Count(r => r.Result == ApplyOutcome.Configured);

    public int Unchanged => Applied.Count(r => r.Result == ApplyOutcome.Unchanged);

    public override string ToString() => $"kpack {Version}";
}
