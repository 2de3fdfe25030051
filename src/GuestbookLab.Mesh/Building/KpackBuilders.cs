using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

// The codelab's "Setup kpack" and "Build images and push to ECR": the build ServiceAccount, ClusterStore, ClusterStack,
// Builder and Images as kpack v0.10.2 reads them.

/// <summary>
/// Where an image is pushed: a whole <see cref="Tag"/>, or composed from a repository URI (a LabRegistry's Uri) and a
/// version, or from the ECR account, region, prefix and repository name and a version.
/// </summary>
public sealed record ImageTagOptions
{
    public string? Tag { get; init; }

    /// <summary>A repository URI (<c>host/name</c>, e.g. a LabRegistry's Uri).</summary>
    public string? RegistryUri { get; init; }

    public string? AccountId { get; init; }

    public string? Region { get; init; }

    public string? RepositoryPrefix { get; init; }

    /// <summary>The repository name after the prefix (ui, message, guestbook, kpack).</summary>
    public string? Repository { get; init; }

    /// <summary>The tag after the colon (v1, v2, builder).</summary>
    public string? Version { get; init; }
}

/// <summary>Composes and checks an image tag from <see cref="ImageTagOptions"/>.</summary>
public static partial class ImageTags
{
    /// <summary>Field names of the tag options and the parameters that set them.</summary>
    internal static readonly (string Field, string Parameter)[] Parameters = [("RegistryUri", "-Registry")];

    /// <summary>The ECR repository URI the codelab uses: ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX-NAME.</summary>
    public static string EcrRepository(string accountId, string region, string? prefix, string repository) =>
        $"{accountId}.dkr.ecr.{region}.amazonaws.com/{(string.IsNullOrEmpty(prefix) ? repository : $"{prefix}-{repository}")}";

    /// <summary>The tag the options give, or null (with the issues in <paramref name="result"/>).</summary>
    public static string? Resolve(ValidationResult result, ImageTagOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var ecr = options.AccountId is not null || options.Region is not null || options.Repository is not null;
        var ways = new[] { options.Tag is null ? null : "Tag", options.RegistryUri is null ? null : "RegistryUri", ecr ? "AccountId" : null }.OfType<string>().ToList();
        if (ways.Count == 0)
        {
            result.Error(ErrorIds.InvalidImageReference, "Tag", null, "give the tag to push to: -Tag, or -Registry (a LabRegistry from the pipeline) and -Version, or -AccountId, -Region, -Repository and -Version", "GuestbookLab");
            return null;
        }

        if (ways.Count > 1)
        {
            result.Error(ErrorIds.InvalidImageReference, string.Join(", ", ways), null, "give the tag one way only: -Tag, -Registry, or -AccountId with -Region and -Repository", "GuestbookLab");
            return null;
        }

        string? tag;
        var field = ways[0];
        if (options.Tag is not null)
        {
            tag = options.Tag;
        }
        else
        {
            if (string.IsNullOrEmpty(options.Version))
            {
                result.Error(ErrorIds.InvalidImageReference, "Version", options.Version, "a version (the tag after ':', e.g. v1) is needed to compose the tag", "GuestbookLab");
                return null;
            }

            if (options.RegistryUri is not null)
            {
                tag = $"{options.RegistryUri}:{options.Version}";
            }
            else
            {
                var before = result.Errors.Count();
                if (options.AccountId is null || !AccountPattern().IsMatch(options.AccountId))
                {
                    result.Error(ErrorIds.InvalidImageReference, "AccountId", options.AccountId, $"{ValidationResult.Show(options.AccountId)} is not an AWS account id (12 digits)", "GuestbookLab");
                }

                AwsRules.Region(result, "Region", options.Region);
                AwsRules.RepositoryName(result, "Repository", string.IsNullOrEmpty(options.RepositoryPrefix) ? options.Repository : $"{options.RepositoryPrefix}-{options.Repository}");
                if (result.Errors.Count() > before)
                {
                    return null;
                }

                tag = $"{EcrRepository(options.AccountId!, options.Region!, options.RepositoryPrefix, options.Repository!)}:{options.Version}";
                field = "Repository";
            }
        }

        return KpackRules.ImageReference(result, field == "AccountId" ? "Repository" : field, tag, pushTag: true) ? tag : null;
    }

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();
}

