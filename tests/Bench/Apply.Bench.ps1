#Requires -Version 7.6
<#
.SYNOPSIS
    Applies 500 objects to the API stand-in with Publish-LabResource and with kubectl 1.35 'apply --server-side',
    five times each (fresh names every run, so every run creates), and prints both medians and their ratio.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $StandIn,
    [Parameter(Mandatory)] [string] $Kubectl,
    [int] $Objects = 500,
    [int] $Runs = 5
)

$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$folder = Join-Path ([IO.Path]::GetTempPath()) "apply-bench-$([guid]::NewGuid())"
$null = New-Item -ItemType Directory -Path $folder
$kubeconfig = Join-Path $folder 'kubeconfig'
$out = Join-Path $folder 'out.txt'
$server = Start-Process -FilePath dotnet -ArgumentList $StandIn, '--port', '0', '--kubeconfig', $kubeconfig -PassThru -RedirectStandardOutput $out
try {
    for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
    $null = Connect-LabCluster -KubeConfig $kubeconfig

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

    $ours = foreach ($run in 1..$Runs) {
        $batch = ConvertFrom-LabYaml (New-Batch "g$run")
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = $batch | Publish-LabResource
        $clock.Stop()
        if (@($results | Where-Object Result -EQ Created).Count -ne $Objects) { throw "Publish-LabResource created $(@($results).Count) of $Objects objects." }
        $clock.Elapsed.TotalSeconds
    }

    $theirs = foreach ($run in 1..$Runs) {
        $file = Join-Path $folder "k$run.yaml"
        Set-Content -LiteralPath $file -Value (New-Batch "k$run")
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $output = & $Kubectl --kubeconfig $kubeconfig apply --server-side --validate=false -f $file 2>&1
        $clock.Stop()
        if ($LASTEXITCODE -ne 0 -or @($output | Select-String 'serverside-applied').Count -ne $Objects) { throw "kubectl failed: $($output | Select-Object -First 3)" }
        $clock.Elapsed.TotalSeconds
    }

    $median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][Math]::Floor($sorted.Count / 2)] }
    $a = & $median $ours
    $b = & $median $theirs
    'Publish-LabResource: {0:N2} s for {1} objects ({2:N0} objects/s; median of {3} runs)' -f $a, $Objects, ($Objects / $a), $Runs
    'kubectl 1.35 apply --server-side: {0:N2} s for {1} objects ({2:N0} objects/s; median of {3} runs)' -f $b, $Objects, ($Objects / $b), $Runs
    'Ratio (Publish-LabResource / kubectl): {0:N2}' -f ($a / $b)
} finally {
    $server | Stop-Process -Force -ErrorAction Ignore
    Remove-Item -Recurse -Force $folder -ErrorAction Ignore
}
