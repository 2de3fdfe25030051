using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;
using SchemaCheck;

namespace GuestbookLab.Tests;

/// <summary>kpack's kinds: typed and lossless on a round trip, validated, and built from options as the codelab writes them.</summary>
public class KpackTests
{
    private const string Registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    private static ImageTagOptions Ecr(string repository, string version) =>
        new() { AccountId = "123456789012", Region = "us-east-1", RepositoryPrefix = "guestbook", Repository = repository, Version = version };

    private static ImageOptions UiImage => new()
    {
        Name = "ui-image", Tag = Ecr("ui", "v1"), Git = "https://gitlab.com/DmyMi/aws-k8s-lab.git", Revision = "master",
        Env = [KeyValuePair.Create("BP_GRADLE_BUILT_MODULE", "ui")],
    };

    // Every typed field of each kind, unknown fields beside them at every level, and the status kpack writes.
    private const string Full = """
        apiVersion: kpack.io/v1alpha2
        kind: Image
        metadata: {name: ui-image, namespace: default, generation: 3, uid: u1, labels: {a: b}, annotations: {c: d}}
        spec:
          tag: r.io/p/ui:v1
          additionalTags: [r.io/p/ui:latest]
          serviceAccountName: kp-sa
          builder: {kind: Builder, name: builder, apiVersion: kpack.io/v1alpha2}
          source: {git: {url: 'https://g/x.git', revision: master, depth: 1}, subPath: ui, blob: {url: 'https://b', stripComponents: 1}, registry: {image: 'r.io/src', imagePullSecrets: [{name: s}]}}
          build: {env: [{name: A, value: b}, {name: C, valueFrom: {secretKeyRef: {name: s, key: k}}}], resources: {limits: {cpu: '1'}}, nodeSelector: {x: z}}
          cache: {volume: {size: 2G}}
          failedBuildHistoryLimit: 3
          successBuildHistoryLimit: 10
          imageTaggingStrategy: BuildNumber
          cosign: {signing: []}
        status:
          observedGeneration: 3
          conditions: [{type: Ready, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z'}, {type: BuilderReady, status: 'True'}]
          latestImage: r.io/p/ui@sha256:0000000000000000000000000000000000000000000000000000000000000000
          latestBuildRef: ui-image-build-2
          buildCounter: 2
          latestBuildReason: COMMIT
        ---
        apiVersion: kpack.io/v1alpha2
        kind: Builder
        metadata: {name: builder}
        spec:
          tag: r.io/p/kpack:builder
          serviceAccountName: kp-sa
          stack: {name: base, kind: ClusterStack}
          store: {name: default, kind: ClusterStore}
          order: [{group: [{id: paketo-buildpacks/java, version: 1.0.0, optional: true, extra: 1}]}]
          serviceAccountRef: {name: kp-sa, namespace: default}
          more: {x: 1}
        status: {latestImage: 'r.io/p/kpack@sha256:1', conditions: [{type: Ready, status: 'False', reason: R, message: M}]}
        ---
        apiVersion: kpack.io/v1alpha2
        kind: ClusterBuilder
        metadata: {name: cb}
        spec: {tag: r.io/p/cb:1, stack: {name: base, kind: ClusterStack}, store: {name: default, kind: ClusterStore}, order: [{group: [{id: a}]}], serviceAccountRef: {name: kp-sa, namespace: default}}
        ---
        apiVersion: kpack.io/v1alpha2
        kind: ClusterStore
        metadata: {name: default}
        spec: {sources: [{image: gcr.io/paketo-buildpacks/java, x: 1}], serviceAccountRef: {name: a, namespace: b}}
        status: {buildpacks: [{id: x}]}
        ---
        apiVersion: kpack.io/v1alpha2
        kind: ClusterStack
        metadata: {name: base}
        spec: {id: io.buildpacks.stacks.bionic, buildImage: {image: 'paketobuildpacks/build:base-cnb'}, runImage: {image: 'paketobuildpacks/run:base-cnb'}, serviceAccountRef: {name: a, namespace: b}}
        ---
        apiVersion: kpack.io/v1alpha2
        kind: Build
        metadata: {name: ui-image-build-2, labels: {image.kpack.io/image: ui-image, image.kpack.io/buildNumber: '2'}, annotations: {image.kpack.io/reason: COMMIT}}
        spec: {tags: [r.io/p/ui:v1], serviceAccountName: kp-sa, builder: {image: 'r.io/p/kpack@sha256:1'}, source: {git: {url: 'https://g/x.git', revision: abc}}, env: [{name: A, value: b}]}
        status: {podName: ui-image-build-2-build-pod, conditions: [{type: Succeeded, status: Unknown}], stepsCompleted: [prepare]}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: kp-sa}
        secrets: [{name: ecr-secret, namespace: x}]
        imagePullSecrets: [{name: ecr-secret}]
        automountServiceAccountToken: false
        """;

