param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# The architecture's promises, checked on the built module: one error factory with one category per ErrorId, session
# state kept per runspace and released on Remove-Module, cancellation that reaches the engine, one time-out form.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $src = Join-Path $PSScriptRoot '../../src'
}

Describe 'One error factory' {
    It 'gives every ErrorId exactly one category, and lists no other' {
        $ids = [GuestbookLab.Model.ErrorIds].GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() }
        $catalog = [GuestbookLab.Errors.ErrorCatalog]::Categories
        @($ids | Where-Object { -not $catalog.ContainsKey($_) }) | Should -BeNullOrEmpty -Because 'every ErrorId needs its category'
        @($catalog.Keys | Where-Object { $_ -notin $ids }) | Should -BeNullOrEmpty -Because 'the catalog names only ErrorIds'
        $catalog.Count | Should -Be @($ids | Sort-Object -Unique).Count
    }

    It 'is the only place that makes an ErrorRecord or picks a category' {
        $files = Get-ChildItem $src -Recurse -Filter *.cs | Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]'
        $made = $files | Select-String -Pattern 'new ErrorRecord\(', 'ErrorCategory\.' |
            Where-Object { $_.Path -notmatch '[\\/]GuestbookLab[\\/]Errors[\\/]' }
        @($made | ForEach-Object { "$($_.Path):$($_.LineNumber)" }) | Should -BeNullOrEmpty
    }

    It 'reports an error about one piped object without ending the pipeline' {
        $vs = New-MeshVirtualService -Name a -Hosts a | Add-MeshRoute -Destination a
        $other = New-MeshVirtualService -Name b -Hosts b | Add-MeshRoute -Destination b
        $out = @($vs, $other) | Add-MeshFault -RouteIndex 3 -Abort 503 -ErrorVariable problems -ErrorAction SilentlyContinue
        @($problems).Count | Should -Be 2
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'NoRouteToModify,*'
        @($out).Count | Should -Be 0
    }
}

