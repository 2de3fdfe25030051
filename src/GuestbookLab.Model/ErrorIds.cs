namespace GuestbookLab.Model;

/// <summary>
/// Every ErrorId the module reports, in one place. They are part of the public contract: scripts may catch on them,
/// so they never change once released. Each has exactly one ErrorCategory, fixed in the cmdlet layer's ErrorCatalog.
/// </summary>
public static class ErrorIds
{
    // Names and hosts
    public const string InvalidName = "InvalidName";
    public const string InvalidHost = "InvalidHost";
    public const string DuplicateHost = "DuplicateHost";
    public const string InvalidGatewayReference = "InvalidGatewayReference";
    public const string InvalidLabel = "InvalidLabel";
    public const string InvalidSelector = "InvalidSelector";
    public const string InvalidExportTo = "InvalidExportTo";

    // Numbers and durations
    public const string InvalidDuration = "InvalidDuration";
    public const string InvalidPercentage = "InvalidPercentage";
    public const string InvalidWeight = "InvalidWeight";
    public const string WeightsMustSumTo100 = "WeightsMustSumTo100";
    public const string AllWeightsZero = "AllWeightsZero";
    public const string InvalidPort = "InvalidPort";
    public const string InvalidPortName = "InvalidPortName";
    public const string DuplicatePort = "DuplicatePort";
    public const string InvalidProtocol = "InvalidProtocol";
    public const string InvalidCount = "InvalidCount";

    // VirtualService
    public const string MissingRoutes = "MissingRoutes";
    public const string InvalidRoute = "InvalidRoute";
    public const string InvalidDestination = "InvalidDestination";
    public const string InvalidMatch = "InvalidMatch";
    public const string InvalidRegex = "InvalidRegex";
    public const string InvalidFault = "InvalidFault";
    public const string InvalidAbortStatus = "InvalidAbortStatus";
    public const string InvalidRetryPolicy = "InvalidRetryPolicy";
    public const string InvalidRetryOn = "InvalidRetryOn";
    public const string InvalidMirror = "InvalidMirror";
    public const string InvalidRedirect = "InvalidRedirect";
    public const string UnreachableRoute = "UnreachableRoute";
    public const string NoRouteToModify = "NoRouteToModify";

    // DestinationRule
    public const string InvalidSubset = "InvalidSubset";
    public const string DuplicateSubset = "DuplicateSubset";
    public const string InvalidTrafficPolicy = "InvalidTrafficPolicy";
    public const string InvalidTls = "InvalidTls";

    // Gateway
    public const string InvalidServer = "InvalidServer";

    // ServiceEntry
    public const string InvalidServiceEntry = "InvalidServiceEntry";

    // Security: AuthorizationPolicy, PeerAuthentication, RequestAuthentication
    public const string InvalidAction = "InvalidAction";
    public const string InvalidRule = "InvalidRule";
    public const string InvalidCondition = "InvalidCondition";
    public const string InvalidIpBlock = "InvalidIpBlock";
    public const string RuleAllowsMore = "RuleAllowsMore";
    public const string InvalidMtlsMode = "InvalidMtlsMode";
    public const string InvalidPortLevelMtls = "InvalidPortLevelMtls";
    public const string InvalidJwtRule = "InvalidJwtRule";
    public const string InvalidJwks = "InvalidJwks";
    public const string InvalidToken = "InvalidToken";

    // Install, namespaces and workloads
    public const string InvalidInstallConfig = "InvalidInstallConfig";
    public const string InvalidOutboundPolicy = "InvalidOutboundPolicy";
    public const string InvalidAnnotation = "InvalidAnnotation";

    // Simulation and analysis
    public const string InvalidUri = "InvalidUri";
    public const string InvalidSource = "InvalidSource";
    public const string ConfigurationFindings = "ConfigurationFindings";
    public const string InvalidSuppression = "InvalidSuppression";
    public const string InvalidMeshConfig = "InvalidMeshConfig";

    // Connections and targets
    public const string NotConnected = "NotConnected";
    public const string ResourceNotFound = "ResourceNotFound";
    public const string ApplyFailed = "ApplyFailed";
    public const string ManifestDownloadFailed = "ManifestDownloadFailed";
    public const string ApplyConflict = "ApplyConflict";
    public const string ClusterUnreachable = "ClusterUnreachable";
    public const string ApiRequestFailed = "ApiRequestFailed";
    public const string ApiBadRequest = "ApiBadRequest";
    public const string ApiUnauthorized = "ApiUnauthorized";
    public const string ApiForbidden = "ApiForbidden";
    public const string ApiInvalidObject = "ApiInvalidObject";
    public const string InvalidKubeConfig = "InvalidKubeConfig";
    public const string WaitTimedOut = "WaitTimedOut";
    public const string WaitNotPossible = "WaitNotPossible";
    public const string LogNotAvailable = "LogNotAvailable";

