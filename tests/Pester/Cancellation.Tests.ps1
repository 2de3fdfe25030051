param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# Ctrl+C (issue 16): each long-running cmdlet, started in a runspace of its own against the API stand-in and stopped
# (PowerShell.Stop(), what Ctrl+C does) once it is under way; the time from Stop to the pipeline returning is printed.
# The bound asserted is loose (5 s: a machine under load is slow), the figure is what the closing note reports.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $k8s = Start-StandIn
    $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
    $pod = "apiVersion: v1`nkind: Pod`nmetadata: {name: curl, namespace: default}`nspec: {containers: [{name: curl, image: curlimages/curl}]}"
    $null = ConvertFrom-LabYaml $pod | Publish-LabResource
    $running = '{"status":{"phase":"Running","containerStatuses":[{"name":"curl","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
    & $Kubectl --kubeconfig $k8s.KubeConfig patch pod curl --subresource=status --type=merge -p $running | Out-Null
    $hang = @{ namespace = 'default'; pod = 'curl'; commandPrefix = @('sleep'); hang = $true } | ConvertTo-Json
    $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/exec" -Body $hang -ContentType application/json
    $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/logs/default/curl/curl" -Body "first line`n"
    $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: istio-system}" | Publish-LabResource
    $grafana = "apiVersion: v1`nkind: Pod`nmetadata: {name: grafana-1, namespace: istio-system, labels: {app: grafana}}`nspec: {containers: [{name: grafana, image: grafana}]}"
    $null = ConvertFrom-LabYaml $grafana | Publish-LabResource
    & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system patch pod grafana-1 --subresource=status --type=merge -p ($running -replace 'curl', 'grafana') | Out-Null
    # kpack's CRDs, so that Wait-LabImage has an Image kind to watch.
    $null = ConvertFrom-LabYaml -Path (Join-Path $DataFolder 'kpack/*.yaml') | Publish-LabResource
    $script:Figures = [ordered]@{}
}

AfterAll {
    Disconnect-LabCluster
    $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    Write-Host ('Ctrl+C, Stop to return: ' + (($script:Figures.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value) ms" }) -join '; '))
}

Describe 'Ctrl+C stops each long-running cmdlet at once' {
    It '<Name> returns promptly when stopped' -ForEach @(
        @{ Name = 'Wait-LabRollout'; Command = 'Wait-LabRollout Deployment never -Timeout 10m' }
        @{ Name = 'Wait-LabResource'; Command = 'Wait-LabResource Deployment never -Condition Available -Timeout 10m' }
        @{ Name = 'Remove-LabResource -Wait'; Command = 'ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: held, finalizers: [lab/hold]}" | Publish-LabResource | Out-Null; Remove-LabResource ConfigMap held -Wait -Timeout 10m -Confirm:$false' }
        @{ Name = 'Get-LabLog -Follow'; Command = 'Get-LabLog curl -Follow' }
        @{ Name = 'Invoke-LabCommand'; Command = 'Invoke-LabCommand curl -Command sleep, 3600' }
        @{ Name = 'Wait-LabImage'; Command = 'Wait-LabImage never -Timeout 10m' }
        @{ Name = 'Get-LabIngressAddress'; Command = 'Get-LabIngressAddress -Timeout 10m' }
        @{ Name = 'Open-LabDashboard (port-forward)'; Command = 'Open-LabDashboard grafana -NoBrowser' }
    ) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)'; Write-Information started; $Command")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($ps.Streams.Information.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Milliseconds 1500
            # (A PSDataCollection still being written blocks whoever enumerates it: read its items by index.)
            $errors = for ($i = 0; $i -lt $ps.Streams.Error.Count; $i++) { "$($ps.Streams.Error[$i])" }
            $ps.InvocationStateInfo.State | Should -Be 'Running' -Because "$Name is still at work before it is stopped: $errors"
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.IsCompleted | Should -BeTrue
            $script:Figures[$Name] = [int] $clock.Elapsed.TotalMilliseconds
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        } finally { $ps.Dispose() }
    }

    It 'leaves no exec session open after Invoke-LabCommand is stopped' {
        $calls = Invoke-RestMethod "$($k8s.Url)/_standin/exec/calls"
        @($calls | Where-Object { $_.command[0] -eq 'sleep' }).Count | Should -BeGreaterOrEqual 1
    }
}
