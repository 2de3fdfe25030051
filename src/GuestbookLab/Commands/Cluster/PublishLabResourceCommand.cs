using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Applies resources to the connected target: created, configured or unchanged, one result per object.</summary>
/// <remarks>
/// Every object is validated first (Istio 1.17's rules, as Test-MeshResource); if one is invalid, each problem is
/// reported and nothing is applied. Objects are then applied in dependency order (CRDs and namespaces first, then
/// accounts and configuration, services, workloads, mesh configuration), each labelled
/// app.kubernetes.io/managed-by=guestbooklab so that Remove-LabResource -All -Owned removes exactly what the lab
/// made. Namespaced objects without a namespace go to 'default'. Objects come from the pipeline, from manifest
/// files (-Path) or from http(s) URLs (-Uri), like the kpack release and the Istio addons the codelab applies; every
/// source is read before anything is applied. Each result says whether the object was Created, Configured (changed)
/// or Unchanged.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } | Publish-LabResource</code>
/// <para>Applies the DestinationRule and the VirtualService; run it again and both are Unchanged.</para>
/// </example>
[Cmdlet(VerbsData.Publish, "LabResource", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(ApplyResult))]
public sealed class PublishLabResourceCommand : TargetCmdlet
{
    private const string ObjectSet = "Object";
    private const string PathSet = "Path";
    private const string UriSet = "Uri";

    private readonly List<LabResource> resources = [];

    /// <summary>The resources to apply.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>Manifest files (multi-document YAML) to apply; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    public string[] Path { get; set; } = null!;

    /// <summary>http(s) URLs of manifests to apply.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    public Uri[] Uri { get; set; } = null!;


    /// <summary>Takes ownership of fields another field manager owns (server-side apply's force).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ObjectSet)
        {
            resources.AddRange(InputObject);
            return;
        }

        if (ParameterSetName == UriSet)
        {
            foreach (var uri in Uri)
            {
                if (!uri.IsAbsoluteUri || (uri.Scheme != System.Uri.UriSchemeHttp && uri.Scheme != System.Uri.UriSchemeHttps))
                {
                    ThrowInvalid(ErrorIds.InvalidUri, "-Uri", uri.OriginalString, $"'{uri.OriginalString}' is not an http(s) URL");
                }

                try
                {
                    WriteVerbose($"Downloading {uri}");
                    resources.AddRange(ManifestSerializer.Deserialize(ManifestDownloader.Download(uri, OpenTarget().Target.Cancellation), uri.ToString()));
                }
                catch (ManifestFormatException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, uri));
                }
                catch (System.Net.Http.HttpRequestException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ManifestDownloadFailed, ErrorCategory.ConnectionError, uri));
                }
                catch (System.Threading.Tasks.TaskCanceledException ex) when (!Stopping)
                {
                    ThrowTerminatingError(new ErrorRecord(new TimeoutException($"{uri} did not answer in time.", ex), ErrorIds.ManifestDownloadFailed, ErrorCategory.OperationTimeout, uri));
                }
            }

            return;
        }

        foreach (var pattern in Path)
        {
            foreach (var file in GetResolvedProviderPathFromPSPath(pattern, out _))
            {
                try
                {
                    resources.AddRange(ManifestSerializer.Deserialize(File.ReadAllText(file), file));
                }
                catch (ManifestFormatException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, file));
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        var (connection, target) = OpenTarget();
        var invalid = false;
        foreach (var resource in resources)
        {
            if (string.IsNullOrEmpty(resource.Name))
            {
                WriteError(ToErrorRecord(new ValidationIssue(ErrorIds.InvalidName, IssueSeverity.Error, "metadata.name", null,
                    "an object needs a name to be applied (istioctl records an installed IstioOperator as istio-system/installed-state)", "metadata.name") { Resource = resource.DisplayName }, resource));
                invalid = true;
            }

            foreach (var error in ResourceValidator.Validate(resource).Errors)
            {
                WriteError(ToErrorRecord(error, resource));
                invalid = true;
            }
        }

        if (invalid)
        {
            return;
        }

        foreach (var resource in resources.OrderBy(r => KindInfo.Rank(r.Kind)))
        {
            if (!ShouldProcess(resource.DisplayName, $"Apply to {connection}"))
            {
                continue;
            }

            try
            {
                var result = target.Apply(resource, Force);
                WriteVerbose($"{result} ({result.Location})");
                WriteObject(result);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ApiStatusException or System.Net.Http.HttpRequestException)
            {
                WriteError(LabSession.ToErrorRecord(ex, resource));
            }
        }
    }
}