    // AWS and the cluster's lifecycle (kops)
    public const string InvalidBucketName = "InvalidBucketName";
    public const string InvalidRepositoryName = "InvalidRepositoryName";
    public const string InvalidRegion = "InvalidRegion";
    public const string InvalidZone = "InvalidZone";
    public const string InvalidClusterName = "InvalidClusterName";
    public const string InvalidClusterSpec = "InvalidClusterSpec";
    public const string InvalidInstanceSize = "InvalidInstanceSize";
    public const string InvalidArn = "InvalidArn";
    public const string InvalidStateStore = "InvalidStateStore";
    public const string InvalidSshPublicKey = "InvalidSshPublicKey";
    public const string InvalidEndpoint = "InvalidEndpoint";
    public const string AwsCredentialsNotFound = "AwsCredentialsNotFound";
    public const string AwsRegionNotFound = "AwsRegionNotFound";
    public const string AwsRequestFailed = "AwsRequestFailed";
    public const string AwsAccessDenied = "AwsAccessDenied";
    public const string AwsInvalidCredentials = "AwsInvalidCredentials";
    public const string AwsEndpointUnreachable = "AwsEndpointUnreachable";
    public const string AwsRequestRejected = "AwsRequestRejected";
    public const string AwsTokenExpired = "AwsTokenExpired";
    public const string BucketOwnedByOthers = "BucketOwnedByOthers";
    public const string BucketNotEmpty = "BucketNotEmpty";
    public const string RegistryNotFound = "RegistryNotFound";
    public const string RegistryNotEmpty = "RegistryNotEmpty";
    public const string KopsNotFound = "KopsNotFound";
    public const string KopsFailed = "KopsFailed";
    public const string ClusterNotReady = "ClusterNotReady";

    // Pipeline and files
    public const string NoApplicableInput = "NoApplicableInput";
    public const string InvalidManifest = "InvalidManifest";
    public const string ManifestNotFound = "ManifestNotFound";
    public const string ManifestReadFailed = "ManifestReadFailed";
    public const string DuplicateResource = "DuplicateResource";
    public const string InvalidResource = "InvalidResource";
    public const string ExportFailed = "ExportFailed";
    public const string MissingSubsetLabels = "MissingSubsetLabels";

    // kpack: image builds (issue 11)
    public const string InvalidImageReference = "InvalidImageReference";
    public const string InvalidBuilderReference = "InvalidBuilderReference";
    public const string InvalidEnvName = "InvalidEnvName";
    public const string InvalidImageSource = "InvalidImageSource";
    public const string InvalidKpackSpec = "InvalidKpackSpec";
    public const string ImageNotReady = "ImageNotReady";

    // At the prompt (issue 17): what kubectl users expect
    public const string UnknownResourceType = "UnknownResourceType";
    public const string ConfigurationErrorFindings = "ConfigurationErrorFindings";
    public const string NotARolloutKind = "NotARolloutKind";
    public const string KubeConfigNotFound = "KubeConfigNotFound";

    // Istio install, addons, injection preview and dashboards (issue 12)
    public const string InjectionNotPreviewed = "InjectionNotPreviewed";
    public const string InvalidAddon = "InvalidAddon";
    public const string AddonConflict = "AddonConflict";
    public const string IstioctlNotFound = "IstioctlNotFound";
    public const string IstioctlFailed = "IstioctlFailed";
    public const string IstioNeedsCluster = "IstioNeedsCluster";

    // kpack install and build logs (issue 11, second part)
    public const string InvalidKpackRelease = "InvalidKpackRelease";
    public const string BuildNotFound = "BuildNotFound";
    // Live requests: exec in pods (issue 13)
    public const string ExecNotAvailable = "ExecNotAvailable";
    public const string ContainerNotFound = "ContainerNotFound";
    public const string CommandFailed = "CommandFailed";
    public const string ExecFailed = "ExecFailed";

    // Dashboards through a port-forward (issue 12)
    public const string PortForwardNotAvailable = "PortForwardNotAvailable";
    public const string DashboardPodNotFound = "DashboardPodNotFound";
    public const string PortForwardFailed = "PortForwardFailed";
    // Live requests: client pods and requests (issue 13)
    public const string InvalidClientPod = "InvalidClientPod";
    public const string ClientPodNotOwned = "ClientPodNotOwned";
    public const string ClientPodFailed = "ClientPodFailed";
    public const string RequestFailed = "RequestFailed";
    public const string IngressAddressUnknown = "IngressAddressUnknown";
    // The mesh as a picture (issue 18)
    public const string GraphvizNotFound = "GraphvizNotFound";
    public const string GraphvizFailed = "GraphvizFailed";
    public const string InvalidGraphFile = "InvalidGraphFile";
    public const string GraphWriteFailed = "GraphWriteFailed";
    // Bad and hostile input (issue 16)
    public const string ManifestLimitExceeded = "ManifestLimitExceeded";
    public const string UnsafeObjectPath = "UnsafeObjectPath";
    public const string ApiTlsFailure = "ApiTlsFailure";
    public const string UnsafeObjectName = "UnsafeObjectName";
    public const string InvalidManifestLimits = "InvalidManifestLimits";
    // Live requests: the workload certificate (issue 13)
    public const string SidecarNotFound = "SidecarNotFound";
    public const string CertificateRequestFailed = "CertificateRequestFailed";
    public const string NoCertificate = "NoCertificate";
    public const string InvalidService = "InvalidService";
    // Live requests: the circuit-breaker demo's /misbehave and /behave (issue 13)
    public const string PodNotRunning = "PodNotRunning";
    public const string PodHasNoIP = "PodHasNoIP";
}
