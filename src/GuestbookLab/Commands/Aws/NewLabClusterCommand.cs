using System;
using System.IO;
using System.Management.Automation;
using GuestbookLab.Mesh.Provisioning;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Aws;

/// <summary>Builds the kops cluster spec the codelab creates: the Cluster, its InstanceGroups and the admin SSH key.</summary>
/// <remarks>
/// Emits the kops.k8s.io/v1alpha2 objects `kops create cluster` (kops 1.26) writes to its state store for the same
/// flags: a Cluster with one public subnet per zone, etcd members on each control-plane group, flannel (vxlan)
/// networking and, for a name ending in .k8s.local, gossip DNS with a public Network load balancer for the API; one
/// control-plane InstanceGroup per master (round-robin over -MasterZone); one node InstanceGroup per -Zone entry
/// that gets nodes; and, with -SshPublicKey, the SSHCredential named admin. -PermissionsBoundary sets
/// spec.iam.permissionsBoundary, the codelab's `kops edit cluster` step. The defaults are the codelab's: 4 t2.large
/// nodes and t2.medium masters with 20 GiB root volumes. The cmdlet does no I/O (it reads -SshPublicKey when it is a
/// path); pipe the objects to ConvertTo-LabYaml to see them, or to Publish-LabCluster to create the cluster.
/// </remarks>
/// <example>
/// <code>New-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://your-name-state-store -Zone us-east-1a -MasterZone us-east-1a, us-east-1b, us-east-1c -PermissionsBoundary arn:aws:iam::123456789012:policy/CustomPowerUserBound</code>
/// <para>The codelab's cluster: 3 masters in three zones, 4 nodes in us-east-1a, with the permissions boundary already in the spec.</para>
/// </example>
/// <example>
/// <code>New-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://your-name-state-store -Zone us-east-1a | ConvertTo-LabYaml</code>
/// <para>Shows, as kops YAML, exactly what would be written to the state store: one master and four nodes in one zone.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabCluster")]
[OutputType(typeof(KopsCluster), typeof(KopsInstanceGroup), typeof(KopsSshCredential))]
public sealed class NewLabClusterCommand : LabCmdlet
{
    /// <summary>The cluster name, a DNS name; ending in .k8s.local makes kops use gossip instead of Route 53.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The kops state store, s3://bucket (the Uri of New-LabStateStore's output binds to it).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Uri")]
    public string StateStore { get; set; } = null!;

    /// <summary>The zones of the node groups (and the default master zones), e.g. us-east-1a.</summary>
    [Parameter(Mandatory = true)]
    [Alias("Zones")]
    public string[] Zone { get; set; } = null!;

    /// <summary>The zones of the control-plane groups; by default the first zone of -Zone.</summary>
    [Parameter]
    [Alias("MasterZones", "ControlPlaneZone", "ControlPlaneZones")]
    public string[] MasterZone { get; set; } = [];

    /// <summary>The number of control-plane instances; by default one per master zone.</summary>
    [Parameter]
    [Alias("ControlPlaneCount")]
    public int MasterCount { get; set; }

    /// <summary>The number of nodes, spread over -Zone.</summary>
    [Parameter]
    public int NodeCount { get; set; } = 4;

    /// <summary>The nodes' EC2 instance type.</summary>
    [Parameter]
    public string NodeSize { get; set; } = "t2.large";

    /// <summary>The control-plane instances' EC2 instance type.</summary>
    [Parameter]
    [Alias("ControlPlaneSize")]
    public string MasterSize { get; set; } = "t2.medium";

    /// <summary>The control plane's root volume size in GiB.</summary>
    [Parameter]
    public int MasterVolumeSize { get; set; } = 20;

    /// <summary>The nodes' root volume size in GiB.</summary>
    [Parameter]
    public int NodeVolumeSize { get; set; } = 20;

    /// <summary>The networking plugin: flannel (vxlan, the codelab's), flannel-udp, calico, canal, cilium, kubenet, cni, amazonvpc or kindnet.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NetworkingCompleter))]
    public string Networking { get; set; } = "flannel";

    /// <summary>The IAM policy ARN every role kops creates is bounded by (spec.iam.permissionsBoundary).</summary>
    [Parameter]
    public string? PermissionsBoundary { get; set; }

    /// <summary>The admin SSH public key: the key line itself or the path of a .pub file.</summary>
    [Parameter]
    public string? SshPublicKey { get; set; }

    /// <summary>The Kubernetes version (kops 1.26's stable channel: v1.26.6; Istio 1.17 supports 1.23 to 1.26).</summary>
    [Parameter]
    public string KubernetesVersion { get; set; } = KopsClusterBuilder.DefaultKubernetesVersion;

    /// <summary>The instances' image (kops 1.26.6's stable channel image by default).</summary>
    [Parameter]
    public string Image { get; set; } = KopsClusterBuilder.DefaultImage;

    protected override void ProcessRecord()
    {
        var options = new KopsClusterOptions
        {
            Name = Name,
            StateStore = StateStore,
            Zones = Zone,
            MasterZones = MasterZone,
            MasterCount = MyInvocation.BoundParameters.ContainsKey(nameof(MasterCount)) ? MasterCount : null,
            NodeCount = NodeCount,
            NodeSize = NodeSize,
            MasterSize = MasterSize,
            MasterVolumeSize = MasterVolumeSize,
            NodeVolumeSize = NodeVolumeSize,
            Networking = Networking,
            KubernetesVersion = KubernetesVersion,
            Image = Image,
            PermissionsBoundary = PermissionsBoundary,
            SshPublicKey = SshPublicKey is null ? null : ReadKey(SshPublicKey),
        };
        ThrowIfInvalid(KopsClusterBuilder.Validate(options), Name);
        foreach (var resource in KopsClusterBuilder.Build(options))
        {
            WriteObject(resource);
        }
    }

    // The key line itself, or the contents of the file it names.
    private string ReadKey(string value)
    {
        if (value.TrimStart().StartsWith("ssh-", StringComparison.Ordinal))
        {
            return value.Trim();
        }

        var path = GetUnresolvedProviderPathFromPSPath(value);
        if (!File.Exists(path))
        {
            var result = new ValidationResult();
            result.Error(ErrorIds.InvalidSshPublicKey, "-SshPublicKey", value,
                $"is neither an OpenSSH public key line nor an existing file ({path}); create one with ssh-keygen -t rsa -b 2048 -f ~/.ssh/id_rsa", "EC2 key pair import");
            ThrowIfInvalid(result, value);
        }

        return File.ReadAllText(path).Trim();
    }
}