/// <summary>The ServiceAccount kpack's builds run as: New-LabBuildServiceAccount's input.</summary>
public sealed record BuildServiceAccountOptions
{
    public string Name { get; init; } = "kp-sa";

    public string? Namespace { get; init; }

    /// <summary>The registry secrets, listed under both secrets (push) and imagePullSecrets (pull).</summary>
    public required IReadOnlyList<string> Secrets { get; init; }
}

/// <summary>Builds the codelab's kp-sa: the registry secret under <c>secrets</c> and <c>imagePullSecrets</c>.</summary>
public static class BuildServiceAccountBuilder
{
    public static ParameterMap Parameters { get; } = new(("Secrets", "-SecretName"));

    public static ValidationResult Validate(BuildServiceAccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        Namespace(result, options.Namespace);
        if (options.Secrets.Count == 0)
        {
            result.Error(ErrorIds.InvalidName, "Secrets", null, "give the registry secret: pipe it from New-LabRegistrySecret or name it with -SecretName", "GuestbookLab");
        }

        for (var i = 0; i < options.Secrets.Count; i++)
        {
            Rules.ResourceName(result, $"Secrets[{i}]", options.Secrets[i]);
        }

        return result;
    }

    public static ServiceAccount Build(BuildServiceAccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Secrets.Distinct(StringComparer.Ordinal).ToList();
        return new ServiceAccount
        {
            Name = options.Name,
            Namespace = options.Namespace,
            Secrets = names.Select(n => new NamedReference { Name = n }).ToList(),
            ImagePullSecrets = names.Select(n => new NamedReference { Name = n }).ToList(),
        };
    }

    internal static void Namespace(ValidationResult result, string? ns)
    {
        if (ns is not null)
        {
            Rules.Dns1123Label(result, "Namespace", ns, ErrorIds.InvalidName, "namespace", "metadata.namespace");
        }
    }
}

/// <summary>A ClusterStore: New-LabClusterStore's input.</summary>
public sealed record ClusterStoreOptions
{
    public string Name { get; init; } = "default";

    /// <summary>The buildpackage images (gcr.io/paketo-buildpacks/java).</summary>
    public required IReadOnlyList<string> Sources { get; init; }
}

public static class ClusterStoreBuilder
{
    public static ParameterMap Parameters { get; } = new(("Sources", "-Source"));

    public static ValidationResult Validate(ClusterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        if (options.Sources.Count == 0)
        {
            result.Error(ErrorIds.InvalidKpackSpec, "Sources", null, "a ClusterStore needs at least one buildpackage image", "kpack validation");
        }

        for (var i = 0; i < options.Sources.Count; i++)
        {
            KpackRules.ImageReference(result, $"Sources[{i}]", options.Sources[i], pushTag: false);
        }

        return result;
    }

    public static ClusterStore Build(ClusterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var store = new ClusterStore { Name = options.Name };
        store.Spec.Sources = options.Sources.Select(s => new ImageSource { Image = s }).ToList();
        return store;
    }
}

/// <summary>A ClusterStack: New-LabClusterStack's input (the codelab's defaults).</summary>
public sealed record ClusterStackOptions
{
    public string Name { get; init; } = "base";

    public string Id { get; init; } = "io.buildpacks.stacks.bionic";

    public string BuildImage { get; init; } = "paketobuildpacks/build:base-cnb";

    public string RunImage { get; init; } = "paketobuildpacks/run:base-cnb";
}

public static class ClusterStackBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(ClusterStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        if (string.IsNullOrWhiteSpace(options.Id))
        {
            result.Error(ErrorIds.InvalidKpackSpec, nameof(options.Id), options.Id, "the stack's id is required (e.g. io.buildpacks.stacks.bionic)", "kpack validation");
        }

        KpackRules.ImageReference(result, nameof(options.BuildImage), options.BuildImage, pushTag: false);
        KpackRules.ImageReference(result, nameof(options.RunImage), options.RunImage, pushTag: false);
        return result;
    }

    public static ClusterStack Build(ClusterStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stack = new ClusterStack { Name = options.Name };
        stack.Spec.Id = options.Id;
        stack.Spec.BuildImage = new ImageSource { Image = options.BuildImage };
        stack.Spec.RunImage = new ImageSource { Image = options.RunImage };
        return stack;
    }
}

