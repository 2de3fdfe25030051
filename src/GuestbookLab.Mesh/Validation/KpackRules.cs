using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Rules for kpack's objects (v0.10.2 pkg/apis/build/v1alpha2 *_validation.go: required fields, the builder reference's
/// kinds, one source) and the module's own: image references parse as the distribution/reference grammar does, a tag
/// kpack pushes to names its registry explicitly (no silent docker.io), environment names are valid (Kubernetes
/// IsEnvVarName).
/// </summary>
public static partial class KpackRules
{
    private const string Reference = "distribution/reference";

    /// <summary>The kinds an Image's builder may be.</summary>
    public static readonly IReadOnlyList<string> BuilderKinds = [Model.Builder.KindName, Model.ClusterBuilder.KindName];

    /// <summary>
    /// An image reference (<c>[registry[:port]/]path[:tag][@digest]</c>). <paramref name="pushTag"/>: a tag kpack
    /// pushes to, which must name its registry and have no digest.
    /// </summary>
    public static bool ImageReference(ValidationResult result, string field, string? reference, bool pushTag)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (string.IsNullOrEmpty(reference))
        {
            result.Error(ErrorIds.InvalidImageReference, field, reference, pushTag ? "a tag to push the image to is required" : "an image reference is required", "kpack validation");
            return false;
        }

        var match = ReferencePattern().Match(reference);
        if (!match.Success || match.Groups["name"].Value.Length > 255)
        {
            result.Error(ErrorIds.InvalidImageReference, field, reference,
                $"{ValidationResult.Show(reference)} is not an image reference: expected [registry[:port]/]name[:tag][@sha256:digest], the name in lower case (letters, digits, '.', '_', '-' between them, '/' between path components)",
                Reference);
            return false;
        }

        if (!pushTag)
        {
            return true;
        }

        if (match.Groups["digest"].Success)
        {
            result.Error(ErrorIds.InvalidImageReference, field, reference, $"{ValidationResult.Show(reference)} has a digest: kpack pushes to a tag, give registry/name:tag", "kpack validation");
            return false;
        }

        if (RegistryOf(reference) is null)
        {
            result.Error(ErrorIds.InvalidImageReference, field, reference,
                $"{ValidationResult.Show(reference)} names no registry, so it would be pushed to docker.io: give the registry, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/{reference}",
                "GuestbookLab: explicit registry");
            return false;
        }

