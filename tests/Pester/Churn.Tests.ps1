param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# Watches under churn (issue 16): Wait-LabRollout and Get-LabLog -Follow while the API stand-in drops every watch and
# followed log stream after a second (every other drop a reset, the others a clean end) and answers watches from a
# resource version with 410 Expired on demand. Status and log lines are driven by the test. Nothing is missed or
# given twice, and the stand-in's request counts show no busy loop.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $k8s = Start-StandIn
    $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig

    # Runs a command in a runspace of its own (connected to the stand-in); returns the PowerShell and its handle.
    function Start-Background([string] $Command) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)'; $Command")
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }

    function Wait-Background($Job, [int] $Seconds) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not $Job.Handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $Job.Handle.IsCompleted
    }

    function Set-Churn([double] $DropSeconds, [int] $Expire = 0) {
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/churn" -ContentType application/json -Body (@{ dropSeconds = $DropSeconds; expire = $Expire } | ConvertTo-Json)
    }

    function Set-Status([string] $Path, [hashtable] $Status) {
        $null = Invoke-RestMethod -Method Patch -Uri "$($k8s.Url)$Path/status" -ContentType 'application/merge-patch+json' -Body (@{ status = $Status } | ConvertTo-Json -Depth 8)
    }

    # Requests per method and path since the counts were cleared, summed over the given keys.
    function Get-RequestCount([string[]] $Keys) {
        $paths = (Invoke-RestMethod "$($k8s.Url)/_standin/stats?paths=true").paths
        ($Keys | ForEach-Object { $paths.$_.requests } | Measure-Object -Sum).Sum
    }

    $script:Figures = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    Set-Churn 0
    Disconnect-LabCluster
    $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    Write-Host ('Churn: ' + ($script:Figures -join '; '))
}

Describe 'Wait-LabRollout while watches are dropped and expired' {
    BeforeEach {
        Set-Churn 0
        $name = "web-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $deployment = "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: $name, namespace: default}`nspec:`n  replicas: 3`n  selector: {matchLabels: {app: $name}}`n  template:`n    metadata: {labels: {app: $name}}`n    spec: {containers: [{name: app, image: 'nginx:1.25'}]}"
        $null = ConvertFrom-LabYaml $deployment | Publish-LabResource
        $path = "/apis/apps/v1/namespaces/default/deployments/$name"
        $keys = 'WATCH /apis/apps/v1/namespaces/default/deployments', 'GET /apis/apps/v1/namespaces/default/deployments'
    }

    It 'sees a readiness that lasts a moment, with every stream dropped after 1 s' {
        Set-Churn 1
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/stats/clear"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job = Start-Background "Wait-LabRollout Deployment $name -Timeout 60s"
        try {
            foreach ($ready in 0..3) {
                Start-Sleep -Milliseconds 900
                Set-Status $path @{ observedGeneration = 1; replicas = 3; updatedReplicas = 3; readyReplicas = $ready; availableReplicas = $ready }
            }
            # Rolled out for a moment only: a new replica set starts over 300 ms later.
            Start-Sleep -Milliseconds 300
            Set-Status $path @{ observedGeneration = 1; replicas = 4; updatedReplicas = 1; readyReplicas = 3; availableReplicas = 3 }
            Wait-Background $job 20 | Should -BeTrue -Because 'the rollout was seen although it lasted 300 ms'
            $clock.Stop()
            $errors = for ($i = 0; $i -lt $job.PowerShell.Streams.Error.Count; $i++) { "$($job.PowerShell.Streams.Error[$i])" }
            $errors | Should -BeNullOrEmpty
            $out = $job.PowerShell.EndInvoke($job.Handle)
            @($out).Count | Should -Be 1
            $requests = Get-RequestCount $keys
            # Streams live 1 s: about one watch a second; a busy loop would make hundreds.
            $requests | Should -BeLessOrEqual ([math]::Ceiling($clock.Elapsed.TotalSeconds) * 2 + 4)
            $script:Figures.Add("Wait-LabRollout, drops every 1 s: ready seen after $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s, $requests list/watch requests")
        } finally { $job.PowerShell.Dispose() }
    }

    It 'lists again on 410 Expired and still sees the rollout finish' {
        Set-Churn 1 4
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/stats/clear"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job = Start-Background "Wait-LabRollout Deployment $name -Timeout 60s"
        try {
            foreach ($ready in 0..3) {
                Start-Sleep -Milliseconds 900
                if ($ready -eq 2) { Set-Churn 1 3 }
                Set-Status $path @{ observedGeneration = 1; replicas = 3; updatedReplicas = 3; readyReplicas = $ready; availableReplicas = $ready }
            }
            Wait-Background $job 20 | Should -BeTrue
            $clock.Stop()
            $errors = for ($i = 0; $i -lt $job.PowerShell.Streams.Error.Count; $i++) { "$($job.PowerShell.Streams.Error[$i])" }
            $errors | Should -BeNullOrEmpty
            @($job.PowerShell.EndInvoke($job.Handle)).Count | Should -Be 1
            $paths = (Invoke-RestMethod "$($k8s.Url)/_standin/stats?paths=true").paths
            $lists = $paths.'GET /apis/apps/v1/namespaces/default/deployments'.requests
            $lists | Should -BeGreaterThan 1 -Because 'an expired watch is followed by a new list'
            $requests = Get-RequestCount $keys
            $requests | Should -BeLessOrEqual ([math]::Ceiling($clock.Elapsed.TotalSeconds) * 3 + 8)
            $script:Figures.Add("Wait-LabRollout, drops and 410s: done after $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s, $lists lists, $requests list/watch requests")
        } finally { $job.PowerShell.Dispose() }
    }

    It 'does not spin while every watch is expired at once' {
        Set-Churn 0 1000
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/stats/clear"
        $job = Start-Background "Wait-LabRollout Deployment $name -Timeout 6s"
        try {
            Wait-Background $job 20 | Should -BeTrue
            $errors = for ($i = 0; $i -lt $job.PowerShell.Streams.Error.Count; $i++) { $job.PowerShell.Streams.Error[$i] }
            "$($errors[0].FullyQualifiedErrorId)" | Should -BeLike 'WaitTimedOut*'
            $requests = Get-RequestCount $keys
            # The pause before each new stream doubles (0.1 s to 5 s): a dozen or so requests in 6 s, not thousands.
            $requests | Should -BeLessOrEqual 30
            $script:Figures.Add("Wait-LabRollout, every watch 410 for 6 s: $requests list/watch requests")
        } finally { Set-Churn 0; $job.PowerShell.Dispose() }
    }
}

