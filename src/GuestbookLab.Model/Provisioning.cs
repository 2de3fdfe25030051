using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GuestbookLab.Model;

// The codelab's infrastructure as pipeline objects: kops's own objects (kops.k8s.io/v1alpha2 Cluster, InstanceGroup,
// SSHCredential, as kops writes them to its state store) and what the AWS cmdlets report. Their spec trees are kept as
// kops writes them; the typed properties are read from them for display and binding.

/// <summary>Names shared by the kops objects.</summary>
public static class KopsKinds
{
    public const string Group = "kops.k8s.io";
    public const string ApiVersion = Group + "/v1alpha2";

    /// <summary>The label kops requires on an InstanceGroup (and SSHCredential) naming its cluster.</summary>
    public const string ClusterLabel = "kops.k8s.io/cluster";
}

/// <summary>A kops object; its <c>spec</c> is the tree kops writes, editable in place (<c>$c.Spec.iam.permissionsBoundary = '…'</c>).</summary>
public abstract class KopsResource : LabResource
{
    protected KopsResource(string kind)
        : base(KopsKinds.ApiVersion, kind)
    {
    }

    /// <summary>The object's spec as a mapping (created empty when missing).</summary>
    public IDictionary<string, object?> Spec
    {
        get
        {
            if (AdditionalFields.TryGetValue("spec", out var spec) && spec is IDictionary<string, object?> map)
            {
                return map;
            }

            var created = new Dictionary<string, object?>(StringComparer.Ordinal);
            AdditionalFields["spec"] = created;
            return created;
        }
    }

    /// <summary>The cluster this object belongs to (its own name for a Cluster, the kops.k8s.io/cluster label otherwise).</summary>
    public virtual string ClusterName =>
        Metadata.Labels is { } labels && labels.TryGetValue(KopsKinds.ClusterLabel, out var name) ? name : string.Empty;

    private protected string? SpecText(string key) => Spec.TryGetValue(key, out var v) ? v as string : null;

    private protected int? SpecNumber(string key) => Spec.TryGetValue(key, out var v) && v is long or int
        ? Convert.ToInt32(v, CultureInfo.InvariantCulture)
        : null;

    private protected IReadOnlyList<object?> SpecList(string key) => Spec.TryGetValue(key, out var v) && v is IList list
        ? list.Cast<object?>().ToList()
        : [];
}

/// <summary>A kops Cluster (what <c>kops create cluster</c> writes to <c>&lt;state&gt;/&lt;name&gt;/config</c>).</summary>
public sealed class KopsCluster : KopsResource
{
    public const string KindName = "Cluster";

    public KopsCluster()
        : base(KindName)
    {
    }

    public override string ClusterName => Name;

    /// <summary>The state store (<c>s3://bucket</c>), read from spec.configBase.</summary>
    public string? StateStore
    {
        get
        {
            var configBase = SpecText("configBase");
            var suffix = "/" + Name;
            return configBase is not null && configBase.EndsWith(suffix, StringComparison.Ordinal) ? configBase[..^suffix.Length] : configBase;
        }
    }

    public string? CloudProvider => SpecText("cloudProvider");

    public string? KubernetesVersion => SpecText("kubernetesVersion");

    /// <summary>The zones of the cluster's subnets.</summary>
    public IReadOnlyList<string> Zones => SpecList("subnets")
        .OfType<IDictionary<string, object?>>()
        .Select(s => s.TryGetValue("zone", out var z) ? z as string : null)
        .OfType<string>()
        .ToList();

    /// <summary>The networking plugin (the key under spec.networking).</summary>
    public string? Networking => Spec.TryGetValue("networking", out var n) && n is IDictionary<string, object?> map ? map.Keys.FirstOrDefault() : null;

    /// <summary>spec.iam.permissionsBoundary.</summary>
    public string? PermissionsBoundary => Spec.TryGetValue("iam", out var iam) && iam is IDictionary<string, object?> map
        && map.TryGetValue("permissionsBoundary", out var b) ? b as string : null;
}

/// <summary>A kops InstanceGroup (<c>&lt;state&gt;/&lt;cluster&gt;/instancegroup/&lt;name&gt;</c>).</summary>
public sealed class KopsInstanceGroup : KopsResource
{
    public const string KindName = "InstanceGroup";

    public KopsInstanceGroup()
        : base(KindName)
    {
    }

    /// <summary>Master (control plane) or Node.</summary>
    public string? Role => SpecText("role");

    public string? MachineType => SpecText("machineType");

    public int? MinSize => SpecNumber("minSize");

