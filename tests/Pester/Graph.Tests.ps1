param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
    $labOut = Join-Path (Get-PSDrive TestDrive).Root 'graph-lab'
    $null = & $labScript -OutputPath $labOut -WarningAction SilentlyContinue
    $index = Import-Csv (Join-Path $labOut 'lab-steps.csv')

    # The mesh after a step of the lab's own output: its steps in order, each first deleting what the codelab deletes.
    function Get-LabState([string] $Through) {
        $state = [System.Collections.Generic.List[object]]::new()
        foreach ($step in $index | Where-Object Step -LE $Through) {
            foreach ($removal in $step.Removes -split ';' | Where-Object { $_ }) {
                $kind, $name = $removal.Split('/')[0], $removal.Split('/')[-1]
                $null = $state.RemoveAll({ param($o) $o.Kind -eq $kind -and $o.Name -eq $name })
            }
            $file = Join-Path $labOut $step.File
            if (Test-Path -LiteralPath $file) { $state.AddRange([object[]] @(ConvertFrom-LabYaml -LiteralPath $file)) }
        }
        $state
    }
    # The mesh steps: from the app on (the steps before have no mesh to draw).
    $meshSteps = @($index.Step | Where-Object { $_ -ge '11-app' })
    $dot = Get-Command dot -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    # Test-MeshRequest's answer as the graph judges it: denied by an AuthorizationPolicy, a JWT rule (401) or mTLS.
    function Test-Admitted($Result) {
        if ($Result.Authorization.Decision -eq 'Denied' -or $Result.Status -eq 401) { return $false }
        -not ($Result.ServerMtlsMode -in 'STRICT', 'DISABLE' -and ($Result.Outcome -eq 'ConnectionReset' -or $Result.ResponseFlag -eq 'UC'))
    }
}

Describe 'ConvertTo-MeshGraph on the lab''s steps' {
    It 'draws the 20/80 split: the gateway routes 20% to ui v1 and 80% to ui v2' {
        $graph = Get-LabState 20-split-20-80 | ConvertTo-MeshGraph -Step 20-split-20-80 -Title 'Shift 80%'
        $graph | Should -BeOfType GuestbookLab.Model.MeshGraph
        $graph.Step | Should -Be '20-split-20-80'
        @($graph.EdgesBetween('istio-ingressgateway', 'ui v1')).Weight | Should -Be 20
        @($graph.EdgesBetween('istio-ingressgateway', 'ui v2')).Weight | Should -Be 80
        @($graph.EdgesBetween('ui v2', 'ui-v2')).Kind | Should -Be 'Endpoint'
        $mermaid = Get-LabState 20-split-20-80 | ConvertTo-MeshGraph -Format Mermaid
        $mermaid | Should -Match '==>\|"80%"\|'
        $mermaid | Should -Match '(?m)^flowchart LR'
    }

    It 'draws Chrome to v2, everyone else to v1' {
        $graph = Get-LabState 21-chrome-to-v2 | ConvertTo-MeshGraph
        @($graph.EdgesBetween('istio-ingressgateway', 'ui v2')).Condition | Should -Be 'user-agent ~ Chrome'
        @($graph.EdgesBetween('istio-ingressgateway', 'ui v1')).Condition | Should -Be 'otherwise'
    }

    It 'draws the mirror to message-service v2 dashed' {
        $graph = Get-LabState 25-mirror | ConvertTo-MeshGraph
        $mirror = @($graph.EdgesBetween('message-service', 'message-service v2'))
        $mirror.Kind | Should -Be 'Mirror'
        $mirror.MirrorPercent | Should -Be 100
        Get-LabState 25-mirror | ConvertTo-MeshGraph -Format Dot | Should -Match 'label="mirror 100%".*style=dashed'
    }

    It 'denies every call under deny-all, then each allow policy opens its own' {
        $denied = (Get-LabState 33-deny-all | ConvertTo-MeshGraph).Edges | Where-Object { $_.Kind -eq 'Authorization' -and $_.Policy -like '*deny-all' }
        @($denied).Count | Should -Be 5
        $denied.Allowed | Should -Not -Contain $true
        $open = (Get-LabState 38-message-viewer | ConvertTo-MeshGraph).Edges | Where-Object { $_.Kind -eq 'Authorization' -and $_.From -like 'wl:default/ui' }
        ($open | Where-Object To -EQ 'svc:default/message-service').Policy | Should -Be 'AuthorizationPolicy default/message-viewer'
        $open.Allowed | Should -Not -Contain $false
    }

    It 'locks STRICT workloads and shows plaintext from noistio reset' {
        $graph = Get-LabState 32-noistio-namespace | ConvertTo-MeshGraph
        ($graph.Nodes | Where-Object { $_.Kind -eq 'Workload' -and $_.Namespace -eq 'default' }).Strict | Should -Not -Contain $false
        $graph.Groups | Should -Contain 'noistio'
        $resets = $graph.Edges | Where-Object From -EQ 'pod:noistio/graph-client'
        @($resets).Count | Should -BeGreaterThan 0
        $resets.Outcome | Sort-Object -Unique | Should -Be 'ConnectionReset'
        $resets.Policy | Sort-Object -Unique | Should -Be 'PeerAuthentication default/default'
    }

    It 'blocks other hosts under REGISTRY_ONLY and lets the two ServiceEntries out' {
        $graph = Get-LabState 28-egress-google | ConvertTo-MeshGraph
        $graph.OutboundPolicy | Should -Be 'REGISTRY_ONLY'
        ($graph.Nodes | Where-Object Kind -EQ External).Label | Should -Be @('*.ubuntu.com', 'google.com')
        ($graph.Edges | Where-Object { $_.Kind -eq 'Egress' -and $_.To -like 'ext:*' }).Allowed | Should -Be @($true, $true)
        ($graph.Edges | Where-Object { $_.Kind -eq 'Egress' -and $_.To -eq 'internet' }).Allowed | Should -Be @($false, $false)
    }

    It 'agrees with Test-MeshRequest on every authorization and egress edge of every step' {
        $checked = 0
        foreach ($step in $meshSteps) {
            $state = @(Get-LabState $step)
            $graph = $state | ConvertTo-MeshGraph
            foreach ($edge in $graph.Edges | Where-Object Kind -In 'Authorization', 'Egress') {
                $result = $state | Test-MeshRequest -From $edge.RequestFrom -Uri $edge.RequestUri -Seed 0
                $allowed = if ($edge.Kind -eq 'Egress') { $result.Outcome -eq 'Delivered' } else { Test-Admitted $result }
                $edge.Allowed | Should -Be $allowed -Because "$step $($edge.RequestFrom) $($edge.RequestUri)"
                $edge.Outcome | Should -Be $result.ToString() -Because "$step $($edge.RequestFrom) $($edge.RequestUri)"
                $checked++
            }
        }
        $checked | Should -BeGreaterThan 100
    }

    It 'reads the connected target when nothing else is given' {
        $cluster = Join-Path (Get-PSDrive TestDrive).Root 'graph-cluster'
        $null = Connect-LabCluster -Directory $cluster
        try {
            $null = Get-LabState 20-split-20-80 | Where-Object { $_ -isnot [GuestbookLab.Model.IstioOperator] -and $_ -isnot [GuestbookLab.Model.KopsResource] } |
                Publish-LabResource -WarningAction SilentlyContinue
            @((ConvertTo-MeshGraph).EdgesBetween('istio-ingressgateway', 'ui v2')).Weight | Should -Be 80
        } finally {
            Disconnect-LabCluster
        }
    }
}