    [Fact]
    public void Every_kind_reads_typed_and_survives_a_round_trip()
    {
        var resources = ManifestSerializer.Deserialize(Full);
        Assert.Equal(
            [typeof(KpackImage), typeof(Builder), typeof(ClusterBuilder), typeof(ClusterStore), typeof(ClusterStack), typeof(KpackBuild), typeof(ServiceAccount)],
            resources.Select(r => r.GetType()));
        var back = Manifests.ReadAll(ManifestSerializer.Serialize(resources));
        var expected = Manifests.ReadAll(Full);
        Assert.Equal(expected.Count, back.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal("", string.Join("; ", Manifests.Differences(expected[i], back[i])));
        }
    }

    [Fact]
    public void Status_is_read_as_kpack_writes_it()
    {
        var resources = ManifestSerializer.Deserialize(Full);
        var image = (KpackImage)resources[0];
        Assert.Equal("True", image.Ready);
        Assert.Equal(3, image.Generation);
        Assert.Equal(3, image.ObservedGeneration);
        Assert.Equal(2, image.BuildCounter);
        Assert.Equal("COMMIT", image.LatestBuildReason);
        Assert.StartsWith("r.io/p/ui@sha256:", image.LatestImage, System.StringComparison.Ordinal);
        Assert.Equal("ui", image.Spec.Source!.SubPath);
        Assert.Equal("b", image.Spec.Build!.Env![0].Value);
        var builder = (Builder)resources[1];
        Assert.Equal(("False", "R", "M"), (builder.Ready, builder.Reason, builder.Message));
        var build = (KpackBuild)resources[5];
        Assert.Equal(("ui-image", 2L, "Unknown", "ui-image-build-2-build-pod", "COMMIT"), (build.Image, build.BuildNumber!.Value, build.Ready, build.PodName, build.BuildReason));
        Assert.DoesNotContain(ResourceValidator.Validate(image).Errors, e => e.ErrorId != ErrorIds.InvalidImageSource);
    }

    [Fact]
    public void Only_v1alpha2_reads_typed()
    {
        var v1 = ManifestSerializer.Deserialize("apiVersion: kpack.io/v1alpha1\nkind: Image\nmetadata: {name: x}\nspec: {tag: a}\n").Single();
        Assert.IsType<GenericResource>(v1);
    }

    [Fact]
    public void The_images_are_the_codelabs()
    {
        Assert.Empty(ImageBuilder.Validate(UiImage).Issues);
        var image = ImageBuilder.Build(UiImage);
        Assert.Equal($"{Registry}/guestbook-ui:v1", image.Spec.Tag);
        Assert.Equal(("Builder", "builder", "kp-sa"), (image.Spec.Builder!.Kind, image.Spec.Builder.Name, image.Spec.ServiceAccountName));
        Assert.Equal(("https://gitlab.com/DmyMi/aws-k8s-lab.git", "master"), (image.Spec.Source!.Git!.Url, image.Spec.Source.Git.Revision));
        Assert.Equal("BP_GRADLE_BUILT_MODULE=ui", string.Join(";", image.Spec.Build!.Env!.Select(e => $"{e.Name}={e.Value}")));
        Assert.Empty(ResourceValidator.Validate(image).Issues);
    }

