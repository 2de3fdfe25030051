using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Connects the session to a target for the lab's objects: a cluster (kubeconfig context) or a manifest folder.</summary>
/// <remarks>
/// Without -Directory the target is the Kubernetes API server of a kubeconfig context (the current context of
/// $env:KUBECONFIG or ~/.kube/config unless -Context and -KubeConfig say otherwise), reached through KubernetesClient
/// with the kubeconfig's credentials; the cmdlet checks the server answers and says which server and context it
/// connected to. Credentials never appear in any output. Over https the server's certificate must chain to the
/// kubeconfig's certificate-authority(-data) and be for the server's host, as kubectl checks it (else the error
/// ApiTlsFailure names the context, the server and why); the user's client certificate is sent;
/// insecure-skip-tls-verify: true connects with a warning. The context's namespace (kubectl's default namespace) is
/// where objects without a namespace are applied and what reads use unless -Namespace says otherwise ('default' when
/// the context names none); the result shows the context and the namespace.
///
/// With -Directory the target is a folder in which Publish-LabResource stores each applied object as one file,
/// NAMESPACE/kind-name.yaml (cluster-scoped kinds under _cluster/), readable later by 'kubectl apply -f' (recursively)
/// or a GitOps tool. The folder is created when missing. The connection becomes the session's default for
/// Publish-LabResource, Get-LabResource, Remove-LabResource, Test-MeshRequest and Test-MeshConfiguration; each of
/// them also takes -Connection.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Context kind-lab -Verbose</code>
/// <para>Connects to the API server of the kubeconfig context kind-lab and says which server, context and Kubernetes version it reached. (Needs a cluster.)</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster
/// New-MeshGateway -Name guestbook-ui-gateway | Publish-LabResource</code>
/// <para>Applies the Gateway to the folder: ./cluster/default/gateway-guestbook-ui-gateway.yaml.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "LabCluster", DefaultParameterSetName = ClusterSet)]
[OutputType(typeof(LabConnection))]
public sealed class ConnectLabClusterCommand : CancellableCmdlet
{
    private const string ClusterSet = "Cluster";
    private const string DirectorySet = "Directory";

    /// <summary>The kubeconfig context; the current context by default.</summary>
    [Parameter(Position = 0, ParameterSetName = ClusterSet)]
    public string? Context { get; set; }

    /// <summary>The kubeconfig file; $env:KUBECONFIG or ~/.kube/config by default.</summary>
    [Parameter(ParameterSetName = ClusterSet)]
    public string? KubeConfig { get; set; }

    /// <summary>The manifest folder to use as the target.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DirectorySet)]
    public string Directory { get; set; } = null!;

    protected override void EndProcessing()
    {
        if (ParameterSetName == ClusterSet)
        {
            ConnectCluster();
            return;
        }

        var folder = GetUnresolvedProviderPathFromPSPath(Directory);
        System.IO.Directory.CreateDirectory(folder);
        var connection = new LabConnection("Directory", Path.GetFullPath(folder));
        LabSession.Current = connection;
        WriteVerbose($"Connected to the manifest folder {connection.Target}.");
        WriteObject(connection);
    }

    private void ConnectCluster()
    {
        var file = KubeConfig is null ? null : GetUnresolvedProviderPathFromPSPath(KubeConfig);
        if (MissingKubeConfig(file) is { } missing)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.KubeConfigNotFound, Messages.KubeConfigNotFound(missing.Parameter, missing.Path), missing.Path));
        }

        try
        {
            using var target = Engine.ClusterTarget.Open(file, Context);
            string version;
            try
            {
                version = Await(target.VersionAsync(CancellationToken));
            }
            catch (Engine.ApiStatusException ex) when (ex.Code == 401)
            {
                ThrowTerminatingError(LabErrors.Create(ErrorIds.ApiUnauthorized, Messages.CredentialsRefused(target.Context, target.Server, target.Credential), target.Context, ex));
                throw;
            }
            catch (Engine.ApiStatusException ex)
            {
                ThrowTerminatingError(LabErrors.FromTarget(ex, target.Context));
                throw;
            }

            if (target.SkipsTlsVerify)
            {
                WriteWarning(Messages.TlsSkipped(target.Context, target.Server));
            }

            var connection = new LabConnection("Cluster", target.Server, target.Context, file) { DefaultNamespace = target.DefaultNamespace };
            LabSession.Current = connection;
            WriteVerbose($"Connected to {target.Server} (context {target.Context}, namespace {target.DefaultNamespace}, Kubernetes {version}).");
            WriteObject(connection);
        }
        catch (Engine.ApiTlsException ex)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, Context));
        }
        catch (System.Net.Http.HttpRequestException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.ClusterUnreachable, Messages.ClusterUnreachable(Context, ex.Message), Context, ex));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidKubeConfig, Messages.KubeConfig(Context is null ? "-KubeConfig" : "-Context", ex.Message), Context, ex));
        }
    }

    // The kubeconfig that would be read, when it does not exist: the -KubeConfig given, else each file of
    // $env:KUBECONFIG (as KubernetesClient reads it), else ~/.kube/config.
    private static (string Parameter, string Path)? MissingKubeConfig(string? file)
    {
        if (file is not null)
        {
            return File.Exists(file) ? null : ("-KubeConfig", file);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var files = fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            return files.Any(File.Exists) ? null : ("$env:KUBECONFIG", fromEnvironment);
        }

        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        var inCluster = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
            && File.Exists("/var/run/secrets/kubernetes.io/serviceaccount/token");
        return File.Exists(home) || inCluster ? null : ("~/.kube/config", home);
    }
}