Describe 'ConvertTo-MeshGraph pictures and files' {
    It 'draws every step''s DOT with Graphviz (dot -Tsvg)' {
        if (-not $dot) { Set-ItResult -Skipped -Because 'Graphviz''s dot is not on PATH'; return }
        foreach ($step in $meshSteps) {
            $source = Get-LabState $step | ConvertTo-MeshGraph -Step $step -Format Dot
            $svg = $source | & $dot.Source -Tsvg 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$step`n$svg"
            ($svg -join "`n") | Should -Match '<svg'
        }
    }

    It 'returns the SVG and writes a page with it and a legend' {
        if (-not $dot) { Set-ItResult -Skipped -Because 'Graphviz''s dot is not on PATH'; return }
        $svg = Get-LabState 20-split-20-80 | ConvertTo-MeshGraph -Format Svg
        $svg | Should -Match '<svg'
        $svg | Should -Match '80%'
        $page = Join-Path (Get-PSDrive TestDrive).Root 'split.html'
        $file = Get-LabState 20-split-20-80 | ConvertTo-MeshGraph -OutFile $page -Title 'The 20/80 split'
        $file.FullName | Should -Be $page
        $html = Get-Content -Raw $page
        $html | Should -Match '<svg'
        $html | Should -Match '<h2>Legend</h2>'
        $html | Should -Not -Match 'class="mermaid"'
        $html | Should -Match '<title>The 20/80 split</title>'
    }

    It 'warns how to get Graphviz and falls back to Mermaid in the page when dot is missing' {
        $page = Join-Path (Get-PSDrive TestDrive).Root 'nodot.html'
        $missing = Join-Path (Get-PSDrive TestDrive).Root 'no-such-dot'
        $null = Get-LabState 25-mirror | ConvertTo-MeshGraph -OutFile $page -DotPath $missing -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match 'apt-get install graphviz'
        "$warnings" | Should -Match 'brew install graphviz'
        "$warnings" | Should -Match 'winget install graphviz'
        $html = Get-Content -Raw $page
        $html | Should -Match '<pre class="mermaid">'
        $html | Should -Match 'mirror 100%'
        $html | Should -Match '<h2>Legend</h2>'
    }

    It 'fails -Format Svg without dot with GraphvizNotFound' {
        $missing = Join-Path (Get-PSDrive TestDrive).Root 'no-such-dot'
        $err = Get-LabError { Get-LabState 25-mirror | ConvertTo-MeshGraph -Format Svg -DotPath $missing }
        $err.FullyQualifiedErrorId | Should -BeLike 'GraphvizNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'apt-get install graphviz'
    }

    It 'writes .mmd and .dot files, and refuses other names' {
        $mmd = Join-Path (Get-PSDrive TestDrive).Root 'mirror.mmd'
        $null = Get-LabState 25-mirror | ConvertTo-MeshGraph -OutFile $mmd
        Get-Content -Raw $mmd | Should -Be (Get-LabState 25-mirror | ConvertTo-MeshGraph -Format Mermaid)
        $gv = Join-Path (Get-PSDrive TestDrive).Root 'mirror.dot'
        $null = Get-LabState 25-mirror | ConvertTo-MeshGraph -OutFile $gv
        Get-Content -Raw $gv | Should -Match '^digraph mesh \{'
        $err = Get-LabError { Get-LabState 25-mirror | ConvertTo-MeshGraph -OutFile (Join-Path (Get-PSDrive TestDrive).Root 'mirror.txt') }
        Should-BeLabError $err -ErrorId InvalidGraphFile -Field 'mirror.txt'
    }

    It 'writes nothing with -WhatIf' {
        $file = Join-Path (Get-PSDrive TestDrive).Root 'whatif.mmd'
        Get-LabState 25-mirror | ConvertTo-MeshGraph -OutFile $file -WhatIf | Should -BeNullOrEmpty
        Test-Path $file | Should -BeFalse
    }
}

