#Requires -Version 7.6
<#
.SYNOPSIS
    Applies 500 objects to the API stand-in with Publish-LabResource and with kubectl 1.35 'apply --server-side',
    at each stand-in latency (--latency-ms: every API request waits that long, as a remote API server's round trip),
    and prints both medians and the speed-up (kubectl's time / Publish-LabResource's) from the same run; then applies
    the lab itself (GuestbookLab.Lab.ps1 -Apply) to a fresh stand-in at each latency.
.DESCRIPTION
    Each latency gets a fresh stand-in. Runs alternate (Publish-LabResource, kubectl, Publish-LabResource, ...), with
    fresh names every run so that every run creates, and both see a store of the same size. The lab runs its sections
    Setup (offline: rendered only), Install (-SkipIstioInstall: the IstioOperator is stored), Traffic, Egress and
    Security; not Build (kpack's controller is not there to establish its kinds) nor Monitoring (its dashboards wait
    for a load balancer's address that the stand-in never gives). Istio's CRDs are applied first, untimed.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $StandIn,
    [Parameter(Mandatory)] [string] $Kubectl,
    # Istio's CRDs (tests/data/crds), applied before the lab.
    [Parameter(Mandatory)] [string] $CrdFolder,
    [int] $Objects = 500,
    [int] $Runs = 5,
    [int[]] $LatencyMs = @(0, 20)
)

$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$labScript = Join-Path (Split-Path $ModuleManifest) 'Labs/GuestbookLab.Lab.ps1'
$median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][Math]::Floor($sorted.Count / 2)] }

# A mix like the lab's: services, deployments and config maps.
function New-Batch([string] $tag) {
    $text = foreach ($i in 1..$Objects) {
        switch ($i % 3) {
            0 { "apiVersion: v1`nkind: Service`nmetadata: {name: svc-$tag-$i}`nspec:`n  selector: {app: a$i}`n  ports: [{name: http, port: 80, targetPort: 8080}]" }
            1 { "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: dep-$tag-$i}`nspec:`n  replicas: 2`n  selector: {matchLabels: {app: a$i}}`n  template:`n    metadata: {labels: {app: a$i}}`n    spec: {containers: [{name: app, image: 'nginx:1.25'}]}" }
            2 { "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: cm-$tag-$i}`ndata: {key: value-$i}" }
        }
    }
    $text -join "`n---`n"
}

# A fresh stand-in at a latency: its process and kubeconfig.
function Start-BenchStandIn([string] $Folder, [int] $Latency) {
    $null = New-Item -ItemType Directory -Force -Path $Folder
    $kubeconfig = Join-Path $Folder 'kubeconfig'
    $out = Join-Path $Folder 'out.txt'
    $process = Start-Process -FilePath dotnet -ArgumentList $StandIn, '--port', '0', '--kubeconfig', $kubeconfig, '--latency-ms', $Latency -PassThru -RedirectStandardOutput $out
    for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
    [pscustomobject]@{ Process = $process; KubeConfig = $kubeconfig }
}

$root = Join-Path ([IO.Path]::GetTempPath()) "apply-bench-$([guid]::NewGuid())"
$servers = [System.Collections.Generic.List[object]]::new()
try {
    foreach ($latency in $LatencyMs) {
        $server = Start-BenchStandIn (Join-Path $root "objects-$latency") $latency
        $servers.Add($server)
        $null = Connect-LabCluster -KubeConfig $server.KubeConfig
        # Warm-up, untimed: the first call's JIT and connection, kubectl's binary read from disk.
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: warm-up}`ndata: {a: b}" | Publish-LabResource
        $null = & $Kubectl --kubeconfig $server.KubeConfig get configmap warm-up 2>&1

        $ours = [System.Collections.Generic.List[double]]::new()
        $theirs = [System.Collections.Generic.List[double]]::new()
        foreach ($run in 1..$Runs) {
            $batch = ConvertFrom-LabYaml (New-Batch "g$run")
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $results = $batch | Publish-LabResource
            $clock.Stop()
            if (@($results | Where-Object Result -EQ Created).Count -ne $Objects) { throw "Publish-LabResource created $(@($results).Count) of $Objects objects." }
            $ours.Add($clock.Elapsed.TotalSeconds)

            $file = Join-Path $root "k$latency-$run.yaml"
            Set-Content -LiteralPath $file -Value (New-Batch "k$run")
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $output = & $Kubectl --kubeconfig $server.KubeConfig apply --server-side --validate=false -f $file 2>&1
            $clock.Stop()
            if ($LASTEXITCODE -ne 0 -or @($output | Select-String 'serverside-applied').Count -ne $Objects) { throw "kubectl failed: $($output | Select-Object -First 3)" }
            $theirs.Add($clock.Elapsed.TotalSeconds)
        }

        $a = & $median $ours
        $b = & $median $theirs
        "Stand-in latency $latency ms per request:"
        '  Publish-LabResource: {0:N2} s for {1} objects ({2:N0} objects/s; median of {3} runs)' -f $a, $Objects, ($Objects / $a), $Runs
        '  kubectl 1.35 apply --server-side: {0:N2} s for {1} objects ({2:N0} objects/s; median of {3} runs)' -f $b, $Objects, ($Objects / $b), $Runs
        '  Speed-up (kubectl time / Publish-LabResource time, same run): {0:N2}x' -f ($b / $a)
    }

    foreach ($latency in $LatencyMs) {
        $server = Start-BenchStandIn (Join-Path $root "lab-$latency") $latency
        $servers.Add($server)
        $null = Connect-LabCluster -KubeConfig $server.KubeConfig
        $crd = "apiVersion: apiextensions.k8s.io/v1`nkind: CustomResourceDefinition`nmetadata: {name: istiooperators.install.istio.io}`nspec:`n  group: install.istio.io`n  names: {kind: IstioOperator, plural: istiooperators, singular: istiooperator}`n  scope: Namespaced`n  versions:`n  - name: v1alpha1`n    served: true`n    storage: true`n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}"
        $null = ConvertFrom-LabYaml $crd | Publish-LabResource
        $null = Publish-LabResource -Path $CrdFolder
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $steps = & $labScript -OutputPath (Join-Path $root "lab-$latency/manifests") -Section Setup, Install, Traffic, Egress, Security -Apply -SkipIstioInstall -WarningAction SilentlyContinue
        $clock.Stop()
        $applied = @($steps.Applied)
        'The lab applied to the stand-in at {0} ms (-Apply; Setup, Install, Traffic, Egress, Security): {1:N2} s for {2} steps, {3} objects applied (one run)' -f $latency, $clock.Elapsed.TotalSeconds, @($steps).Count, $applied.Count
    }
} finally {
    Disconnect-LabCluster -ErrorAction Ignore
    foreach ($server in $servers) { $server.Process | Stop-Process -Force -ErrorAction Ignore }
    Remove-Item -Recurse -Force $root -ErrorAction Ignore
}
