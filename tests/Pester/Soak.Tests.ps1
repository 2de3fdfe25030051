param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# Faults under load (issue 16): 1,000 objects applied with Publish-LabResource while the API stand-in fails 20% of
# requests at random (seeded: 429 with Retry-After, 500/502/503/504, resets before and after the write, 2 s stalls),
# then the same while the stand-in is restarted in the middle with its store kept. Every object must end applied
# exactly once as asked, or be named in an error; a re-run completes what was not applied. The figures are printed.
# $env:GUESTBOOKLAB_SOAK_OBJECTS sets a longer soak (default 1000), $env:GUESTBOOKLAB_SOAK_SEED another seed.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $script:Objects = [int] ($env:GUESTBOOKLAB_SOAK_OBJECTS ?? 1000)
    $script:Seed = [int] ($env:GUESTBOOKLAB_SOAK_SEED ?? 16)

    # The stand-in on a port of our choosing with its store kept in a file (--state), so that it can be restarted.
    function Start-KeptStandIn([int] $Port, [string] $Folder) {
        $out = Join-Path $Folder "out-$([guid]::NewGuid()).txt"
        $arguments = @($StandIn, '--port', $Port, '--kubeconfig', (Join-Path $Folder 'kubeconfig'), '--state', (Join-Path $Folder 'state.jsonl'))
        $process = Start-Process -FilePath dotnet -ArgumentList $arguments -PassThru -RedirectStandardOutput $out -WorkingDirectory $Folder
        for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
        [pscustomobject]@{ Process = $process; Url = "http://127.0.0.1:$Port"; KubeConfig = (Join-Path $Folder 'kubeconfig'); Folder = $Folder }
    }

    function Get-FreePort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $port
    }

    # ConfigMaps, Services and Deployments across three namespaces (the namespaces first), as YAML text.
    function New-SoakBatch([string] $Tag, [int] $Count) {
        $namespaces = 'a', 'b', 'c' | ForEach-Object { "apiVersion: v1`nkind: Namespace`nmetadata: {name: soak-$Tag-$_}" }
        $objects = foreach ($i in 1..$Count) {
            $ns = "soak-$Tag-" + ('a', 'b', 'c')[$i % 3]
            switch ($i % 3) {
                0 { "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: cm-$i, namespace: $ns}`ndata: {key: value-$i, other: x-$i}" }
                1 { "apiVersion: v1`nkind: Service`nmetadata: {name: svc-$i, namespace: $ns, labels: {app: a$i}}`nspec:`n  selector: {app: a$i}`n  ports: [{name: http, port: $(1000 + $i), targetPort: 8080}]" }
                2 { "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: dep-$i, namespace: $ns}`nspec:`n  replicas: $($i % 5 + 1)`n  selector: {matchLabels: {app: a$i}}`n  template:`n    metadata: {labels: {app: a$i}}`n    spec: {containers: [{name: app, image: 'nginx:1.$($i % 30)'}]}" }
            }
        }
        ($namespaces + $objects) -join "`n---`n"
    }

    # The API path of an object, as the stand-in counts requests.
    function Get-ObjectPath($Resource) {
        switch ($Resource.Kind) {
            'Namespace' { "/api/v1/namespaces/$($Resource.Name)" }
            'ConfigMap' { "/api/v1/namespaces/$($Resource.Namespace)/configmaps/$($Resource.Name)" }
            'Service' { "/api/v1/namespaces/$($Resource.Namespace)/services/$($Resource.Name)" }
            'Deployment' { "/apis/apps/v1/namespaces/$($Resource.Namespace)/deployments/$($Resource.Name)" }
        }
    }

    # The stand-in's store key of an object (group/plural/namespace/name).
    function Get-StoreKey($Resource) {
        switch ($Resource.Kind) {
            'Namespace' { "/namespaces//$($Resource.Name)" }
            'ConfigMap' { "/configmaps/$($Resource.Namespace)/$($Resource.Name)" }
            'Service' { "/services/$($Resource.Namespace)/$($Resource.Name)" }
            'Deployment' { "apps/deployments/$($Resource.Namespace)/$($Resource.Name)" }
        }
    }

    # Every stored object of the batch's kinds, by store key (read straight from the stand-in, faults off).
    function Get-Stored([string] $Url) {
        $stored = @{}
        foreach ($path in '/api/v1/namespaces', '/api/v1/configmaps', '/api/v1/services', '/apis/apps/v1/deployments') {
            foreach ($item in (Invoke-RestMethod "$Url$path").items) {
                $group = $path -like '/apis/apps/*' ? 'apps' : ''
                $stored["$group/$($path.Split('/')[-1])/$($item.metadata.namespace)/$($item.metadata.name)"] = $item
            }
        }
        $stored
    }

    # Field-by-field: what New-SoakBatch asked for object number i against what is stored (and the ownership label).
    function Get-Difference($Asked, $Stored) {
        $i = [int] ($Asked.Name -replace '^\w+-', '')
        $problems = @()
        if ($Stored.metadata.labels.'app.kubernetes.io/managed-by' -ne 'guestbooklab') { $problems += 'ownership label' }
        switch ($Asked.Kind) {
            'ConfigMap' {
                if ($Stored.data.key -ne "value-$i" -or $Stored.data.other -ne "x-$i" -or @($Stored.data.PSObject.Properties).Count -ne 2) { $problems += 'data' }
            }
            'Service' {
                if ($Stored.spec.selector.app -ne "a$i" -or $Stored.metadata.labels.app -ne "a$i") { $problems += 'selector or labels' }
                $ports = @($Stored.spec.ports)
                if ($ports.Count -ne 1 -or $ports[0].port -ne (1000 + $i) -or $ports[0].targetPort -ne 8080 -or $ports[0].name -ne 'http') { $problems += 'spec.ports' }
            }
            'Deployment' {
                if ($Stored.spec.replicas -ne ($i % 5 + 1)) { $problems += 'spec.replicas' }
                if ($Stored.spec.selector.matchLabels.app -ne "a$i" -or $Stored.spec.template.metadata.labels.app -ne "a$i") { $problems += 'selector or template labels' }
                $containers = @($Stored.spec.template.spec.containers)
                if ($containers.Count -ne 1 -or $containers[0].name -ne 'app' -or $containers[0].image -ne "nginx:1.$($i % 30)") { $problems += 'containers' }
            }
        }
        $problems
    }

    # Checks one run: every object either applied as asked (once) or named in an error; returns the figures.
    function Assert-Soak($Batch, $Results, $Errors, [string] $Url, [hashtable] $Figures) {
        $stats = Invoke-RestMethod "$Url/_standin/stats?paths=true"
        $stored = Get-Stored $Url
        $resultNames = @($Results | ForEach-Object { "$($_.Kind) $($_.Namespace)/$($_.Name)" })
        $errorTargets = @($Errors | ForEach-Object { $_.TargetObject })
        # One outcome per object, none twice, none left out.
        ($resultNames.Count + $errorTargets.Count) | Should -Be $Batch.Count
        @($resultNames | Group-Object | Where-Object Count -GT 1).Count | Should -Be 0
        foreach ($e in $Errors) {
            $e.TargetObject | Should -BeOfType ([GuestbookLab.Model.LabResource])
            $e.Exception.Message | Should -BeLike "*$($e.TargetObject.DisplayName)*" -Because 'an error names the object it is about'
        }
        $failed = @{}; foreach ($t in $errorTargets) { $failed[(Get-StoreKey $t)] = $true }
        $wrong = @(); $attempts = @()
        foreach ($r in $Batch) {
            $key = Get-StoreKey $r
            $item = $stored[$key]
            if ($null -eq $item) {
                $failed.ContainsKey($key) | Should -BeTrue -Because "$($r.DisplayName) is not stored, so it must be reported failed"
                continue
            }
            # Applied exactly once (one write, a retry of the same apply changes nothing), and as asked (whole, not half).
            $stats.writes.$key | Should -Be 1 -Because "$($r.DisplayName) is written once"
            if ($r.Kind -ne 'Namespace') { $wrong += @(Get-Difference $r $item | ForEach-Object { "$($r.DisplayName): $_" }) }
            foreach ($method in 'GET', 'PATCH') {
                $counts = $stats.paths."$method $(Get-ObjectPath $r)"
                if ($failed.ContainsKey($key)) { continue }
                if ($method -eq 'GET' -and $null -eq $counts) {
                    # Not read on its own: its rank's many objects of one collection were read with one list instead.
                    $path = Get-ObjectPath $r
                    $list = $stats.paths."GET $($path.Substring(0, $path.LastIndexOf('/')))"
                    ($list.requests - $list.faulted) | Should -BeGreaterThan 0 -Because "$($r.DisplayName) is read before it is applied"
                    continue
                }
                # One answered call of each, and no more attempts than the retry bound (5 retries: 6 attempts).
                ($counts.requests - $counts.faulted) | Should -Be 1 -Because "$method $($r.DisplayName) was answered once"
                $counts.requests | Should -BeLessOrEqual 6
                $attempts += $counts.requests
            }
        }
        $wrong | Should -BeNullOrEmpty
        $Figures.Requests = $stats.requests
        $Figures.Faulted = $stats.faulted
        $Figures.Stalled = ($stats.paths.PSObject.Properties.Value | Measure-Object -Property stalled -Sum).Sum
        $Figures.Failed = $errorTargets.Count
        $Figures.MostAttempts = ($attempts | Measure-Object -Maximum).Maximum
        $Figures.Retried = @($attempts | Where-Object { $_ -gt 1 }).Count
    }
}

