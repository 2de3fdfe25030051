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
/// made; objects of one rank are independent and go to a cluster eight at a time. Namespaced objects without a
/// namespace go to 'default'. Objects come from the pipeline, from manifest
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
    [SupportsWildcards]
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

        // Dependency order between ranks (CRDs and namespaces first); independent objects of one rank at once.
        foreach (var rank in resources.GroupBy(r => KindInfo.Rank(r.Kind)).OrderBy(g => g.Key))
        {
            var chosen = rank.Where(r => ShouldProcess(r.DisplayName, $"Apply to {connection}")).ToList();
            var outcomes = new (ApplyResult? Result, Exception? Error)[chosen.Count];
            try
            {
                System.Threading.Tasks.Parallel.For(0, chosen.Count, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = target.MaxConcurrency, CancellationToken = StopToken }, i =>
                {
                    try
                    {
                        outcomes[i] = (target.Apply(chosen[i], Force), null);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ApiStatusException or System.Net.Http.HttpRequestException)
                    {
                        outcomes[i] = (null, ex);
                    }
                });
            }
            catch (OperationCanceledException) when (Stopping)
            {
                return;
            }
            catch (AggregateException failed) when (Stopping && failed.InnerExceptions.All(e => e is OperationCanceledException))
            {
                return;
            }
            catch (AggregateException failed) when (failed.InnerExceptions.Count > 0)
            {
                // An unexpected failure in one apply ends the command as it would have without concurrency.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failed.InnerExceptions[0]).Throw();
            }

            for (var i = 0; i < chosen.Count; i++)
            {
                if (outcomes[i].Result is { } result)
                {
                    WriteVerbose($"{result} ({result.Location})");
                    WriteObject(result);
                }
                else if (outcomes[i].Error is { } error)
                {
                    WriteError(LabSession.ToErrorRecord(error, chosen[i]));
                }
            }
        }
    }
}
