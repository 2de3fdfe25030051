#Requires -Version 7.6
#Requires -Modules GuestbookLab
<#
.SYNOPSIS
    The Istio guestbook codelab, step by step, as GuestbookLab cmdlets.
.DESCRIPTION
    Each step builds the resources the codelab applies at that point, validates them and writes them to
    OUTPUTPATH/NN-step.yaml (kubectl apply -f ready). The script is re-runnable: every run writes the same files.
    It emits one object per step (Step, Title, Resources, File, Objects, Removes) so that a Pester test or a later
    pipeline can check or apply what each step made. It also writes lab-steps.csv, the index of the steps with what
    the codelab deletes before each (its 'kubectl delete' commands), so a replay of the folder knows the mesh at any
    step (GuestbookLab.Lab.Tests.ps1 uses it).

    With -Apply, every step is also applied to the connected target (Connect-LabCluster, or -Connection): the
    codelab's deletions with Remove-LabResource, then the step's objects with Publish-LabResource. The target then
    holds the mesh as the codelab leaves it. With -WaitForRollout each step also waits until its workloads have
    rolled out (Wait-LabRollout), as the codelab waits for its pods before the next step, and until its kpack Images
    are built (Wait-LabImage). On a cluster target the IstioOperator steps run istioctl install (Install-LabIstio:
    the install, and the Egress section's REGISTRY_ONLY re-install), and the install step also installs the codelab's
    addons (Install-LabMeshAddon zipkin, prometheus, grafana, kiali); -SkipIstioInstall stores the configuration
    instead, for a cluster where Istio is already installed, as a manifest folder target always does (the
    IstioOperator istio-system/installed-state, as istioctl records it). With -InstallKpack the Build section's first
    step installs kpack's release first (Install-LabKpack: its CRDs established and its controller and webhook rolled
    out), so that the Images that follow are built; each step's Installed property holds what was installed.

    Sections: Setup (the kops cluster spec, and the ECR image pull secret), Build (kpack's build ServiceAccount,
    ClusterStore, ClusterStack, Builder and the app's Images, tagged for the lab's ECR repositories), Install (the
    istioctl configuration and the injection label, whose step's Preview holds the app's Deployments as the webhook
    injects them), Traffic (ingress, fault injection,
    retries and circuit breaking, splitting, mirroring), Egress (REGISTRY_ONLY and ServiceEntries), Monitoring (the
    codelab's exposed-monitoring-lb Service for Grafana, Prometheus, Kiali and Zipkin in turn, each replacing the
    previous one; on a cluster with -Apply each step opens its dashboard with Open-LabDashboard -Expose LoadBalancer
    and its Dashboard property holds the URL; the Security section's first step deletes the Service, as the codelab
    does) and Security (strict mTLS, probe rewriting, authorization policies, JWT). Steps whose file is an IstioOperator are for
    'istioctl install -f'; the cluster spec is for 'kops create -f'; every other file is for 'kubectl apply -f'.

    Offline (the default) the Setup steps only render what would be created: the kops Cluster and InstanceGroups,
    and the pull secret (its token written as <redacted>). With -Aws they run against your AWS account (credentials
    and region as the AWS CLI finds them, or -AwsOptions): the state store bucket, the cluster (kops create, update
    and validate, then a connection to its kubeconfig context), the ECR repositories and a real ECR token in the
    secret. GuestbookLab.Teardown.ps1 reverses them.
.EXAMPLE
    ./GuestbookLab.Lab.ps1 -OutputPath ./lab | Format-Table Step, Title, Resources