Describe 'Publish-LabResource under 20% random API faults' {
    BeforeAll {
        $k8s = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $batch = @(ConvertFrom-LabYaml (New-SoakBatch 'f' $Objects))
    }

    AfterAll {
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'applies every object exactly once as asked, or names it in an error; a re-run completes them' {
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/stats/clear"
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/faults" -ContentType application/json -Body (@{ rate = 0.2; seed = $Seed; stalls = 0.02 } | ConvertTo-Json)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = @($batch | Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue)
        $clock.Stop()
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/faults" -ContentType application/json -Body '{"rate":0}'
        $figures = @{}
        Assert-Soak $batch $results @($problems) $k8s.Url $figures
        @($results | Where-Object Result -NE 'Created') | Should -BeNullOrEmpty -Because 'every object was new, answers lost or not'
        Write-Host ("Soak: $($batch.Count) objects, seed $Seed, $($figures.Requests) requests, $($figures.Faulted) faulted " +
            "($([math]::Round(100 * $figures.Faulted / $figures.Requests))%, $($figures.Stalled) of them 2 s stalls), $($figures.Retried) calls retried, at most $($figures.MostAttempts) attempts, " +
            "$($figures.Failed) failed and named, $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s")

        # The re-run, faults off: what failed is created, the rest is Unchanged and not written again.
        $again = @($batch | Publish-LabResource)
        $again.Count | Should -Be $batch.Count
        @($again | Where-Object Result -EQ 'Created').Count | Should -Be $figures.Failed
        @($again | Where-Object Result -EQ 'Configured') | Should -BeNullOrEmpty
        $writes = (Invoke-RestMethod "$($k8s.Url)/_standin/stats?paths=true").writes
        @($writes.PSObject.Properties | Where-Object { $_.Name -like '*soak-f-*' -and $_.Value -ne 1 }) | Should -BeNullOrEmpty
    }
}

Describe 'Publish-LabResource while the API server restarts (store kept)' {
    BeforeAll {
        $folder = Join-Path ([IO.Path]::GetTempPath()) "soak-restart-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $folder
        $port = Get-FreePort
        $script:second = Start-KeptStandIn $port $folder
    }

    AfterAll {
        $script:second.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'completes, or names exactly the objects not applied; a re-run completes them (server down <Down> s)' -ForEach @(
        # Back at once: the retries carry the apply over the gap. Down longer than the retries last (5 retries,
        # 0.2 s doubling, about 6 s): the objects tried meanwhile fail, each named.
        @{ Down = 0; Tag = 'r' }
        @{ Down = 10; Tag = 'd' }
    ) {
        $k8s = $second
        $batch = @(ConvertFrom-LabYaml (New-SoakBatch $Tag $Objects))
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/faults" -ContentType application/json -Body (@{ rate = 0.2; seed = $Seed; stalls = 0.02 } | ConvertTo-Json)
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/stats/clear"
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $KubeConfig, $Yaml)
                    Import-Module $Manifest
                    $null = Connect-LabCluster -KubeConfig $KubeConfig
                    ConvertFrom-LabYaml $Yaml | Publish-LabResource -ErrorAction Continue
                }).AddArgument($ModuleManifest).AddArgument($k8s.KubeConfig).AddArgument((New-SoakBatch $Tag $Objects))
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $handle = $ps.BeginInvoke()
            # Restart when a third of the objects are stored.
            $written = 0
            do {
                Start-Sleep -Milliseconds 100
                # (A stats answer the stand-in failed to give is asked again: the poll is the test's, not what it measures.)
                try { $stats = Invoke-RestMethod "$($k8s.Url)/_standin/stats?paths=true" } catch { continue }
                $written = @($stats.writes.PSObject.Properties | Where-Object Name -Like "*soak-$Tag-*").Count
            } while ($written -lt $batch.Count / 3 -and -not $handle.IsCompleted)
            $handle.IsCompleted | Should -BeFalse -Because 'the apply is still under way when the server goes'
            $k8s.Process | Stop-Process -Force
            $k8s.Process.WaitForExit()
            Start-Sleep -Seconds $Down
            $script:second = Start-KeptStandIn $port $folder
            $null = Invoke-RestMethod -Method Post -Uri "$($second.Url)/_standin/faults" -ContentType application/json -Body (@{ rate = 0.2; seed = $Seed + 1; stalls = 0.02 } | ConvertTo-Json)
            $results = @($ps.EndInvoke($handle))
            $clock.Stop()
            $problems = @(for ($i = 0; $i -lt $ps.Streams.Error.Count; $i++) { $ps.Streams.Error[$i] })
        } finally { $ps.Dispose() }
        $null = Invoke-RestMethod -Method Post -Uri "$($second.Url)/_standin/faults" -ContentType application/json -Body '{"rate":0}'

        $stored = Get-Stored $second.Url
        $resultNames = @($results | ForEach-Object { "$($_.Kind) $($_.Namespace)/$($_.Name)" })
        ($resultNames.Count + $problems.Count) | Should -Be $batch.Count
        foreach ($e in $problems) { $e.Exception.Message | Should -BeLike "*$($e.TargetObject.DisplayName)*" }
        $failed = @{}; foreach ($e in $problems) { $failed[(Get-StoreKey $e.TargetObject)] = $true }
        $writes = (Invoke-RestMethod "$($second.Url)/_standin/stats?paths=true").writes
        foreach ($r in $batch) {
            $key = Get-StoreKey $r
            if ($null -eq $stored[$key]) { $failed.ContainsKey($key) | Should -BeTrue -Because "$($r.DisplayName) is missing, so it is named" ; continue }
            $writes.$key | Should -Be 1 -Because "$($r.DisplayName) is written once, across the restart"
            if ($r.Kind -ne 'Namespace') { Get-Difference $r $stored[$key] | Should -BeNullOrEmpty -Because "$($r.DisplayName) is whole" }
        }
        $missing = @($batch | Where-Object { $null -eq $stored[(Get-StoreKey $_)] }).Count
        if ($Down -gt 0) { $problems.Count | Should -BeGreaterThan 0 -Because 'objects tried while the server was down fail' }
        Write-Host "Soak with a restart (down $Down s): $($batch.Count) objects, $($results.Count) applied, $($problems.Count) named in errors ($missing not stored), $([math]::Round($clock.Elapsed.TotalSeconds, 1)) s"

        # The re-run completes them, writing nothing twice.
        $null = Connect-LabCluster -KubeConfig $second.KubeConfig
        $again = @($batch | Publish-LabResource)
        Disconnect-LabCluster
        $again.Count | Should -Be $batch.Count
        @($again | Where-Object Result -EQ 'Created').Count | Should -Be $missing
        @($again | Where-Object Result -EQ 'Configured') | Should -BeNullOrEmpty
        $stored = Get-Stored $second.Url
        @($batch | Where-Object { $null -eq $stored[(Get-StoreKey $_)] }) | Should -BeNullOrEmpty
    }
}