Describe 'One manifest reader' {
    BeforeAll {
        $folder = Join-Path (Get-PSDrive TestDrive).Root 'manifests [1]'
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $folder 'app'), (Join-Path $folder 'mesh')
        $svc = "apiVersion: v1`nkind: Service`nmetadata: {name: ui, namespace: default, labels: {app: ui}}`nspec: {selector: {app: ui}, ports: [{name: http, port: 80}]}`n"
        Set-Content -LiteralPath (Join-Path $folder 'app/ui.yml') -Value $svc
        New-MeshGateway -Name gw | ConvertTo-LabYaml | Set-Content -LiteralPath (Join-Path $folder 'mesh/gateway.yaml')
        Set-Content -LiteralPath (Join-Path $folder 'mesh/notes.txt') -Value 'not a manifest'
    }

    It 'reads a folder (.yaml and .yml below it) the same way in every cmdlet that reads manifests' {
        $names = @('ui', 'gw')
        (ConvertFrom-LabYaml -LiteralPath $folder).Name | Should -Be $names
        (ConvertFrom-LabYaml -Path ($folder -replace '\[', '`[' -replace '\]', '`]')).Name | Should -Be $names
        $target = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        (Publish-LabResource -LiteralPath $folder -Connection $target).Name | Should -Be $names
        @(Test-MeshConfiguration -LiteralPath $folder | Where-Object Code -EQ 'IST0106') | Should -BeNullOrEmpty
        (Test-MeshRequest -LiteralPath $folder -From ingress -Uri http://x/).Status | Should -Be 404
    }

    It 'names the file and line of each finding and issue, the field''s line where it has one' {
        $dir = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
        $null = New-Item -ItemType Directory -Path $dir
        $file = Join-Path $dir 'reviews.yaml'
        $yaml = "# reviews`n" + (New-MeshVirtualService -Name reviews -Hosts reviews -Namespace default | Add-MeshRoute -Destination reviews -Subset v2 | ConvertTo-LabYaml)
        Set-Content -LiteralPath $file -Value $yaml
        $lines = $yaml -split "`n"
        $hostLine = 1 + [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^\s+host: reviews' })
        $found = Test-MeshConfiguration -LiteralPath $dir -FailOn None | Where-Object Message -Like 'Referenced host not found*'
        $found.Source.Path | Should -Be $file
        $found.Source.Line | Should -Be $hostLine
        "$found" | Should -BeLike "Error ``[IST0101``] (VirtualService default/reviews ${file}:$hostLine) Referenced host not found*"
        $read = ConvertFrom-LabYaml -LiteralPath $file
        $read.Source.Line | Should -Be 2 -Because 'the document starts below the comment'
        $changed = $read | Add-MeshFault -Abort 503 -Percent 10
        $changed.Source.Line | Should -Be 2 -Because 'a modified object still says where it was read from'
        $bad = Join-Path $dir 'bad.yaml'
        Set-Content -LiteralPath $bad -Value ($yaml -replace '(?m)^(\s+)host: reviews', "`$1host: reviews`n`$1port: {number: 99999}")
        $issue = ConvertFrom-LabYaml -LiteralPath $bad | Test-MeshResource | Where-Object Field -Like '*port.number'
        $issue.Source | Should -Be "${bad}:$($hostLine + 1)"
        @(New-MeshVirtualService -Name x -Hosts x | Test-MeshConfiguration -FailOn None | Where-Object Source) | Should -BeNullOrEmpty -Because 'an object built in the session has no file'
    }

    It 'warns of routes after a catch-all once, from the cmdlet that added them' {
        $warnings = @(& { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute -Destination r | Add-MeshRoute -Destination r -Subset v2 -UriPrefix /a |
            Add-MeshFault -RouteIndex 1 -Abort 503 -Percent 10 | Set-MeshRetryPolicy -RouteIndex 1 -Attempts 2 } 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        @($warnings | Where-Object Message -Like '*GBL0009*').Count | Should -Be 1
    }

    It 'reads only the files a wildcard matches, not the folders it matches' {
        (ConvertFrom-LabYaml -Path (Join-Path ($folder -replace '\[', '`[' -replace '\]', '`]') '*') -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty
        (ConvertFrom-LabYaml -Path (Join-Path ($folder -replace '\[', '`[' -replace '\]', '`]') 'mesh/*.yaml')).Name | Should -Be 'gw'
    }

    It 'keeps a directory target to its own files: no .yml files, no hidden folders' {
        $root = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
        $target = Connect-LabCluster -Directory $root
        $null = New-MeshGateway -Name gw | Publish-LabResource -Connection $target
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $root '.github/workflows')
        Set-Content -LiteralPath (Join-Path $root '.github/workflows/ci.yaml') -Value 'on: [push]'
        Set-Content -LiteralPath (Join-Path $root 'compose.yml') -Value 'services: {web: {image: nginx}}'
        (Get-LabResource -Kind Gateway -Connection $target).Name | Should -Be 'gw'
    }

    It 'says a path that matches nothing with one ErrorId everywhere' {
        $missing = Join-Path (Get-PSDrive TestDrive).Root 'nowhere'
        (Get-LabError { ConvertFrom-LabYaml -LiteralPath $missing }).FullyQualifiedErrorId | Should -BeLike 'ManifestNotFound,*'
        (Get-LabError { Publish-LabResource -LiteralPath $missing -Connection (Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root target)) }).FullyQualifiedErrorId | Should -BeLike 'ManifestNotFound,*'
        (Get-LabError { Test-MeshConfiguration -Path $missing }).FullyQualifiedErrorId | Should -BeLike 'ManifestNotFound,*'
    }

    It 'reads http(s) URLs for ConvertFrom-LabYaml and Test-MeshConfiguration too' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $yaml = New-MeshVirtualService -Name reviews -Hosts reviews | Add-MeshRoute -Destination reviews -Subset v2 | ConvertTo-LabYaml
        $job = Start-ThreadJob {
            param($port, $yaml)
            $http = [System.Net.HttpListener]::new()
            $http.Prefixes.Add("http://127.0.0.1:$port/")
            $http.Start()
            try {
                for ($i = 0; $i -lt 2; $i++) {
                    $context = $http.GetContext()
                    $body = [Text.Encoding]::UTF8.GetBytes($yaml)
                    $context.Response.OutputStream.Write($body, 0, $body.Length)
                    $context.Response.Close()
                }
            } finally { $http.Stop() }
        } -ArgumentList $port, $yaml
        for ($i = 0; $i -lt 50; $i++) {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
        }
        (ConvertFrom-LabYaml -Uri "http://127.0.0.1:$port/vs.yaml").Name | Should -Be 'reviews'
        $fromUrl = Test-MeshConfiguration -Uri "http://127.0.0.1:$port/vs.yaml" -FailOn None
        $fromUrl.Code | Should -Contain 'IST0101'
        $fromUrl[0].Source.Path | Should -Be "http://127.0.0.1:$port/vs.yaml" -Because 'a URL is named with the line of the document, as it is not read again'
        $null = $job | Wait-Job -Timeout 10
        $job | Remove-Job -Force
    }
}