/// <summary>A Builder (or ClusterBuilder): New-LabBuilder's input.</summary>
public sealed record BuilderOptions
{
    public string Name { get; init; } = "builder";

    public string? Namespace { get; init; }

    public required ImageTagOptions Tag { get; init; }

    public string Stack { get; init; } = "base";

    public string Store { get; init; } = "default";

    /// <summary>The order: one group per entry, each buildpack <c>id</c> or <c>id@version</c>; buildpacks of one group joined with '+'.</summary>
    public IReadOnlyList<string> Buildpacks { get; init; } = ["paketo-buildpacks/java"];

    public string ServiceAccountName { get; init; } = "kp-sa";

    /// <summary>A ClusterBuilder (its service account in <see cref="ServiceAccountNamespace"/>) instead of a Builder.</summary>
    public bool Cluster { get; init; }

    public string ServiceAccountNamespace { get; init; } = "default";
}

public static class BuilderBuilder
{
    public static ParameterMap Parameters { get; } = new([.. ImageTags.Parameters, ("Buildpacks", "-Buildpack")]);

    public static ValidationResult Validate(BuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        if (options.Cluster && options.Namespace is not null)
        {
            result.Error(ErrorIds.InvalidKpackSpec, "Namespace", options.Namespace, "a ClusterBuilder is cluster-scoped: it takes no namespace (its service account's is -ServiceAccountNamespace)", "kpack validation");
        }

        BuildServiceAccountBuilder.Namespace(result, options.Namespace);
        ImageTags.Resolve(result, options.Tag);
        Rules.ResourceName(result, nameof(options.Stack), options.Stack);
        Rules.ResourceName(result, nameof(options.Store), options.Store);
        Rules.ResourceName(result, nameof(options.ServiceAccountName), options.ServiceAccountName);
        if (options.Buildpacks.Count == 0)
        {
            result.Error(ErrorIds.InvalidKpackSpec, "Buildpacks", null, "a builder needs at least one buildpack", "kpack validation");
        }

        for (var i = 0; i < options.Buildpacks.Count; i++)
        {
            if (Group(options.Buildpacks[i]).Any(b => string.IsNullOrWhiteSpace(b.Id) || b.Version is "" || b.Id!.Any(char.IsWhiteSpace)))
            {
                result.Error(ErrorIds.InvalidKpackSpec, $"Buildpacks[{i}]", options.Buildpacks[i], $"{ValidationResult.Show(options.Buildpacks[i])} is not a buildpack id (id or id@version; '+' between the buildpacks of one group)", "kpack validation");
            }
        }

        return result;
    }

    public static KpackBuilder Build(BuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new ValidationResult();
        var tag = ImageTags.Resolve(check, options.Tag) ?? throw new ArgumentException(check.Errors.First().ToString());
        KpackBuilder builder = options.Cluster ? new ClusterBuilder { Name = options.Name } : new Builder { Name = options.Name, Namespace = options.Namespace };
        var spec = builder.Spec;
        if (!options.Cluster)
        {
            spec.ServiceAccountName = options.ServiceAccountName;
        }

        spec.Tag = tag;
        spec.Stack = new KindReference { Name = options.Stack, Kind = ClusterStack.KindName };
        spec.Store = new KindReference { Name = options.Store, Kind = ClusterStore.KindName };
        spec.Order = options.Buildpacks.Select(g => new BuilderOrderEntry { Group = Group(g) }).ToList();
        if (options.Cluster)
        {
            spec.ServiceAccountRef = new ServiceAccountReference { Name = options.ServiceAccountName, Namespace = options.ServiceAccountNamespace };
        }

        return builder;
    }

    private static List<BuildpackReference> Group(string text) => text.Split('+').Select(b =>
    {
        var at = b.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? new BuildpackReference { Id = b.Trim() } : new BuildpackReference { Id = b[..at].Trim(), Version = b[(at + 1)..].Trim() };
    }).ToList();
}

/// <summary>A kpack Image: New-LabImage's input.</summary>
public sealed record ImageOptions
{
    public required string Name { get; init; }

    public string? Namespace { get; init; }

    public required ImageTagOptions Tag { get; init; }

    public string Builder { get; init; } = "builder";

    public string BuilderKind { get; init; } = Model.Builder.KindName;

    public string ServiceAccountName { get; init; } = "kp-sa";