        return true;
    }

    /// <summary>The registry host of a reference when it names one (docker's rule: the first component has '.' or ':', or is localhost).</summary>
    public static string? RegistryOf(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return null;
        }

        var first = reference[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : null;
    }

    /// <summary>A reference to an Image's builder: kind Builder or ClusterBuilder, and a name.</summary>
    public static bool BuilderReference(ValidationResult result, string kindField, string nameField, KindReference? reference)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ok = true;
        if (reference?.Kind is not { } kind || !BuilderKinds.Contains(kind, StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidBuilderReference, kindField, reference?.Kind,
                $"the builder's kind must be Builder or ClusterBuilder, not {ValidationResult.Show(reference?.Kind)}", "kpack validation");
            ok = false;
        }

        return Named(result, nameField, reference?.Name, "builder") && ok;
    }

    /// <summary>A reference a Builder makes to its stack (ClusterStack) or store (ClusterStore).</summary>
    public static bool KindReference(ValidationResult result, string field, KindReference? reference, string kind, string what)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (reference is null)
        {
            result.Error(ErrorIds.InvalidBuilderReference, field, null, $"the {what} ({kind}) is required", "kpack validation");
            return false;
        }

        var ok = true;
        if (reference.Kind != kind)
        {
            result.Error(ErrorIds.InvalidBuilderReference, $"{field}.kind", reference.Kind, $"the {what}'s kind must be {kind}, not {ValidationResult.Show(reference.Kind)}", "kpack validation");
            ok = false;
        }

        return Named(result, $"{field}.name", reference.Name, what) && ok;
    }

    /// <summary>An environment variable name (Kubernetes IsEnvVarName: letters, digits, '_', '-', '.', not starting with a digit).</summary>
    public static bool EnvName(ValidationResult result, string field, string? name)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (string.IsNullOrEmpty(name) || !EnvNamePattern().IsMatch(name))
        {
            result.Error(ErrorIds.InvalidEnvName, field, name,
                $"{ValidationResult.Show(name)} is not a valid environment variable name: use letters, digits, '_', '-' and '.', not starting with a digit",
                "IsEnvVarName");
            return false;
        }

        return true;
    }

    /// <summary>Environment variables: valid names, each once.</summary>
    public static void Env(ValidationResult result, string field, IReadOnlyList<EnvVar>? env, Func<int, EnvVar, string>? fieldOf = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (env?.Count ?? 0); i++)
        {
            var name = env![i].Name;
            var at = fieldOf?.Invoke(i, env[i]) ?? $"{field}[{i}].name";
            if (EnvName(result, at, name) && !seen.Add(name!))
            {
                result.Error(ErrorIds.InvalidEnvName, at, name, $"the environment variable {name} is set twice", "kpack validation");
            }
        }
    }

    /// <summary>A git source: an absolute URL and a revision (kpack requires both).</summary>
    public static void Git(ValidationResult result, string urlField, string revisionField, GitSource git)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(git);
        if (string.IsNullOrEmpty(git.Url) || !(Uri.TryCreate(git.Url, UriKind.Absolute, out _) || ScpLike().IsMatch(git.Url)))
        {
            result.Error(ErrorIds.InvalidImageSource, urlField, git.Url, $"{ValidationResult.Show(git.Url)} is not a git URL (https://..., ssh://... or git@host:path)", "kpack validation");
        }

        if (string.IsNullOrWhiteSpace(git.Revision))
        {
            result.Error(ErrorIds.InvalidImageSource, revisionField, git.Revision, "a git source needs a revision (a branch, tag or commit)", "kpack validation");
        }
    }

    // ------------------------------------------------------------------ whole objects (ResourceValidator)

    public static void ServiceAccount(ValidationResult result, ServiceAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        for (var i = 0; i < (account.Secrets?.Count ?? 0); i++)
        {
            Rules.ResourceName(result, $"secrets[{i}].name", account.Secrets![i].Name);
        }

        for (var i = 0; i < (account.ImagePullSecrets?.Count ?? 0); i++)
        {
            Rules.ResourceName(result, $"imagePullSecrets[{i}].name", account.ImagePullSecrets![i].Name);
        }
    }

    public static void ClusterStore(ValidationResult result, ClusterStore store)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(store);
        var sources = store.Spec.Sources ?? [];
        if (sources.Count == 0)
        {
            result.Error(ErrorIds.InvalidKpackSpec, "spec.sources", null, "a ClusterStore needs at least one source (a buildpackage image)", "kpack validation");
        }

        for (var i = 0; i < sources.Count; i++)
        {
            ImageReference(result, $"spec.sources[{i}].image", sources[i].Image, pushTag: false);
        }
    }

    public static void ClusterStack(ValidationResult result, ClusterStack stack)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stack);
        if (string.IsNullOrWhiteSpace(stack.Spec.Id))
        {
            result.Error(ErrorIds.InvalidKpackSpec, "spec.id", stack.Spec.Id, "a ClusterStack needs the stack's id (e.g. io.buildpacks.stacks.bionic)", "kpack validation");
        }

        ImageReference(result, "spec.buildImage.image", stack.Spec.BuildImage?.Image, pushTag: false);
        ImageReference(result, "spec.runImage.image", stack.Spec.RunImage?.Image, pushTag: false);
    }

    public static void Builder(ValidationResult result, KpackBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(builder);
        var spec = builder.Spec;
        ImageReference(result, "spec.tag", spec.Tag, pushTag: true);
        KindReference(result, "spec.stack", spec.Stack, Model.ClusterStack.KindName, "stack");
        KindReference(result, "spec.store", spec.Store, Model.ClusterStore.KindName, "store");
        Order(result, "spec.order", spec.Order);
        if (spec.ServiceAccountName is { } account)
        {
            Rules.ResourceName(result, "spec.serviceAccountName", account);
        }
    }

    /// <summary>A builder's order: at least one group, each with buildpack ids.</summary>
    public static void Order(ValidationResult result, string field, IReadOnlyList<BuilderOrderEntry>? order)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (order is null || order.Count == 0)
        {
            result.Error(ErrorIds.InvalidKpackSpec, field, null, "a builder needs at least one buildpack in its order", "kpack validation");
            return;
        }

        for (var i = 0; i < order.Count; i++)
        {
            var group = order[i].Group ?? [];
            if (group.Count == 0)
            {
                result.Error(ErrorIds.InvalidKpackSpec, $"{field}[{i}].group", null, "an order entry needs at least one buildpack", "kpack validation");
            }

            for (var j = 0; j < group.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(group[j].Id))
                {
                    result.Error(ErrorIds.InvalidKpackSpec, $"{field}[{i}].group[{j}].id", group[j].Id, "a buildpack needs its id (e.g. paketo-buildpacks/java)", "kpack validation");
                }
            }
        }
    }

    public static void Image(ValidationResult result, KpackImage image)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(image);
        var spec = image.Spec;
        ImageReference(result, "spec.tag", spec.Tag, pushTag: true);
        for (var i = 0; i < (spec.AdditionalTags?.Count ?? 0); i++)
        {
            ImageReference(result, $"spec.additionalTags[{i}]", spec.AdditionalTags![i], pushTag: true);
        }

        BuilderReference(result, "spec.builder.kind", "spec.builder.name", spec.Builder);
        if (spec.ServiceAccountName is { } account)
        {
            Rules.ResourceName(result, "spec.serviceAccountName", account);
        }

        Source(result, "spec.source", spec.Source);
        Env(result, "spec.build.env", spec.Build?.Env);
        if (spec.ImageTaggingStrategy is { } strategy && strategy is not ("None" or "BuildNumber"))
        {
            result.Error(ErrorIds.InvalidKpackSpec, "spec.imageTaggingStrategy", strategy, "the image tagging strategy must be None or BuildNumber", "kpack validation");
        }
    }

    /// <summary>An Image's source: exactly one of git, blob and registry.</summary>
    public static void Source(ValidationResult result, string field, SourceConfig? source)
    {
        ArgumentNullException.ThrowIfNull(result);
        var given = new[] { source?.Git is null ? null : "git", source?.Blob is null ? null : "blob", source?.Registry is null ? null : "registry" }.OfType<string>().ToList();
        if (given.Count != 1)
        {
            result.Error(ErrorIds.InvalidImageSource, field, null,
                given.Count == 0 ? "an image needs a source: git, blob or registry" : $"an image takes one source, not {string.Join(" and ", given)}", "kpack validation");
            return;
        }

        if (source!.Git is { } git)
        {
            Git(result, $"{field}.git.url", $"{field}.git.revision", git);
        }
        else if (source.Blob is { } blob && (string.IsNullOrEmpty(blob.Url) || !Uri.TryCreate(blob.Url, UriKind.Absolute, out _)))
        {
            result.Error(ErrorIds.InvalidImageSource, $"{field}.blob.url", blob.Url, $"{ValidationResult.Show(blob.Url)} is not an absolute URL", "kpack validation");
        }
        else if (source.Registry is { } registry)
        {
            ImageReference(result, $"{field}.registry.image", registry.Image, pushTag: false);
        }
    }

    private static bool Named(ValidationResult result, string field, string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            result.Error(ErrorIds.InvalidBuilderReference, field, name, $"the {what}'s name is required", "kpack validation");
            return false;
        }

        return Rules.ResourceName(result, field, name);
    }

    // distribution/reference: domain (components and an optional port) '/', path components, ':tag', '@digest'.
    [GeneratedRegex(@"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^[-._a-zA-Z][-._a-zA-Z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+$", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLike();
}