Describe 'The lab script''s pictures (-Graph)' {
    BeforeAll {
        $pictured = Join-Path (Get-PSDrive TestDrive).Root 'graph-pictures'
        $null = New-Item -ItemType Directory -Path $pictured -Force
        # A picture of a step an older version of the script had: removed as its manifest would be.
        Set-Content -LiteralPath (Join-Path $pictured '99-old-step.svg') -Value '<svg/>'
        $labSteps = & $labScript -OutputPath $pictured -Graph -WarningAction SilentlyContinue
        $extension = if ($dot) { 'svg' } else { 'mmd' }
        $drawn = @($labSteps | Where-Object Section -In 'Install', 'Traffic', 'Egress', 'Security')
    }

    It 'writes a picture beside each mesh step''s manifest, and none for the set-up and build steps' {
        foreach ($step in $drawn) {
            $picture = Join-Path $pictured "$($step.Step).$extension"
            $step.Picture.FullName | Should -Be $picture
            (Get-Item $picture).Length | Should -BeGreaterThan 500
        }
        $labSteps | Where-Object Section -In 'Setup', 'Build' | Where-Object Picture | Should -BeNullOrEmpty
        Test-Path (Join-Path $pictured '99-old-step.svg') | Should -BeFalse
    }

    It 'draws each step''s mesh as the codelab leaves it' {
        $twenty = Get-Content -Raw (Join-Path $pictured "20-split-20-80.$extension")
        $twenty | Should -Match '80%'
        $twenty | Should -Match 'ui v2'
        # After the reset (ui-v2 and the ui DestinationRule deleted), there is no subset ui v2 any more.
        Get-Content -Raw (Join-Path $pictured "22-reset-ui-route.$extension") | Should -Not -Match 'ui v2'
        # (dot writes the hyphen as &#45;)
        Get-Content -Raw (Join-Path $pictured "33-deny-all.$extension") | Should -Match 'denied by AuthorizationPolicy default/deny(-|&#45;)all'
    }

    It 'writes index.html: every drawn step with its title, manifest and picture' {
        $html = Get-Content -Raw (Join-Path $pictured 'index.html')
        foreach ($step in $drawn) {
            $html | Should -Match ([regex]::Escape("<h2>$($step.Step): $([System.Net.WebUtility]::HtmlEncode($step.Title))</h2>"))
            $html | Should -Match ([regex]::Escape("href=`"$($step.Step).yaml`""))
        }
        if ($dot) {
            ([regex]::Matches($html, '<img src="(\d{2}-[a-z0-9-]+\.svg)"')).Count | Should -Be $drawn.Count
        } else {
            ([regex]::Matches($html, '<pre class="mermaid">')).Count | Should -Be $drawn.Count
        }
        $html | Should -Match 'Deleted first, as the codelab does: Deployment/ui-v2, DestinationRule/ui'
    }
}
