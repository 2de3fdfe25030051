using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Errors;

/// <summary>
/// The one ErrorCategory of every ErrorId. <see cref="LabErrors"/> takes the category from here, so an ErrorId is
/// always reported with the same category; a test checks that every ErrorId is listed.
/// </summary>
public static class ErrorCatalog
{
    // The rules of Istio, Kubernetes, kops and AWS that a value breaks: the parameter or field given is wrong.
    private static readonly string[] InvalidArguments =
    [
        ErrorIds.InvalidName, ErrorIds.InvalidHost, ErrorIds.DuplicateHost, ErrorIds.InvalidGatewayReference, ErrorIds.InvalidLabel,
        ErrorIds.InvalidSelector, ErrorIds.InvalidExportTo, ErrorIds.InvalidDuration, ErrorIds.InvalidPercentage, ErrorIds.InvalidWeight,
        ErrorIds.WeightsMustSumTo100, ErrorIds.AllWeightsZero, ErrorIds.InvalidPort, ErrorIds.InvalidPortName, ErrorIds.DuplicatePort,
        ErrorIds.InvalidProtocol, ErrorIds.InvalidCount, ErrorIds.MissingRoutes, ErrorIds.InvalidRoute, ErrorIds.InvalidDestination,
        ErrorIds.InvalidMatch, ErrorIds.InvalidRegex, ErrorIds.InvalidFault, ErrorIds.InvalidAbortStatus, ErrorIds.InvalidRetryPolicy,
        ErrorIds.InvalidRetryOn, ErrorIds.InvalidMirror, ErrorIds.InvalidRedirect, ErrorIds.UnreachableRoute, ErrorIds.NoRouteToModify,
        ErrorIds.InvalidSubset, ErrorIds.DuplicateSubset, ErrorIds.InvalidTrafficPolicy, ErrorIds.InvalidTls, ErrorIds.InvalidServer,
        ErrorIds.InvalidServiceEntry, ErrorIds.InvalidAction, ErrorIds.InvalidRule, ErrorIds.InvalidCondition, ErrorIds.InvalidIpBlock,
        ErrorIds.RuleAllowsMore, ErrorIds.InvalidMtlsMode, ErrorIds.InvalidPortLevelMtls, ErrorIds.InvalidJwtRule, ErrorIds.InvalidJwks,
        ErrorIds.InvalidToken, ErrorIds.InvalidInstallConfig, ErrorIds.InvalidOutboundPolicy, ErrorIds.InvalidAnnotation, ErrorIds.InvalidUri,
        ErrorIds.InvalidSource, ErrorIds.InvalidSuppression, ErrorIds.InvalidMeshConfig, ErrorIds.InvalidBucketName, ErrorIds.InvalidRepositoryName, ErrorIds.InvalidRegion, ErrorIds.InvalidZone,
        ErrorIds.InvalidClusterName, ErrorIds.InvalidClusterSpec, ErrorIds.InvalidInstanceSize, ErrorIds.InvalidArn, ErrorIds.InvalidStateStore,
        ErrorIds.InvalidSshPublicKey, ErrorIds.InvalidEndpoint, ErrorIds.MissingSubsetLabels, ErrorIds.NoApplicableInput, ErrorIds.InvalidResource,
        ErrorIds.DuplicateResource, ErrorIds.InvalidKubeConfig, ErrorIds.InvalidManifestLimits, ErrorIds.AwsRegionNotFound, ErrorIds.AwsRequestRejected, ErrorIds.ApiBadRequest,

        // kpack: image builds
        ErrorIds.InvalidImageReference, ErrorIds.InvalidBuilderReference, ErrorIds.InvalidEnvName, ErrorIds.InvalidImageSource, ErrorIds.InvalidKpackSpec,

        // kpack install and build logs (issue 11, second part)
        ErrorIds.InvalidKpackRelease,
    ];