Describe 'Session state per runspace' {
    BeforeEach {
        Disconnect-LabCluster
        $root = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
    }

    It 'keeps each runspace''s connection to itself (ForEach-Object -Parallel)' {
        $null = Connect-LabCluster -Directory (Join-Path $root 'main')
        $manifest = (Get-Module GuestbookLab).Path
        $results = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:manifest
            $folder = Join-Path $using:root "runspace-$_"
            $null = Connect-LabCluster -Directory $folder
            Start-Sleep -Milliseconds 200
            $applied = New-MeshGateway -Name "gw-$_" | Publish-LabResource
            [pscustomobject]@{ N = $_; Location = $applied.Location; Folder = $folder }
        }
        foreach ($r in $results) { $r.Location | Should -BeLike "$($r.Folder)*" }
        (Get-LabResource -Kind Gateway) | Should -BeNullOrEmpty -Because 'the parallel runspaces did not move this session''s connection'
        (Get-LabResource -Kind Gateway -Connection (Connect-LabCluster -Directory (Join-Path $root 'runspace-3'))).Name | Should -Be 'gw-3'
    }

    It 'does not share a connection with another runspace of the process' {
        $null = Connect-LabCluster -Directory $root
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$((Get-Module GuestbookLab).Path)'; try { Get-LabResource -Kind Gateway -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }")
            ($ps.Invoke() | Select-Object -First 1) | Should -BeLike 'NotConnected,*'
        } finally { $ps.Dispose() }
    }

    It 'releases the connection when the module is removed' {
        $result = Invoke-ChildPwsh @"
Import-Module '$ModuleManifest'
`$null = Connect-LabCluster -Directory '$root'
Remove-Module GuestbookLab
Import-Module '$ModuleManifest'
try { Get-LabResource -Kind Gateway -ErrorAction Stop; 'still connected' } catch { `$_.FullyQualifiedErrorId }
"@
        $result.Output[-1] | Should -BeLike 'NotConnected,*'
    }
}

Describe 'Cancellation and time-outs' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        $null = ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: never}`nspec: {replicas: 1, selector: {matchLabels: {app: never}}, template: {metadata: {labels: {app: never}}, spec: {containers: [{name: app, image: never:1}]}}}" | Publish-LabResource
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'takes -Timeout as a duration, a number of seconds or a TimeSpan' -ForEach @(
        @{ Given = '1s'; Says = '1 s' }
        @{ Given = 1; Says = '1 s' }
        @{ Given = [timespan]::FromMilliseconds(1500); Says = '1.5 s' }
        @{ Given = '00:00:01'; Says = '1 s' }
    ) {
        $err = Get-LabError { Wait-LabRollout Deployment never -Timeout $Given }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -BeLike "*within $Says.*"
    }

    It 'refuses a time-out that is not one, naming the forms' {
        $err = Get-LabError { Wait-LabRollout Deployment never -Timeout 'soon' }
        $err.Exception.Message | Should -BeLike "*'soon' is not a time-out*90s*"
        $err = Get-LabError { Wait-LabRollout Deployment never -Timeout 0 }
        $err.Exception.Message | Should -BeLike '*not a time-out*'
        foreach ($wrong in @('1d', '2000h', 'NaN', '1e400')) {
            $err = Invoke-Expression "Get-LabError { Wait-LabRollout Deployment never -Timeout $wrong }"
            $err.Exception.Message | Should -BeLike '*not a time-out*' -Because "$wrong is not a time-out up to a day"
        }
    }

    It 'stops a watch in flight when the pipeline is stopped (Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$((Get-Module GuestbookLab).Path)'; Wait-LabRollout Deployment never -Timeout 10m -Connection (Connect-LabCluster -KubeConfig '$($standIn.KubeConfig)')")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($ps.Streams.Progress.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $ps.Streams.Progress.Count | Should -BeGreaterThan 0 -Because 'the wait reports progress from the pipeline thread'
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.IsCompleted | Should -BeTrue
        } finally { $ps.Dispose() }
    }
}