#>
[CmdletBinding()]
param(
    # The folder that receives one manifest file per step.
    [string] $OutputPath = (Join-Path (Get-Location) 'lab'),

    # The codelab sections to run.
    [ValidateSet('Setup', 'Build', 'Install', 'Traffic', 'Egress', 'Monitoring', 'Security')]
    [string[]] $Section = @('Setup', 'Build', 'Install', 'Traffic', 'Egress', 'Monitoring', 'Security'),

    # The AWS account and ECR repository prefix of the lab's images (the codelab's ACCOUNT_ID and REPO_PREFIX).
    [string] $AccountId = '123456789012',
    [string] $RepoPrefix = 'guestbook',
    [string] $Region = 'us-east-1',

    # The kops cluster and its state store (the codelab's NAME and STATE_BUCKET), zones and permissions boundary.
    [string] $ClusterName = 'mycoolcluster.k8s.local',
    [string] $StateBucket = 'your-name-state-store',
    [string[]] $Zones = @('us-east-1a'),
    [string[]] $MasterZones = @('us-east-1a', 'us-east-1b', 'us-east-1c'),
    # The IAM policy every role kops creates is bounded by; by default ACCOUNT's CustomPowerUserBound (the codelab's).
    [string] $PermissionsBoundary,
    # The admin SSH public key (a .pub file or the key line); none by default.
    [string] $SshPublicKey,

    # Runs the Setup section against AWS (state store, kops cluster, ECR repositories and token) instead of only
    # rendering it. Needs AWS credentials and kops.
    [switch] $Aws,

    # Parameters for every AWS and kops cmdlet of the Setup section (ProfileName, Credential, EndpointUrl, KopsPath).
    [hashtable] $AwsOptions = @{},
    # Overrides for the state store's S3 calls only (e.g. another -EndpointUrl).
    [hashtable] $StateStoreOptions = @{},

    # Also applies each step (and the codelab's deletions) to the connected target.
    [switch] $Apply,

    # With -Apply: after each step, wait until its Deployments, StatefulSets and DaemonSets have rolled out
    # (Wait-LabRollout, as kubectl rollout status), so the next step meets a running app. For a cluster target.
    [switch] $WaitForRollout,
    [int] $RolloutTimeoutSec = 300,
    # With -WaitForRollout: how long each kpack Image may take to build (Wait-LabImage).
    [int] $ImageTimeoutSec = 900,

    # With -Apply on a cluster, Istio is installed with istioctl (Install-LabIstio) at the steps whose object is an
    # IstioOperator (the install and the REGISTRY_ONLY re-install), and the codelab's addons (zipkin, prometheus,
    # grafana, kiali: Install-LabMeshAddon) with the install. -SkipIstioInstall does neither and stores the
    # configuration as the IstioOperator istio-system/installed-state instead (for a cluster that already has Istio).
    [switch] $SkipIstioInstall,
    # Parameters for Install-LabIstio and Install-LabMeshAddon (IstioctlPath, Timeout).
    [hashtable] $IstioOptions = @{},

    # With -Apply on a cluster: install kpack (Install-LabKpack, the codelab's v0.10.1 release) before the Build
    # section's first step. -KpackOptions go to Install-LabKpack (Uri, Path, Timeout).
    [switch] $InstallKpack,
    [hashtable] $KpackOptions = @{},

    # With -Apply on a cluster, each Monitoring step opens its dashboard (Open-LabDashboard -Expose LoadBalancer,
    # waiting until the load balancer has an address, DashboardTimeoutSec at most): -NoBrowser does not open a browser.
    [switch] $NoBrowser,
    [int] $DashboardTimeoutSec = 300,

    # The target for -Apply; the session's connection (Connect-LabCluster) by default.
    [GuestbookLab.Model.LabConnection] $Connection,

    # Also draws the mesh after each step of the Install, Traffic, Egress and Security sections (ConvertTo-MeshGraph):
    # OUTPUTPATH/NN-step.svg when Graphviz's dot is on PATH, else NN-step.mmd (Mermaid), and OUTPUTPATH/index.html,
    # a page that walks through the codelab: each step's title, its manifest, and the mesh after it.
    [switch] $Graph
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$steps = [System.Collections.Generic.List[object]]::new()
# A step: what it builds, and what the codelab deletes before it (Kind/name or Kind/namespace/name); a preview is
# shown with the step (its Preview property) but neither written nor applied.
function Step([string] $Section, [string] $Name, [string] $Title, [scriptblock] $Build, [string[]] $Remove = @(), [scriptblock] $Preview) {
    $steps.Add([pscustomobject]@{ Section = $Section; Name = $Name; Title = $Title; Build = $Build; Remove = $Remove; Preview = $Preview })
}

# ------------------------------------------------------------------ Initial setup, cluster, ECR
$awsParameters = @{ Region = $Region } + $AwsOptions
$ecrParameters = @{} + $awsParameters
$ecrParameters.Remove('KopsPath')
if ($Aws -and -not $PSBoundParameters.ContainsKey('AccountId')) {
    # The codelab's 'aws sts get-caller-identity --query Account'.
    $AccountId = (Get-LabAwsIdentity @ecrParameters).Account
}
if (-not $PermissionsBoundary) { $PermissionsBoundary = "arn:aws:iam::$($AccountId):policy/CustomPowerUserBound" }
Step Setup cluster-spec 'The kops cluster: 3 masters, 4 nodes, flannel, the permissions boundary set (kops create -f)' {
    $spec = @{
        Name = $ClusterName; StateStore = "s3://$StateBucket"; Zones = $Zones; MasterZones = $MasterZones
        NodeCount = 4; NodeSize = 't2.large'; MasterSize = 't2.medium'; MasterVolumeSize = 20; NodeVolumeSize = 20
        Networking = 'flannel'; PermissionsBoundary = $PermissionsBoundary
    }
    if ($SshPublicKey) { $spec.SshPublicKey = $SshPublicKey }
    $cluster = New-LabCluster @spec
    if ($Aws) {
        $s3 = @{} + $ecrParameters
        foreach ($key in $StateStoreOptions.Keys) { $s3[$key] = $StateStoreOptions[$key] }
        $null = New-LabStateStore -BucketName $StateBucket @s3
        $null = $cluster | Publish-LabCluster @awsParameters | Wait-LabCluster @awsParameters
        if (-not $Connection) { $null = Connect-LabCluster -Context $ClusterName }
    }
    $cluster
}
Step Setup registry-secret 'The ECR repositories and the image pull secret ecr-secret (a fresh ECR token)' {
    if ($Aws) {
        $null = New-LabRegistry -RepositoryPrefix $RepoPrefix -Name ui, message, guestbook, kpack -ScanOnPush @ecrParameters
        New-LabRegistrySecret @ecrParameters
    } else {
        # Offline: the secret as it will be, with a stand-in token (written as <redacted> like a real one).
        $token = [securestring]::new()
        'offline-placeholder-token'.ToCharArray() | ForEach-Object { $token.AppendChar($_) }
        New-LabRegistrySecret -Server "https://$AccountId.dkr.ecr.$Region.amazonaws.com" -Password $token
    }
}

# ------------------------------------------------------------------ Build images with kpack
# The codelab's "Setup kpack" and "Build images and push to ECR" (kpack itself: Install-LabKpack on a cluster). The
# tags come from the lab's account, region and prefix.
$ecr = @{ AccountId = $AccountId; Region = $Region; RepositoryPrefix = $RepoPrefix }
$source = @{ Git = 'https://gitlab.com/DmyMi/aws-k8s-lab.git'; Builder = 'builder'; ServiceAccountName = 'kp-sa' }
Step Build kp-sa 'The ServiceAccount kp-sa that builds push and pull with (the registry secret ecr-secret)' {
    New-LabBuildServiceAccount -Name kp-sa -SecretName ecr-secret
}
Step Build cluster-store 'The ClusterStore default: the Paketo Java buildpacks' {
    New-LabClusterStore -Name default -Source gcr.io/paketo-buildpacks/java
}
Step Build cluster-stack 'The ClusterStack base: the bionic build and run images' {
    New-LabClusterStack -Name base -Id io.buildpacks.stacks.bionic -BuildImage paketobuildpacks/build:base-cnb -RunImage paketobuildpacks/run:base-cnb
}
Step Build builder 'The Builder builder: base stack, default store, Java buildpack, pushed to PREFIX-kpack:builder' {
    New-LabBuilder -Name builder -Stack base -Store default -Buildpack paketo-buildpacks/java -ServiceAccountName kp-sa @ecr -Repository kpack -Version builder
}
Step Build images 'The images ui, message and guestbook v1, built from master' {
    foreach ($module in 'ui', 'message', 'guestbook') {
        New-LabImage -Name "$module-image" @ecr -Repository $module -Version v1 @source -Revision master -Env @{ BP_GRADLE_BUILT_MODULE = $module }
    }
}
Step Build ui-image-v2 'The ui v2 image, built from the v2 revision (for traffic splitting)' {
    New-LabImage -Name ui-image-v2 @ecr -Repository ui -Version v2 @source -Revision v2 -Env @{ BP_GRADLE_BUILT_MODULE = 'ui' }
}

# ------------------------------------------------------------------ Install Istio, proxy injection
Step Install istio-install 'The istioctl configuration: demo profile, traces to Zipkin (istioctl install -f)' {
    New-MeshInstallConfig -Profile demo -ZipkinAddress zipkin.istio-system:9411
}
# The application's manifests ship in App/, with the image placeholders ACCOUNT_ID, REGION and REPO_PREFIX.
function Read-AppManifest([string] $Name) {
    $text = (Get-Content -Raw (Join-Path $PSScriptRoot "App/$Name.yaml")).
        Replace('ACCOUNT_ID', $AccountId).Replace('REGION', $Region).Replace('REPO_PREFIX', $RepoPrefix)
    ConvertFrom-LabYaml $text
}
# The preview: the app's Deployments as the injection webhook will create their pods (istioctl kube-inject).
Step Install injection 'Turn on automatic sidecar injection for the default namespace' {
    Enable-MeshInjection -Namespace default
} -Preview {
    Read-AppManifest guestbook-app | Where-Object Kind -EQ Deployment | ConvertTo-MeshInjected
}
Step Install app 'Deploy the guestbook application: mysql, redis, guestbook-service, message-service, ui' {
    Read-AppManifest guestbook-app
}

# ------------------------------------------------------------------ Ingress Traffic
Step Traffic ingress-gateway 'Bind a Gateway to the Istio ingress (port 80, every host)' {
    New-MeshGateway -Name guestbook-ui-gateway
}
Step Traffic ingress-route 'Route every request through the gateway to the ui service' {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -UriPrefix /
}

# ------------------------------------------------------------------ Fault Injection
Step Traffic fault-abort 'guestbook-service answers 503 to every request (delete it afterwards)' {
    New-MeshVirtualService -Name guestbook-service -Hosts guestbook-service |
        Add-MeshRoute -Destination guestbook-service |
        Add-MeshFault -Abort 503 -Percent 100
}
Step Traffic fault-delay 'message-service answers 5 seconds late (after deleting the abort; delete it afterwards)' -Remove VirtualService/guestbook-service {
    New-MeshVirtualService -Name message-service -Hosts message-service |
        Add-MeshRoute -Destination message-service |
        Add-MeshFault -Delay 5s -Percent 100
}

# ------------------------------------------------------------------ Retries & Circuit Breaking
Step Traffic retries 'Retry message-service up to 3 times, 2 seconds per try' {
    New-MeshVirtualService -Name message-service -Hosts message-service |
        Add-MeshRoute -Destination message-service |
        Set-MeshRetryPolicy -Attempts 3 -PerTryTimeout 2s
}
Step Traffic circuit-breaker 'Limit connections to message-service and eject failing pods' {
    New-MeshDestinationRule -Name message-service -Host message-service |
        Set-MeshCircuitBreaker -MaxConnections 100 -MaxRequestsPerConnection 10 -MaxPendingRequests 1024 `
            -Consecutive5xxErrors 7 -Interval 5m -BaseEjectionTime 15m
}

# ------------------------------------------------------------------ Traffic Splitting / Shifting
Step Traffic ui-v2 'Deploy ui v2 (golden background): the ui service now balances v1 and v2' {
    Read-AppManifest ui-deployment-v2
}
$uiSplit = @{ Service = 'ui'; Name = 'guestbook-ui'; Hosts = '*'; Gateways = 'guestbook-ui-gateway' }
Step Traffic all-to-v1 'Define the ui subsets v1 and v2, and shift all ui traffic to v1' {
    Set-MeshTrafficSplit @uiSplit -Weight ([ordered]@{ v1 = 100; v2 = 0 })
}
Step Traffic split-20-80 'Shift 80% of the ui traffic to v2' {
    Set-MeshTrafficSplit @uiSplit -Weight ([ordered]@{ v1 = 20; v2 = 80 })
}
Step Traffic chrome-to-v2 'Send Chrome users to v2, everyone else to v1' {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -Subset v2 -UriPrefix / -HeaderRegex @{ 'user-agent' = '.*Chrome.*' } |
        Add-MeshRoute -Destination ui -Subset v1 -UriPrefix /
}
Step Traffic reset-ui-route 'Reset the ui route (after deleting ui-v2 and the ui DestinationRule)' -Remove Deployment/ui-v2, DestinationRule/ui {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -UriPrefix /
}

# ------------------------------------------------------------------ Traffic Mirroring
Step Traffic message-service-v2 'Deploy message-service v2: the same image with DEMO_VERSION 2.0' {
    Read-AppManifest message-deployment-v2
}
Step Traffic mirror-subsets 'Define the message-service subsets v1 and v2' {
    New-MeshDestinationRule -Name message-service -Host message-service |
        Add-MeshSubset -Name v1 -Labels @{ version = '1.0' } |
        Add-MeshSubset -Name v2 -Labels @{ version = '2.0' }
}
Step Traffic mirror 'Answer from message-service v1 and mirror every request to v2' {
    New-MeshVirtualService -Name message-service -Hosts message-service |
        Add-MeshRoute -Destination message-service -Subset v1 -Weight 100 -UriPrefix / |
        Set-MeshMirror -Destination message-service -Subset v2 -Percent 100
}

# ------------------------------------------------------------------ Egress Traffic
Step Egress registry-only 'Block egress to unregistered hosts (istioctl install -f)' {
    New-MeshInstallConfig -Profile demo | Set-MeshOutboundPolicy -Mode REGISTRY_ONLY
}
Step Egress egress-ubuntu 'Allow HTTP to *.ubuntu.com (matched by Host)' {
    Add-MeshEgressEntry -Name ubuntu -Hosts '*.ubuntu.com' -Port 80 -Protocol HTTP -Location MESH_EXTERNAL
}
Step Egress egress-google 'Allow HTTPS to google.com (matched by SNI)' {
    Add-MeshEgressEntry -Name google -Hosts google.com -Port 443 -Protocol HTTPS -Location MESH_EXTERNAL
}

# ------------------------------------------------------------------ Monitoring
# The codelab's exposed-monitoring-lb Service, re-applied with each dashboard's selector and target port.
Step Monitoring grafana 'Expose Grafana through the load balancer exposed-monitoring-lb (port 80 to 3000)' {
    New-LabDashboardService -Name grafana
}
Step Monitoring prometheus 'Expose Prometheus instead (the same Service, port 80 to 9090)' {
    New-LabDashboardService -Name prometheus
}
Step Monitoring kiali 'Expose Kiali instead (port 80 to 20001, the UI under /kiali)' {
    New-LabDashboardService -Name kiali
}
Step Monitoring zipkin 'Expose Zipkin instead (port 80 to 9411; deleted when you are done exploring)' {
    New-LabDashboardService -Name zipkin
}

# ------------------------------------------------------------------ Mutual TLS
Step Security reset-ui-v1 'Reset the ui route to v1 (after deleting the dashboards'' Service exposed-monitoring-lb)' -Remove Service/istio-system/exposed-monitoring-lb {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -Subset v1 -UriPrefix /
    New-MeshDestinationRule -Name ui -Host ui | Add-MeshSubset -Name v1 -Labels @{ version = '1.0' }
}
Step Security strict-mtls 'Require mTLS in the default namespace' {
    Enable-MeshStrictMtls -Namespace default
}
Step Security probe-rewrite-off 'ui-v2 without probe rewriting: its readiness probe fails under STRICT (delete it afterwards)' {
    Read-AppManifest ui-deployment-v2-rewrite | Set-MeshProbeRewrite -Enabled:$false
}
Step Security noistio-namespace 'A namespace without sidecars, to see plaintext refused (after deleting ui-v2)' -Remove Deployment/ui-v2 {
    Enable-MeshInjection -Namespace noistio -Disable
}

# ------------------------------------------------------------------ Authorization policies
$uiPrincipal = (Get-MeshWorkloadIdentity -ServiceAccount ui-sa -Namespace default).Principal
$guestbookPrincipal = (Get-MeshWorkloadIdentity -ServiceAccount guestbook-sa -Namespace default).Principal
Step Security deny-all 'Deny every request in the default namespace' {
    New-MeshAuthorizationPolicy -Name deny-all -Namespace default
}
Step Security ui-viewer 'Allow GET and POST to the ui from anywhere' {
    New-MeshAuthorizationPolicy -Name ui-viewer -Namespace default -Selector @{ app = 'ui' } -Methods GET, POST
}
Step Security redis-tcp-policy 'Allow the ui to reach redis (as written, any source may reach port 6379)' {
    New-MeshAuthorizationPolicy -Name redis-tcp-policy -Namespace default -Selector @{ app = 'redis' } -Action ALLOW |
        Add-MeshAuthorizationRule -Principals $uiPrincipal |
        Add-MeshAuthorizationRule -Ports 6379
}
Step Security mysql-tcp-policy 'Allow guestbook-service to reach mysql (as written, any source may reach port 3306)' {
    New-MeshAuthorizationPolicy -Name mysql-tcp-policy -Namespace default -Selector @{ app = 'mysql' } -Action ALLOW |
        Add-MeshAuthorizationRule -Principals $guestbookPrincipal |
        Add-MeshAuthorizationRule -Ports 3306
}
Step Security guestbook-viewer 'Allow the ui to GET and POST to guestbook-service' {
    New-MeshAuthorizationPolicy -Name guestbook-viewer -Namespace default -Selector @{ app = 'guestbook-service' } -Principals $uiPrincipal -Methods GET, POST
}
Step Security message-viewer 'Allow the ui to GET from message-service' {
    New-MeshAuthorizationPolicy -Name message-viewer -Namespace default -Selector @{ app = 'message-service' } -Principals $uiPrincipal -Methods GET
}

# ------------------------------------------------------------------ JWT
Step Security ui-jwt-auth 'Accept JWTs from testing@secure.istio.io at the ui (invalid tokens get 401)' {
    Add-MeshJwtRule -Name ui-jwt-auth -Namespace default -Selector @{ app = 'ui' } -Issuer 'testing@secure.istio.io' `
        -JwksUri 'https://raw.githubusercontent.com/istio/istio/release-1.17/security/tools/jwt/samples/jwks.json'
}
Step Security ui-viewer-jwt 'Require the codelab''s token at the ui' {
    New-MeshAuthorizationPolicy -Name ui-viewer -Namespace default -Selector @{ app = 'ui' } -Action ALLOW `
        -RequestPrincipals 'testing@secure.istio.io/testing@secure.istio.io'
}

# Step files of another version of this script (other numbers or names) would mislead a replay of the folder.
$ids = @(for ($i = 0; $i -lt $steps.Count; $i++) { '{0:D2}-{1}.yaml' -f ($i + 1), $steps[$i].Name })
if (Test-Path -LiteralPath $OutputPath) {
    Get-ChildItem -LiteralPath $OutputPath -File | Where-Object { $_.Name -match '^(\d{2}-[a-z0-9-]+)\.(yaml|svg|mmd)$' -and "$($Matches[1]).yaml" -notin $ids } |
        ForEach-Object { Write-Verbose "Removing the stale step file $($_.Name)"; Remove-Item -LiteralPath $_.FullName }
}

$applyTo = if ($Connection) { @{ Connection = $Connection } } else { @{} }
# istioctl and the dashboards' load balancers need a cluster; a manifest folder stores what would be installed.
# (Read per step: the Setup section's -Aws connects to the new cluster.)
function Test-OnCluster { $target = if ($Connection) { $Connection } else { Get-LabConnection }; [bool] ($Apply -and $target -and $target.Kind -eq 'Cluster') }
$index = [System.Collections.Generic.List[object]]::new()
# The mesh as the codelab leaves it after each step (its deletions, then the step's objects), for -Graph.
$meshState = [System.Collections.Generic.List[object]]::new()
$pictures = [System.Collections.Generic.List[object]]::new()
$graphFormat = if (Get-Command dot -CommandType Application -ErrorAction Ignore) { 'svg' } else { 'mmd' }
$number = 0
foreach ($step in $steps) {
    # Steps keep their number whichever sections run, so a file name always means the same step.
    $number++
    if ($step.Section -notin $Section) { continue }
    $id = '{0:D2}-{1}' -f $number, $step.Name
    $objects = @(& $step.Build)
    $preview = if ($step.Preview) { @(& $step.Preview) } else { @() }
    # The cmdlets that built the objects already warned about anything surprising.
    $file = $objects | Export-LabManifest -Path $OutputPath -Step $id -WarningAction SilentlyContinue
    $applied = @()
    $rolledOut = @()
    $installed = @()
    $dashboard = $null
    if ($Apply) {
        foreach ($removal in $step.Remove) {
            $parts = $removal.Split('/')
            $namespace = if ($parts.Count -eq 3) { $parts[1] } else { 'default' }
            $null = Get-LabResource -Kind $parts[0] -Name $parts[-1] -Namespace $namespace @applyTo -ErrorAction Ignore | Remove-LabResource @applyTo -Confirm:$false
        }
        if ($InstallKpack -and $step.Name -eq 'kp-sa') {
            $installed += @(Install-LabKpack @applyTo @KpackOptions)
        }
        # istioctl install records the configuration it installed as the IstioOperator istio-system/installed-state.
        # kops objects go to the state store (Publish-LabCluster, with -Aws), not to the cluster.
        $toApply = foreach ($object in $objects) {
            if ($object -is [GuestbookLab.Model.KopsResource]) {
                continue
            } elseif ($object -is [GuestbookLab.Model.IstioOperator] -and -not $SkipIstioInstall -and (Test-OnCluster)) {
                $installOptions = @{} + $IstioOptions
                $installed += @($object | Install-LabIstio @applyTo @installOptions)
                if ($step.Name -eq 'istio-install') {
                    $installOptions.Remove('IstioctlPath')
                    $installed += @(Install-LabMeshAddon -Name zipkin, prometheus, grafana, kiali @applyTo @installOptions)
                }
            } elseif ($object -is [GuestbookLab.Model.IstioOperator] -and -not $object.Name) {
                $installedState = ConvertFrom-LabYaml ($object | ConvertTo-LabYaml)
                $installedState.Name = 'installed-state'
                $installedState.Namespace = 'istio-system'
                $installedState
            } else { $object }
        }
        $applied = if ($toApply) { @($toApply | Publish-LabResource @applyTo -WarningAction SilentlyContinue) } else { @() }
        if ($step.Section -eq 'Monitoring' -and (Test-OnCluster)) {
            # The Service is applied; Open-LabDashboard waits for its load balancer's address (the codelab's LB_URL).
            $dashboard = Open-LabDashboard -Name $step.Name -Expose LoadBalancer -NoBrowser:$NoBrowser -Timeout $DashboardTimeoutSec @applyTo
            Write-Verbose "$($step.Name): $($dashboard.Url)"
        }
        if ($WaitForRollout) {
            $rolledOut = @(foreach ($result in $applied | Where-Object Kind -In 'Deployment', 'StatefulSet', 'DaemonSet') {
                Wait-LabRollout -Kind $result.Kind -Name $result.Name -Namespace $result.Namespace -TimeoutSec $RolloutTimeoutSec @applyTo
            })
            # The Build section's Images: built by kpack (Ready for their current generation).
            $rolledOut += @(foreach ($result in $applied | Where-Object Kind -EQ 'Image') {
                Wait-LabImage -Name $result.Name -Namespace $result.Namespace -TimeoutSec $ImageTimeoutSec @applyTo
            })
        }
    }
    $picture = $null
    if ($Graph) {
        foreach ($removal in $step.Remove) {
            $kind, $name = $removal.Split('/')[0], $removal.Split('/')[-1]
            $null = $meshState.RemoveAll({ param($o) $o.Kind -eq $kind -and $o.Name -eq $name })
        }
        $meshState.AddRange([object[]] $objects)
        if ($step.Section -in 'Install', 'Traffic', 'Egress', 'Security') {
            $other = Join-Path $OutputPath "$id.$(if ($graphFormat -eq 'svg') { 'mmd' } else { 'svg' })"
            if (Test-Path -LiteralPath $other) { Remove-Item -LiteralPath $other }
            $picture = $meshState | ConvertTo-MeshGraph -Step $id -Title $step.Title -OutFile (Join-Path $OutputPath "$id.$graphFormat") -Confirm:$false -WhatIf:$false
            $pictures.Add([pscustomobject]@{ Step = $id; Title = $step.Title; Manifest = $file.Name; Removes = $step.Remove; Picture = $picture })
        }
    }
    $index.Add([pscustomobject]@{ Step = $id; Section = $step.Section; Title = $step.Title; File = $file.Name; Removes = $step.Remove -join ';' })
    [pscustomobject]@{
        PSTypeName = 'GuestbookLab.LabStep'
        Step       = $id
        Section    = $step.Section
        Title      = $step.Title
        Resources  = ($objects | ForEach-Object DisplayName) -join ', '
        Removes    = $step.Remove
        File       = $file.FullName
        Objects    = $objects
        Preview    = $preview
        Applied    = $applied
        Installed  = $installed
        Dashboard  = $dashboard
        RolledOut  = $rolledOut
        Picture    = $picture
    }
}
$index | Export-Csv -LiteralPath (Join-Path $OutputPath 'lab-steps.csv') -NoTypeInformation -UseQuotes AsNeeded

if ($Graph) {
    # index.html: the codelab step by step, each step's manifest and the mesh after it (the pictures beside it).
    $encode = { param($text) [System.Net.WebUtility]::HtmlEncode([string] $text) }
    $html = [System.Text.StringBuilder]::new()
    $null = $html.Append("<!DOCTYPE html>`n<html lang=`"en`">`n<head>`n<meta charset=`"utf-8`">`n<title>The Istio guestbook codelab, step by step</title>`n")
    $null = $html.Append("<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#202124}section{margin-bottom:3em}figure{margin:1em 0;border:1px solid #dadce0;padding:1em;overflow:auto}figure img{max-width:100%}nav li{margin:2px 0}.removes{color:#5f6368}</style>`n")
    if ($graphFormat -eq 'mmd') {
        $null = $html.Append("<script type=`"module`">import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid@12.3.0/dist/mermaid.esm.min.mjs'; mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script>`n")
    }
    $null = $html.Append("</head>`n<body>`n<h1>The Istio guestbook codelab, step by step</h1>`n")
    $null = $html.Append("<p>Each step: what the codelab does, the manifest the lab wrote for it, and the mesh after it as ConvertTo-MeshGraph draws it offline. " +
        "Blue: routes (weights, matches, faults, retries); purple dashed: mirrors; grey: endpoints; green dotted: requests allowed; red dotted: requests denied (AuthorizationPolicy, JWT, STRICT mTLS, REGISTRY_ONLY), with what decided; " +
        "$([char]::ConvertFromUtf32(0x1F512)): STRICT mTLS.</p>`n<nav><ol>`n")
    foreach ($p in $pictures) { $null = $html.Append("<li><a href=`"#$(& $encode $p.Step)`">$(& $encode $p.Step)</a>: $(& $encode $p.Title)</li>`n") }
    $null = $html.Append("</ol></nav>`n")
    foreach ($p in $pictures) {
        $null = $html.Append("<section class=`"step`" id=`"$(& $encode $p.Step)`">`n<h2>$(& $encode $p.Step): $(& $encode $p.Title)</h2>`n")
        $null = $html.Append("<p>Manifest: <a href=`"$(& $encode $p.Manifest)`">$(& $encode $p.Manifest)</a></p>`n")
        if ($p.Removes) { $null = $html.Append("<p class=`"removes`">Deleted first, as the codelab does: $(& $encode ($p.Removes -join ', '))</p>`n") }
        $null = $html.Append("<figure class=`"picture`">`n")
        if ($graphFormat -eq 'svg') {
            $null = $html.Append("<img src=`"$(& $encode $p.Picture.Name)`" alt=`"The mesh after $(& $encode $p.Step)`">`n")
        } else {
            $null = $html.Append("<pre class=`"mermaid`">`n$(& $encode (Get-Content -Raw -LiteralPath $p.Picture.FullName))</pre>`n")
        }
        $null = $html.Append("</figure>`n</section>`n")
    }
    $null = $html.Append("</body>`n</html>`n")
    Set-Content -LiteralPath (Join-Path $OutputPath 'index.html') -Value $html.ToString() -NoNewline -Encoding utf8NoBOM
}