    public int? MaxSize => SpecNumber("maxSize");

    public int? RootVolumeSize => SpecNumber("rootVolumeSize");

    public IReadOnlyList<string> Subnets => SpecList("subnets").OfType<string>().ToList();
}

/// <summary>A kops SSHCredential: the admin SSH public key kops installs on the instances.</summary>
public sealed class KopsSshCredential : KopsResource
{
    public const string KindName = "SSHCredential";

    public KopsSshCredential()
        : base(KindName)
    {
    }

    public string? PublicKey => SpecText("publicKey");
}

/// <summary>Who the AWS credentials belong to (STS GetCallerIdentity), and where they and the region came from.</summary>
public sealed class LabAwsIdentity
{
    public LabAwsIdentity(string account, string arn, string userId, string region, string credentialSource)
    {
        Account = account;
        Arn = arn;
        UserId = userId;
        Region = region;
        CredentialSource = credentialSource;
    }

    public string Account { get; }

    public string Arn { get; }

    public string UserId { get; }

    public string Region { get; }

    /// <summary>Where the credentials came from (parameter, profile name, environment, …); never the secret.</summary>
    public string CredentialSource { get; }

    public override string ToString() => Arn;
}

/// <summary>A kops state store: an S3 bucket.</summary>
public sealed class LabStateStore
{
    public LabStateStore(string bucketName, string region, bool created)
    {
        BucketName = bucketName;
        Region = region;
        Created = created;
    }

    public string BucketName { get; }

    public string Region { get; }

    /// <summary>The value kops takes as --state (and KOPS_STATE_STORE).</summary>
    public string Uri => "s3://" + BucketName;

    /// <summary>False when the bucket already existed (and belongs to the caller).</summary>
    public bool Created { get; }

    public override string ToString() => Uri;
}

/// <summary>An ECR repository.</summary>
public sealed class LabRegistry
{
    public LabRegistry(string name, string uri, string arn, string registryId, DateTimeOffset? createdAt, bool scanOnPush, string? imageTagMutability, string region)
    {
        Name = name;
        Uri = uri;
        Arn = arn;
        RegistryId = registryId;
        CreatedAt = createdAt;
        ScanOnPush = scanOnPush;
        ImageTagMutability = imageTagMutability;
        Region = region;
    }

    /// <summary>The repository name (e.g. your-name-ui).</summary>
    public string Name { get; }

    /// <summary>The repository URI images are tagged with: <c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com/&lt;name&gt;</c>.</summary>
    public string Uri { get; }

    public string Arn { get; }

    /// <summary>The account that owns the registry.</summary>
    public string RegistryId { get; }

    public DateTimeOffset? CreatedAt { get; }

    public bool ScanOnPush { get; }

    public string? ImageTagMutability { get; }

    public string Region { get; }

    /// <summary>The registry host (<c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com</c>).</summary>
    public string Server => Uri.Contains('/', StringComparison.Ordinal) ? Uri[..Uri.IndexOf('/', StringComparison.Ordinal)] : Uri;

    public override string ToString() => Uri;
}

/// <summary>What a kops lifecycle cmdlet did to a cluster.</summary>
public sealed class LabClusterState
{
    public LabClusterState(string name, string stateStore, string state)
    {
        Name = name;
        StateStore = stateStore;
        State = state;
    }

    public string Name { get; }

    public string StateStore { get; }

    /// <summary>Created, Replaced (the spec was already in the state store), Deleted or Absent.</summary>
    public string State { get; }

    /// <summary>The kubeconfig context kops exported (the cluster's name), when it exported one.</summary>
    public string? Context { get; init; }

    public override string ToString() => $"{Name} {State}";
}

/// <summary>One line of kops validate's result: a node, or a failure.</summary>
public sealed record LabClusterNode(string Name, string Role, string Zone, bool Ready);

public sealed record LabClusterFailure(string Kind, string Name, string Message);

/// <summary>The result of <c>kops validate cluster</c>.</summary>
public sealed class LabClusterValidation
{
    public LabClusterValidation(string name, IReadOnlyList<LabClusterNode> nodes, IReadOnlyList<LabClusterFailure> failures)
    {
        Name = name;
        Nodes = nodes;
        Failures = failures;
    }

    public string Name { get; }

    public bool Ready => Failures.Count == 0;

    public IReadOnlyList<LabClusterNode> Nodes { get; }

    public IReadOnlyList<LabClusterFailure> Failures { get; }

    public override string ToString() => Ready ? $"{Name} is ready" : $"{Name}: {Failures.Count} validation failure(s)";
}