    /// <summary>A git repository URL (with <see cref="Revision"/>).</summary>
    public string? Git { get; init; }

    public string? Revision { get; init; }

    /// <summary>A source archive URL.</summary>
    public string? Blob { get; init; }

    /// <summary>A source image in a registry.</summary>
    public string? SourceImage { get; init; }

    public string? SubPath { get; init; }

    /// <summary>The build's environment (BP_GRADLE_BUILT_MODULE = ui), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    public IReadOnlyList<string> AdditionalTags { get; init; } = [];
}

public static class ImageBuilder
{
    public static ParameterMap Parameters { get; } = new([.. ImageTags.Parameters, ("AdditionalTags", "-AdditionalTag")]);

    public static ValidationResult Validate(ImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Name), options.Name);
        BuildServiceAccountBuilder.Namespace(result, options.Namespace);
        ImageTags.Resolve(result, options.Tag);
        for (var i = 0; i < options.AdditionalTags.Count; i++)
        {
            KpackRules.ImageReference(result, $"AdditionalTags[{i}]", options.AdditionalTags[i], pushTag: true);
        }

        KpackRules.BuilderReference(result, nameof(options.BuilderKind), nameof(options.Builder), new KindReference { Kind = options.BuilderKind, Name = options.Builder });
        Rules.ResourceName(result, nameof(options.ServiceAccountName), options.ServiceAccountName);
        var sources = new[] { options.Git is null ? null : "Git", options.Blob is null ? null : "Blob", options.SourceImage is null ? null : "SourceImage" }.OfType<string>().ToList();
        if (sources.Count != 1)
        {
            result.Error(ErrorIds.InvalidImageSource, sources.Count == 0 ? "Git" : string.Join(", ", sources), null,
                sources.Count == 0 ? "give the source: -Git (with -Revision), -Blob or -SourceImage" : "give one source only: -Git, -Blob or -SourceImage", "kpack validation");
        }
        else
        {
            KpackRules.Source(result, "Source", Source(options));
        }

        if (options.Revision is not null && options.Git is null)
        {
            result.Error(ErrorIds.InvalidImageSource, "Revision", options.Revision, "-Revision is for a -Git source", "kpack validation");
        }

        KpackRules.Env(result, "Env", Env(options), (_, e) => $"Env[{e.Name}]");
        return Rename(result);
    }

    public static KpackImage Build(ImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new ValidationResult();
        var tag = ImageTags.Resolve(check, options.Tag) ?? throw new ArgumentException(check.Errors.First().ToString());
        var image = new KpackImage { Name = options.Name, Namespace = options.Namespace };
        var spec = image.Spec;
        spec.Tag = tag;
        spec.AdditionalTags = options.AdditionalTags.Count == 0 ? null : [.. options.AdditionalTags];
        spec.ServiceAccountName = options.ServiceAccountName;
        spec.Builder = new KindReference { Name = options.Builder, Kind = options.BuilderKind };
        spec.Source = Source(options);
        var env = Env(options);
        spec.Build = env.Count == 0 ? null : new ImageBuild { Env = env };
        return image;
    }

    private static SourceConfig Source(ImageOptions options) => new()
    {
        Git = options.Git is null ? null : new GitSource { Url = options.Git, Revision = options.Revision },
        Blob = options.Blob is null ? null : new BlobSource { Url = options.Blob },
        Registry = options.SourceImage is null ? null : new RegistrySource { Image = options.SourceImage },
        SubPath = options.SubPath,
    };

    private static List<EnvVar> Env(ImageOptions options) => options.Env.Select(e => new EnvVar { Name = e.Key, Value = e.Value }).ToList();

    // The source rules speak of the API's fields; say which parameter set them.
    private static ValidationResult Rename(ValidationResult result)
    {
        var renamed = new ValidationResult();
        renamed.AddRange(result.Issues.Select(i => i.Field switch
        {
            "Source.git.url" => i with { Field = "Git", Parameter = "-Git" },
            "Source.git.revision" => i with { Field = "Revision", Parameter = "-Revision" },
            "Source.blob.url" => i with { Field = "Blob", Parameter = "-Blob" },
            "Source.registry.image" => i with { Field = "SourceImage", Parameter = "-SourceImage" },
            _ => i,
        }));
        return renamed;
    }
}