Describe 'Get-LabLog -Follow while the log stream is dropped' {
    BeforeAll {
        $pod = "apiVersion: v1`nkind: Pod`nmetadata: {name: talker, namespace: default}`nspec: {containers: [{name: talk, image: busybox}]}"
        $null = ConvertFrom-LabYaml $pod | Publish-LabResource
        Set-Status '/api/v1/namespaces/default/pods/talker' @{ phase = 'Running'; containerStatuses = @(@{ name = 'talk'; ready = $true; restartCount = 0; state = @{ running = @{} } }) }
    }

    It 'gives every line once, in order, with streams dropped every 1 s, and ends when the container does' {
        Set-Churn 1
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/stats/clear"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job = Start-Background 'Get-LabLog talker -Follow'
        try {
            $n = 0
            foreach ($batch in 1..50) {
                # Five lines at a time (one time stamp each batch, so resuming must count lines within one time).
                $lines = foreach ($i in 1..5) { $n++; "line $n" }
                $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/logs/default/talker/talk" -Body (($lines -join "`n") + "`n")
                Start-Sleep -Milliseconds 100
            }
            Start-Sleep -Milliseconds 500
            Set-Status '/api/v1/namespaces/default/pods/talker' @{ phase = 'Succeeded'; containerStatuses = @(@{ name = 'talk'; ready = $false; restartCount = 0; state = @{ terminated = @{ exitCode = 0 } } }) }
            Wait-Background $job 20 | Should -BeTrue -Because 'the followed log ends when its container has'
            $clock.Stop()
            $errors = for ($i = 0; $i -lt $job.PowerShell.Streams.Error.Count; $i++) { "$($job.PowerShell.Streams.Error[$i])" }
            $errors | Should -BeNullOrEmpty
            $out = @($job.PowerShell.EndInvoke($job.Handle))
            $out.Count | Should -Be $n -Because 'no line is lost or given twice'
            ($out -join '|') | Should -BeExactly ((1..$n | ForEach-Object { "line $_" }) -join '|')
            $paths = (Invoke-RestMethod "$($k8s.Url)/_standin/stats?paths=true").paths
            $streams = $paths.'LOG /api/v1/namespaces/default/pods/talker/log'.requests
            $streams | Should -BeGreaterThan 2 -Because 'the stream was dropped and resumed'
            $streams | Should -BeLessOrEqual ([math]::Ceiling($clock.Elapsed.TotalSeconds) * 2 + 4)
            $script:Figures.Add("Get-LabLog -Follow, drops every 1 s: $n lines, none lost or doubled, $streams streams in $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s")
        } finally { $job.PowerShell.Dispose() }
    }
}