    private static readonly Dictionary<string, ErrorCategory> Others = new(StringComparer.Ordinal)
    {
        // Reading and writing manifests
        [ErrorIds.InvalidManifest] = ErrorCategory.InvalidData,
        [ErrorIds.ManifestNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.ManifestReadFailed] = ErrorCategory.ReadError,
        [ErrorIds.ManifestDownloadFailed] = ErrorCategory.ConnectionError,
        [ErrorIds.ExportFailed] = ErrorCategory.WriteError,
        [ErrorIds.ConfigurationFindings] = ErrorCategory.InvalidData,

        // Connections, targets and the Kubernetes API
        [ErrorIds.NotConnected] = ErrorCategory.InvalidOperation,
        [ErrorIds.ClusterUnreachable] = ErrorCategory.ConnectionError,
        [ErrorIds.ResourceNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.ApplyFailed] = ErrorCategory.WriteError,
        [ErrorIds.ApplyConflict] = ErrorCategory.ResourceExists,
        [ErrorIds.ApiUnauthorized] = ErrorCategory.AuthenticationError,
        [ErrorIds.ApiForbidden] = ErrorCategory.PermissionDenied,
        [ErrorIds.ApiInvalidObject] = ErrorCategory.InvalidData,
        [ErrorIds.ApiRequestFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.WaitTimedOut] = ErrorCategory.OperationTimeout,
        [ErrorIds.WaitNotPossible] = ErrorCategory.InvalidOperation,
        [ErrorIds.LogNotAvailable] = ErrorCategory.InvalidOperation,

        // AWS and kops
        [ErrorIds.AwsCredentialsNotFound] = ErrorCategory.AuthenticationError,
        [ErrorIds.AwsInvalidCredentials] = ErrorCategory.AuthenticationError,
        [ErrorIds.AwsTokenExpired] = ErrorCategory.AuthenticationError,
        [ErrorIds.AwsAccessDenied] = ErrorCategory.PermissionDenied,
        [ErrorIds.AwsEndpointUnreachable] = ErrorCategory.ConnectionError,
        [ErrorIds.AwsRequestFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.BucketOwnedByOthers] = ErrorCategory.ResourceExists,
        [ErrorIds.BucketNotEmpty] = ErrorCategory.InvalidOperation,
        [ErrorIds.RegistryNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.RegistryNotEmpty] = ErrorCategory.InvalidOperation,
        [ErrorIds.KopsNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.KopsFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.ClusterNotReady] = ErrorCategory.OperationTimeout,

        // kpack: image builds
        [ErrorIds.ImageNotReady] = ErrorCategory.InvalidResult,

        // At the prompt (issue 17)
        [ErrorIds.UnknownResourceType] = ErrorCategory.ObjectNotFound,
        [ErrorIds.ConfigurationErrorFindings] = ErrorCategory.InvalidResult,
        [ErrorIds.NotARolloutKind] = ErrorCategory.InvalidArgument,
        [ErrorIds.KubeConfigNotFound] = ErrorCategory.ObjectNotFound,

        // Istio install, addons, injection preview and dashboards (issue 12)
        [ErrorIds.InjectionNotPreviewed] = ErrorCategory.NotImplemented,
        [ErrorIds.InvalidAddon] = ErrorCategory.InvalidArgument,
        [ErrorIds.AddonConflict] = ErrorCategory.ResourceExists,
        [ErrorIds.IstioctlNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.IstioctlFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.IstioNeedsCluster] = ErrorCategory.InvalidOperation,

        // kpack install and build logs (issue 11, second part)
        [ErrorIds.BuildNotFound] = ErrorCategory.ObjectNotFound,
        // Live requests: exec in pods (issue 13)
        [ErrorIds.ExecNotAvailable] = ErrorCategory.InvalidOperation,
        [ErrorIds.ContainerNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.CommandFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.ExecFailed] = ErrorCategory.InvalidResult,
        // Dashboards through a port-forward (issue 12)
        [ErrorIds.PortForwardNotAvailable] = ErrorCategory.InvalidOperation,
        [ErrorIds.DashboardPodNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.PortForwardFailed] = ErrorCategory.ConnectionError,

        // Live requests: client pods and requests (issue 13)
        [ErrorIds.InvalidClientPod] = ErrorCategory.InvalidArgument,
        [ErrorIds.ClientPodNotOwned] = ErrorCategory.PermissionDenied,
        [ErrorIds.ClientPodFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.RequestFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.IngressAddressUnknown] = ErrorCategory.ObjectNotFound,

        // The mesh as a picture (issue 18)
        [ErrorIds.GraphvizNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.GraphvizFailed] = ErrorCategory.InvalidResult,
        [ErrorIds.InvalidGraphFile] = ErrorCategory.InvalidArgument,
        [ErrorIds.GraphWriteFailed] = ErrorCategory.WriteError,

        // Bad and hostile input (issue 16)
        [ErrorIds.ManifestLimitExceeded] = ErrorCategory.LimitsExceeded,
        [ErrorIds.UnsafeObjectPath] = ErrorCategory.InvalidData,
        [ErrorIds.ApiTlsFailure] = ErrorCategory.SecurityError,
        [ErrorIds.UnsafeObjectName] = ErrorCategory.InvalidData,

        // Live requests: the workload certificate (issue 13)
        [ErrorIds.SidecarNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorIds.CertificateRequestFailed] = ErrorCategory.ConnectionError,
        [ErrorIds.NoCertificate] = ErrorCategory.InvalidResult,
        [ErrorIds.InvalidService] = ErrorCategory.InvalidArgument,

        // Live requests: the circuit-breaker demo's /misbehave and /behave (issue 13)
        [ErrorIds.PodNotRunning] = ErrorCategory.InvalidOperation,
        [ErrorIds.PodHasNoIP] = ErrorCategory.InvalidOperation,
    };

    private static readonly ReadOnlyDictionary<string, ErrorCategory> All = Build();

    /// <summary>Every ErrorId with its category.</summary>
    public static IReadOnlyDictionary<string, ErrorCategory> Categories => All;

    /// <summary>The category of an ErrorId; an ErrorId that is not listed is a bug in the module.</summary>
    public static ErrorCategory CategoryOf(string errorId) =>
        All.TryGetValue(errorId, out var category)
            ? category
            : throw new InvalidOperationException($"GuestbookLab has no category for the ErrorId '{errorId}': add it to ErrorCatalog.");

    private static ReadOnlyDictionary<string, ErrorCategory> Build()
    {
        var all = new Dictionary<string, ErrorCategory>(Others, StringComparer.Ordinal);
        foreach (var id in InvalidArguments)
        {
            all.Add(id, ErrorCategory.InvalidArgument);
        }

        return new ReadOnlyDictionary<string, ErrorCategory>(all);
    }
}