    [Fact]
    public void A_tag_comes_from_a_registry_uri_and_a_version()
    {
        var tag = ImageTags.Resolve(new ValidationResult(), new ImageTagOptions { RegistryUri = $"{Registry}/p-ui", Version = "v2" });
        Assert.Equal($"{Registry}/p-ui:v2", tag);
    }

    [Theory]
    [InlineData("guestbook-ui:v1", "-Tag", "names no registry")]
    [InlineData("r.io/Guestbook:v1", "-Tag", "is not an image reference")]
    [InlineData("r.io/g@sha256:0123456789abcdef0123456789abcdef", "-Tag", "has a digest")]
    [InlineData("localhost:5000/g:v1", null, null)]
    public void A_push_tag_names_its_registry(string tag, string? parameter, string? message)
    {
        var result = ImageBuilder.Validate(UiImage with { Tag = new ImageTagOptions { Tag = tag } });
        if (parameter is null)
        {
            Assert.Empty(result.Issues);
            return;
        }

        var issue = Assert.Single(result.Errors);
        Assert.Equal((ErrorIds.InvalidImageReference, parameter), (issue.ErrorId, issue.Parameter));
        Assert.Contains(message!, issue.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_tag_given_two_ways_or_without_a_version_is_refused()
    {
        var both = Assert.Single(ImageBuilder.Validate(UiImage with { Tag = new ImageTagOptions { Tag = "r.io/a:1", RegistryUri = "r.io/a" } }).Errors);
        Assert.Equal("-Tag, -Registry", both.Parameter);
        var none = Assert.Single(ImageBuilder.Validate(UiImage with { Tag = new ImageTagOptions { RegistryUri = "r.io/a" } }).Errors);
        Assert.Equal("-Version", none.Parameter);
        var account = Assert.Single(ImageBuilder.Validate(UiImage with { Tag = Ecr("ui", "v1") with { AccountId = "12345" } }).Errors);
        Assert.Equal("-AccountId", account.Parameter);
        var region = Assert.Single(ImageBuilder.Validate(UiImage with { Tag = Ecr("ui", "v1") with { Region = "mars" } }).Errors);
        Assert.Equal(("-Region", ErrorIds.InvalidRegion), (region.Parameter, region.ErrorId));
    }

    [Fact]
    public void The_builder_reference_is_a_builder_or_cluster_builder()
    {
        var issue = Assert.Single(ImageBuilder.Validate(UiImage with { BuilderKind = "ClusterStack" }).Errors);
        Assert.Equal((ErrorIds.InvalidBuilderReference, "-BuilderKind"), (issue.ErrorId, issue.Parameter));
        Assert.Empty(ImageBuilder.Validate(UiImage with { BuilderKind = "ClusterBuilder" }).Issues);
        var name = Assert.Single(ImageBuilder.Validate(UiImage with { Builder = "My_Builder" }).Errors);
        Assert.Equal("-Builder", name.Parameter);
    }

    [Fact]
    public void Env_names_are_checked_by_key()
    {
        var result = ImageBuilder.Validate(UiImage with { Env = [KeyValuePair.Create("9LIVES", "x"), KeyValuePair.Create("OK", "y")] });
        var issue = Assert.Single(result.Errors);
        Assert.Equal((ErrorIds.InvalidEnvName, "-Env[9LIVES]"), (issue.ErrorId, issue.Parameter));
    }

    [Fact]
    public void An_image_has_one_source_and_a_git_source_a_revision()
    {
        Assert.Equal("-Git", Assert.Single(ImageBuilder.Validate(UiImage with { Git = null, Revision = null }).Errors).Parameter);
        Assert.Equal("-Git, -Blob", Assert.Single(ImageBuilder.Validate(UiImage with { Blob = "https://b/x.tgz", Revision = null }).Errors).Parameter);
        Assert.Equal("-Revision", Assert.Single(ImageBuilder.Validate(UiImage with { Revision = null }).Errors).Parameter);
        Assert.Equal("-Git", Assert.Single(ImageBuilder.Validate(UiImage with { Git = "not a url" }).Errors).Parameter);
        Assert.Empty(ImageBuilder.Validate(UiImage with { Git = "git@gitlab.com:DmyMi/aws-k8s-lab.git" }).Issues);
    }

    [Fact]
    public void The_builder_is_the_codelabs()
    {
        var options = new BuilderOptions { Tag = Ecr("kpack", "builder") };
        Assert.Empty(BuilderBuilder.Validate(options).Issues);
        var builder = Assert.IsType<Builder>(BuilderBuilder.Build(options));
        Assert.Equal($"{Registry}/guestbook-kpack:builder", builder.Spec.Tag);
        Assert.Equal(("ClusterStack", "base", "ClusterStore", "default"), (builder.Spec.Stack!.Kind, builder.Spec.Stack.Name, builder.Spec.Store!.Kind, builder.Spec.Store.Name));
        Assert.Equal("paketo-buildpacks/java", Assert.Single(Assert.Single(builder.Spec.Order!).Group!).Id);
        Assert.Equal("kp-sa", builder.Spec.ServiceAccountName);
        Assert.Empty(ResourceValidator.Validate(builder).Issues);
    }

    [Fact]
    public void A_builder_order_has_groups_and_versions_and_a_cluster_builder_its_account_reference()
    {
        var options = new BuilderOptions { Tag = new ImageTagOptions { Tag = "r.io/b:1" }, Buildpacks = ["paketo-buildpacks/java@9.0.0", "a+b"], Cluster = true };
        var builder = Assert.IsType<ClusterBuilder>(BuilderBuilder.Build(options));
        Assert.Equal("paketo-buildpacks/java@9.0.0|a,b", string.Join("|", builder.Spec.Order!.Select(o => string.Join(",", o.Group!.Select(g => g.Version is null ? g.Id : $"{g.Id}@{g.Version}")))));
        Assert.Equal(("kp-sa", "default"), (builder.Spec.ServiceAccountRef!.Name, builder.Spec.ServiceAccountRef.Namespace));
        Assert.Null(builder.Spec.ServiceAccountName);
        Assert.Equal("-Buildpack[0]", Assert.Single(BuilderBuilder.Validate(options with { Buildpacks = ["x@"] }).Errors).Parameter);
        Assert.Equal("-Buildpack", Assert.Single(BuilderBuilder.Validate(options with { Buildpacks = [] }).Errors).Parameter);
        Assert.Equal("-Namespace", Assert.Single(BuilderBuilder.Validate(options with { Namespace = "ns" }).Errors).Parameter);
    }

    [Fact]
    public void The_store_stack_and_service_account_are_the_codelabs()
    {
        var store = ClusterStoreBuilder.Build(new ClusterStoreOptions { Sources = ["gcr.io/paketo-buildpacks/java"] });
        Assert.Equal(("default", "gcr.io/paketo-buildpacks/java"), (store.Name, Assert.Single(store.Spec.Sources!).Image));
        Assert.Equal("-Source[0]", Assert.Single(ClusterStoreBuilder.Validate(new ClusterStoreOptions { Sources = ["GCR.io/x y"] }).Errors).Parameter);
        var stack = ClusterStackBuilder.Build(new ClusterStackOptions());
        Assert.Equal(("base", "io.buildpacks.stacks.bionic", "paketobuildpacks/build:base-cnb", "paketobuildpacks/run:base-cnb"), (stack.Name, stack.Spec.Id, stack.Spec.BuildImage!.Image, stack.Spec.RunImage!.Image));
        Assert.Equal("-RunImage", Assert.Single(ClusterStackBuilder.Validate(new ClusterStackOptions { RunImage = "" }).Errors).Parameter);
        var account = BuildServiceAccountBuilder.Build(new BuildServiceAccountOptions { Secrets = ["ecr-secret", "ecr-secret"] });
        Assert.Equal(("kp-sa", "ecr-secret", "ecr-secret"), (account.Name, Assert.Single(account.Secrets!).Name, Assert.Single(account.ImagePullSecrets!).Name));
        Assert.Equal("-SecretName", Assert.Single(BuildServiceAccountBuilder.Validate(new BuildServiceAccountOptions { Secrets = [] }).Errors).Parameter);
    }

    [Fact]
    public void Whole_objects_are_validated_with_their_fields()
    {
        var image = ImageBuilder.Build(UiImage);
        image.Spec.Builder!.Kind = "Pod";
        image.Spec.Build!.Env!.Add(new EnvVar { Name = "BP_GRADLE_BUILT_MODULE", Value = "x" });
        var result = ResourceValidator.Validate(image);
        Assert.Contains(result.Errors, e => e.Field == "spec.builder.kind" && e.ErrorId == ErrorIds.InvalidBuilderReference);
        Assert.Contains(result.Errors, e => e.Field == "spec.build.env[1].name" && e.Message.Contains("twice", System.StringComparison.Ordinal));
        var builder = BuilderBuilder.Build(new BuilderOptions { Tag = new ImageTagOptions { Tag = "r.io/b:1" } });
        builder.Spec.Stack!.Kind = "Stack";
        builder.Spec.Order = [];
        var errors = ResourceValidator.Validate(builder).Errors.Select(e => e.Field).ToList();
        Assert.Equal(["spec.stack.kind", "spec.order"], errors);
    }

    private static KpackImage ImageWith(long generation, string status) =>
        (KpackImage)ManifestSerializer.Deserialize($"apiVersion: kpack.io/v1alpha2\nkind: Image\nmetadata: {{name: ui-image, generation: {generation}}}\nspec: {{tag: r.io/ui:v1}}\nstatus: {status}\n").Single();

    [Fact]
    public void An_image_is_ready_as_kpack_decides_it()
    {
        Assert.False(GuestbookLab.Mesh.Status.Readiness.Image(null, "ui-image").Done);
        var running = GuestbookLab.Mesh.Status.Readiness.Image(ImageWith(1, "{observedGeneration: 1, buildCounter: 1, conditions: [{type: Ready, status: Unknown, reason: BuildRunning, message: ui-image-build-1 is executing}]}"), "ui-image");
        Assert.Equal((false, "Image \"ui-image\": build 1 running (BuildRunning: ui-image-build-1 is executing)..."), (running.Done, running.Message));
        var ready = GuestbookLab.Mesh.Status.Readiness.Image(ImageWith(1, "{observedGeneration: 1, buildCounter: 1, latestImage: 'r.io/ui@sha256:1', conditions: [{type: Ready, status: 'True'}]}"), "ui-image");
        Assert.Equal((true, null, "Image \"ui-image\" is ready (build 1): r.io/ui@sha256:1"), (ready.Done, ready.Failure, ready.Message));
        var failed = GuestbookLab.Mesh.Status.Readiness.Image(ImageWith(1, "{observedGeneration: 1, buildCounter: 2, conditions: [{type: Ready, status: 'False', reason: BuildFailed, message: boom}]}"), "ui-image");
        Assert.Equal((true, "BuildFailed"), (failed.Done, failed.Failure));
        Assert.EndsWith("BuildFailed: boom", failed.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_ready_condition_from_an_earlier_generation_is_stale()
    {
        var stale = GuestbookLab.Mesh.Status.Readiness.Image(ImageWith(2, "{observedGeneration: 1, conditions: [{type: Ready, status: 'True'}]}"), "ui-image");
        Assert.False(stale.Done);
        Assert.Contains("generation 2", stale.Message, System.StringComparison.Ordinal);
        Assert.False(GuestbookLab.Mesh.Status.Readiness.Image(ImageWith(1, "{conditions: [{type: Ready, status: 'True'}]}"), "ui-image").Done);
    }
}
