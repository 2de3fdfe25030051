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

Describe 'Ctrl+C ends the child processes of kops and istioctl cmdlets' {
    BeforeAll {
        $spec = New-LabCluster -Name soak.k8s.local -StateStore s3://lab-state -Zones us-east-1a
        $notFound = @{ stderr = @('Error: cluster not found "soak.k8s.local"'); exit = 1 }
        # The fake istioctl, a copy of its own with a call log and a script (as Istio.Tests does).
        $istioFolder = Join-Path (Get-PSDrive TestDrive).Root 'istioctl'
        $null = New-Item -ItemType Directory -Path $istioFolder
        Copy-Item (Join-Path ($FakeKops -replace 'FakeKops', 'FakeIstioctl') '*') $istioFolder -Recurse
        $istioctl = Join-Path $istioFolder ($IsWindows ? 'istioctl.exe' : 'istioctl')
        $env:FAKEISTIOCTL_LOG = Join-Path $istioFolder 'calls.jsonl'
        $env:FAKEISTIOCTL_SCRIPT = Join-Path $istioFolder 'script.json'
        @{ install = @{ stdout = @('- Processing resources for Istio core.'); sleepMs = 600000 } } | ConvertTo-Json -Depth 5 | Set-Content $env:FAKEISTIOCTL_SCRIPT
        $long = @{ stderr = @('working...'); sleepMs = 600000; spawn = 'sleep' }
    }

    AfterAll {
        Remove-Item env:FAKEISTIOCTL_LOG, env:FAKEISTIOCTL_SCRIPT, env:FAKEKOPS_LOG, env:FAKEKOPS_SCRIPT -ErrorAction Ignore
    }

    It '<Name> returns promptly when stopped, its child process tree gone' -ForEach @(
        @{ Name = 'Wait-LabCluster (kops validate)'; Tool = 'kops'; Script = @{ 'validate cluster' = 'long' }; Command = 'Wait-LabCluster -Name soak.k8s.local -StateStore s3://lab-state -Timeout 10m -KopsPath @KOPS@' }
        @{ Name = 'Publish-LabCluster (kops create)'; Tool = 'kops'; Script = @{ 'get cluster' = 'notFound'; 'create' = 'long' }; Command = '$spec | Publish-LabCluster -KopsPath @KOPS@' }
        @{ Name = 'Remove-LabCluster (kops delete)'; Tool = 'kops'; Script = @{ 'delete cluster' = 'long' }; Command = 'Remove-LabCluster -Name soak.k8s.local -StateStore s3://lab-state -KopsPath @KOPS@ -Confirm:$false' }
        @{ Name = 'Install-LabIstio (istioctl install)'; Tool = 'istioctl'; Command = 'New-MeshInstallConfig -Profile demo | Install-LabIstio -IstioctlPath @ISTIOCTL@ -Timeout 10m' }
    ) {
        if ($Tool -eq 'kops') {
            $kops = New-FakeKops
            $replies = @{}; foreach ($key in $Script.Keys) { $replies[$key] = $Script[$key] -eq 'long' ? $long : $notFound }
            Set-FakeKopsScript $kops $replies
            $log = $kops.Log
        } else {
            $log = $env:FAKEISTIOCTL_LOG
            Remove-Item $log -ErrorAction Ignore
        }
        $text = $Command -creplace '@KOPS@', "'$($kops.Path)'" -creplace '@ISTIOCTL@', "'$istioctl'"
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)'; `$spec = New-LabCluster -Name soak.k8s.local -StateStore s3://lab-state -Zones us-east-1a; $text")
            $handle = $ps.BeginInvoke()
            # Under way: the long call (and, for kops, its child) has started.
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            $calls = @()
            do {
                Start-Sleep -Milliseconds 100
                $calls = @(if (Test-Path $log) { Get-Content $log | ForEach-Object { $_ | ConvertFrom-Json } })
                $started = $Tool -eq 'kops' ? @($calls | Where-Object child).Count -gt 0 : @($calls | Where-Object { $_.args -and $_.args[0] -eq 'install' }).Count -gt 0
            } until ($started -or [DateTime]::UtcNow -gt $deadline -or $handle.IsCompleted)
            $errors = for ($i = 0; $i -lt $ps.Streams.Error.Count; $i++) { "$($ps.Streams.Error[$i])" }
            $started | Should -BeTrue -Because "the $Tool call is under way: $errors"
            Start-Sleep -Milliseconds 500
            $ps.InvocationStateInfo.State | Should -Be 'Running'
            $pids = @($calls | ForEach-Object { $_.child ?? $_.pid } | Where-Object { $_ })
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $script:Figures[$Name] = [int] $clock.Elapsed.TotalMilliseconds
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            # Gone: no such process, or a zombie (killed, not yet reaped: an orphan waits for init, which here reaps
            # about once a second). A process left running would still be there seconds later.
            function Test-Running([int] $Id) {
                $process = Get-Process -Id $Id -ErrorAction Ignore
                $stat = Get-Content "/proc/$Id/stat" -ErrorAction Ignore
                $process -and -not ($stat -match '^\d+ \(.*\) Z ')
            }
            $reaped = [Diagnostics.Stopwatch]::StartNew()
            foreach ($id in $pids) {
                for ($i = 0; $i -lt 30 -and (Test-Running $id); $i++) { Start-Sleep -Milliseconds 100 }
                Test-Running $id | Should -BeFalse -Because "process $id of $Tool (or its child) is gone after Stop"
            }
            $script:Figures[$Name] = "$($script:Figures[$Name]) ms, processes gone $([int] $reaped.Elapsed.TotalMilliseconds)"
        } finally { $ps.Dispose() }
    }
}
