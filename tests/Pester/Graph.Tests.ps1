param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver, $Mermaid)

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
        $denied = (Get-LabState 37-deny-all | ConvertTo-MeshGraph).Edges | Where-Object { $_.Kind -eq 'Authorization' -and $_.Policy -like '*deny-all' }
        @($denied).Count | Should -Be 5
        $denied.Allowed | Should -Not -Contain $true
        $open = (Get-LabState 42-message-viewer | ConvertTo-MeshGraph).Edges | Where-Object { $_.Kind -eq 'Authorization' -and $_.From -like 'wl:default/ui' }
        ($open | Where-Object To -EQ 'svc:default/message-service').Policy | Should -Be 'AuthorizationPolicy default/message-viewer'
        $open.Allowed | Should -Not -Contain $false
    }

    It 'locks STRICT workloads and shows plaintext from noistio reset' {
        $graph = Get-LabState 36-noistio-namespace | ConvertTo-MeshGraph
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
        Get-Content -Raw (Join-Path $pictured "37-deny-all.$extension") | Should -Match 'denied by AuthorizationPolicy default/deny(-|&#45;)all'
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

Describe 'The lab''s pictures in a real browser (headless Chromium)' {
    BeforeAll {
        $chromium = @('chromium', 'chromium-browser', 'google-chrome') | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction Ignore } | Select-Object -First 1
        $browsed = Join-Path (Get-PSDrive TestDrive).Root 'graph-browser'
        if ($chromium -and $dot) {
            $labSteps = & $labScript -OutputPath $browsed -Graph -WarningAction SilentlyContinue
            $drawn = @($labSteps | Where-Object Picture)
        }
        function Save-Screenshot([string] $Url, [string] $Png, [int] $Width, [int] $Height) {
            $null = & $chromium.Source --headless=new --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=5000 "--window-size=$Width,$Height" "--screenshot=$Png" $Url 2>&1
            Test-Path $Png | Should -BeTrue -Because "Chromium should have written $Png"
        }
        # How many coloured pixels (the pictures' blue, green, red and yellow) each cell of a screenshot has: a small PNG decoder
        # (8-bit RGB or RGBA). A picture that did not load shows the browser's broken-image icon: a few dozen at most.
        if (-not ('GraphTests.Png' -as [type])) {
            Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.IO.Compression;
namespace GraphTests {
public static class Png {
    public static double[] InkPerCell(string path, int columns, int rows) {
        var bytes = File.ReadAllBytes(path);
        int width = 0, height = 0, channels = 0; var data = new MemoryStream();
        for (var pos = 8; pos < bytes.Length;) {
            var length = (bytes[pos] << 24) | (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3];
            var type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (type == "IHDR") {
                width = (bytes[pos + 8] << 24) | (bytes[pos + 9] << 16) | (bytes[pos + 10] << 8) | bytes[pos + 11];
                height = (bytes[pos + 12] << 24) | (bytes[pos + 13] << 16) | (bytes[pos + 14] << 8) | bytes[pos + 15];
                if (bytes[pos + 16] != 8 || bytes[pos + 20] != 0) throw new InvalidDataException("only 8-bit, non-interlaced PNGs");
                channels = bytes[pos + 17] == 6 ? 4 : bytes[pos + 17] == 2 ? 3 : throw new InvalidDataException("only RGB or RGBA PNGs");
            } else if (type == "IDAT") { data.Write(bytes, pos + 8, length); }
            pos += 12 + length;
        }
        data.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(data, CompressionMode.Decompress)) z.CopyTo(raw);
        var src = raw.ToArray(); var stride = width * channels; var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++) {
            var filter = src[y * (stride + 1)];
            for (var x = 0; x < stride; x++) {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0, b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0, v = src[y * (stride + 1) + 1 + x];
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                pixels[y * stride + x] = (byte)(filter switch { 0 => v, 1 => v + a, 2 => v + b, 3 => v + (a + b) / 2, 4 => v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c), _ => throw new InvalidDataException("bad filter") });
            }
        }
        var ink = new double[columns * rows]; var cellWidth = width / columns; var cellHeight = height / rows;
        for (var y = 0; y < cellHeight * rows; y++)
            for (var x = 0; x < cellWidth * columns; x++) {
                var i = y * stride + x * channels;
                if (Math.Max(pixels[i], Math.Max(pixels[i + 1], pixels[i + 2])) - Math.Min(pixels[i], Math.Min(pixels[i + 1], pixels[i + 2])) > 60) ink[(y / cellHeight) * columns + x / cellWidth]++;
            }
        return ink;
    }
}
}
'@
        }
    }

    It 'shows index.html with the first steps'' pictures' {
        if (-not $chromium -or -not $dot) { Set-ItResult -Skipped -Because 'headless Chromium or Graphviz''s dot is not on PATH'; return }
        $png = Join-Path $browsed 'index.png'
        Save-Screenshot -Url ([Uri]::new((Join-Path $browsed 'index.html')).AbsoluteUri) -Png $png -Width 1200 -Height 3000
        # Top to bottom: the heading and list, then the first steps' pictures; every band of the page has ink.
        $bands = [GraphTests.Png]::InkPerCell($png, 1, 6)
        $bands | ForEach-Object { $_ | Should -BeGreaterThan 150 }
    }

    It 'draws every step''s picture, none of them empty' {
        if (-not $chromium -or -not $dot) { Set-ItResult -Skipped -Because 'headless Chromium or Graphviz''s dot is not on PATH'; return }
        # One page beside the pictures with each step's SVG in a cell of its own, and one cell left empty as the control.
        $columns = 2
        $rows = [int][Math]::Ceiling(($drawn.Count + 1) / $columns)
        $cells = for ($i = 0; $i -lt $drawn.Count; $i++) {
            '<img src="{0}" style="position:absolute;left:{1}px;top:{2}px;width:780px;height:280px;object-fit:contain">' -f $drawn[$i].Picture.Name, (($i % $columns) * 800 + 10), ([Math]::Floor($i / $columns) * 300 + 10)
        }
        $grid = Join-Path $browsed 'grid.html'
        Set-Content -LiteralPath $grid -Value "<!DOCTYPE html><html><body style=`"margin:0;background:white`">$($cells -join '')</body></html>"
        $png = Join-Path $browsed 'grid.png'
        Save-Screenshot -Url ([Uri]::new($grid).AbsoluteUri) -Png $png -Width ($columns * 800) -Height ($rows * 300)
        $ink = [GraphTests.Png]::InkPerCell($png, $columns, $rows)
        for ($i = 0; $i -lt $drawn.Count; $i++) { $ink[$i] | Should -BeGreaterThan 150 -Because "$($drawn[$i].Step) should be drawn" }
        $ink[$drawn.Count] | Should -Be 0 -Because 'the empty cell has nothing in it'
    }
}

Describe 'Every step''s Mermaid in the real Mermaid (headless Chromium)' {
    BeforeAll {
        $chromium = @('chromium', 'chromium-browser', 'google-chrome') | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction Ignore } | Select-Object -First 1
        $rendered = Join-Path (Get-PSDrive TestDrive).Root 'graph-mermaid'
        $null = New-Item -ItemType Directory -Path $rendered -Force
        # Mermaid's own words for a flowchart it could not parse (its error diagram).
        $syntaxError = 'Syntax error'
        # Mermaid's entity codes (MermaidRenderer.Escape) back to the text a label shows.
        function ConvertFrom-MermaidText([string] $Text) {
            $Text -replace '#quot;', '"' -replace '#lt;', '<' -replace '#gt;', '>' -replace '#124;', '|' -replace '#35;', '#' -replace '#amp;', '&'
        }
        # The text of an HTML fragment as the browser shows it: tags dropped, <br> as a line break, entities decoded.
        function ConvertFrom-HtmlText([string] $Html) {
            [System.Net.WebUtility]::HtmlDecode(($Html -replace '<br\s*/?>', "`n" -replace '<[^>]+>', ''))
        }
    }

    It 'the pages that fall back to Mermaid load the version this test renders with' {
        $version = (Get-Content -Raw -LiteralPath (Join-Path (Split-Path (Split-Path $Mermaid)) 'package.json') | ConvertFrom-Json).version
        $version | Should -Match '^\d+\.\d+\.\d+$'
        $cdn = "https://cdn.jsdelivr.net/npm/mermaid@$version/dist/mermaid.esm.min.mjs"
        $page = Join-Path $rendered 'fallback.html'
        $null = Get-LabState 25-mirror | ConvertTo-MeshGraph -OutFile $page -DotPath (Join-Path $rendered 'no-such-dot') -WarningAction SilentlyContinue
        Get-Content -Raw $page | Should -Match ([regex]::Escape("import mermaid from '$cdn'"))
        # The lab script's index page, drawn without Graphviz (dot hidden from PATH).
        $indexed = Join-Path $rendered 'lab'
        $path = $env:PATH
        try {
            $env:PATH = ($path -split [IO.Path]::PathSeparator | Where-Object { -not (Test-Path -LiteralPath (Join-Path $_ 'dot')) -and -not (Test-Path -LiteralPath (Join-Path $_ 'dot.exe')) }) -join [IO.Path]::PathSeparator
            $null = & $labScript -OutputPath $indexed -Graph -WarningAction SilentlyContinue
        } finally {
            $env:PATH = $path
        }
        Test-Path -LiteralPath (Join-Path $indexed '20-split-20-80.mmd') | Should -BeTrue
        Get-Content -Raw (Join-Path $indexed 'index.html') | Should -Match ([regex]::Escape("import mermaid from '$cdn'"))
    }

    It 'parses and renders every step''s flowchart with Mermaid from out/tools, each node and edge as drawn' {
        if (-not $chromium) { Set-ItResult -Skipped -Because 'headless Chromium is not on PATH (the build installs it from Debian''s packages where apt-get can)'; return }
        $Mermaid | Should -Not -BeNullOrEmpty -Because 'the Test task installs the pinned Mermaid into out/tools'
        Test-Path -LiteralPath $Mermaid | Should -BeTrue -Because "the Test task installs the pinned Mermaid at $Mermaid"
        $graphs = [ordered]@{}
        $edgeLabels = @{}
        foreach ($step in $meshSteps) {
            $state = @(Get-LabState $step)
            $graphs[$step] = @{ Graph = $state | ConvertTo-MeshGraph -Step $step; Text = $state | ConvertTo-MeshGraph -Step $step -Format Mermaid }
        }
        # One page: every step's flowchart, then a control Mermaid cannot parse. Mermaid is loaded from the local file, and
        # renders each diagram with its ids numbered (a frozen clock under --virtual-time-budget would repeat them).
        $diagrams = foreach ($step in $graphs.Keys) {
            "<pre class=`"mermaid`" id=`"step-$step`">`n$([System.Net.WebUtility]::HtmlEncode($graphs[$step].Text))</pre>"
        }
        $diagrams += "<pre class=`"mermaid`" id=`"control`">`nflowchart LR`n  a[[`"unclosed</pre>"
        $page = Join-Path $rendered 'mermaid.html'
        Set-Content -LiteralPath $page -Encoding utf8NoBOM -Value @"
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><script src="$([Uri]::new((Resolve-Path -LiteralPath $Mermaid).Path).AbsoluteUri)"></script></head>
<body>
$($diagrams -join "`n")
<script>
const failures = [];
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', deterministicIds: true });
mermaid.parseError = (error) => failures.push(String(error && error.message || error));
mermaid.run({ querySelector: 'pre.mermaid', suppressErrors: true })
  .catch((error) => failures.push(String(error && error.message || error)))
  .finally(() => { const done = document.createElement('pre'); done.id = 'mermaid-done'; done.textContent = JSON.stringify(failures); document.body.appendChild(done); });
</script>
</body></html>
"@
        $dom = (& $chromium.Source --headless=new --no-sandbox --disable-gpu --virtual-time-budget=60000 --dump-dom ([Uri]::new($page).AbsoluteUri) 2>$null) -join "`n"
        $dom | Should -Match '<pre id="mermaid-done">' -Because 'Mermaid should have finished rendering the page'
        $pres = @{}
        foreach ($match in [regex]::Matches($dom, '(?s)<pre class="mermaid" id="([^"]+)"[^>]*>(.*?)</pre>')) { $pres[$match.Groups[1].Value] = $match.Groups[2].Value }

        # The control shows Mermaid's error diagram: what this test looks for does appear when a flowchart does not parse.
        [System.Net.WebUtility]::HtmlDecode(($dom -split '<pre id="mermaid-done">')[1]) | Should -Match 'Parse error'
        $pres['control'] | Should -Match '<svg'
        $pres['control'] | Should -Match $syntaxError

        foreach ($step in $graphs.Keys) {
            $svg = $pres["step-$step"]
            $svg | Should -Match '^\s*<svg' -Because "$step should have become an SVG"
            $svg | Should -Not -Match $syntaxError -Because "$step should parse"
            $graph = $graphs[$step].Graph
            # Every node, by its id (n0, n1, ... in the graph's order), with its lines.
            $ids = @{}
            for ($i = 0; $i -lt $graph.Nodes.Count; $i++) { $ids[$graph.Nodes[$i].Id] = "n$i" }
            $nodes = @{}
            foreach ($match in [regex]::Matches($svg, '(?s)<g class="node [^"]*" id="[^"]*flowchart-(n\d+)-\d+".*?<span class="nodeLabel"[^>]*>(.*?)</span>')) {
                $nodes[$match.Groups[1].Value] = ConvertFrom-HtmlText $match.Groups[2].Value
            }
            @($nodes.Keys | Sort-Object) | Should -Be @($ids.Values | Sort-Object) -Because "$step should draw every node"
            foreach ($node in $graph.Nodes) {
                $nodes[$ids[$node.Id]] | Should -BeLike "$([WildcardPattern]::Escape($node.Label))*" -Because "$step draws $($node.Id)"
            }
            # Every edge between the right nodes, in its line (==> thick, --> plain, -.-> and -.-x dotted), with its label as written.
            $lines = @{ '==>' = 'thick solid'; '-->' = 'normal solid'; '-.->' = 'normal dotted'; '-.-x' = 'normal dotted' }
            $written = @([regex]::Matches($graphs[$step].Text, '(?m)^  (n\d+) (==>|-->|-\.->|-\.-x)(?:\|"(.*?)"\|)? (n\d+)$'))
            $drawnEdges = @($graph.Edges | Where-Object { $ids.ContainsKey($_.From) -and $ids.ContainsKey($_.To) })
            $written.Count | Should -Be $drawnEdges.Count -Because "$step's Mermaid should hold every edge between drawn nodes"
            $expectedEdges = foreach ($match in $written) { "$($match.Groups[1].Value)->$($match.Groups[4].Value) $($lines[$match.Groups[2].Value])" }
            $edges = foreach ($match in [regex]::Matches($svg, '<path [^>]*class="([^"]*flowchart-link[^"]*)"[^>]*data-id="L_(n\d+)_(n\d+)_\d+"')) {
                $thickness = if ($match.Groups[1].Value -match 'edge-thickness-thick') { 'thick' } else { 'normal' }
                $pattern = if ($match.Groups[1].Value -match 'edge-pattern-dotted') { 'dotted' } else { 'solid' }
                "$($match.Groups[2].Value)->$($match.Groups[3].Value) $thickness $pattern"
            }
            @($edges | Sort-Object) | Should -Be @($expectedEdges | Sort-Object) -Because "$step should draw every edge"
            $expected = foreach ($match in $written | Where-Object { $_.Groups[3].Success }) {
                "$($match.Groups[1].Value)->$($match.Groups[4].Value): $(ConvertFrom-MermaidText $match.Groups[3].Value)"
            }
            $labels = foreach ($match in [regex]::Matches($svg, '(?s)<g class="label" data-id="L_(n\d+)_(n\d+)_\d+".*?<span [^>]*class="edgeLabel"[^>]*>(.*?)</span>')) {
                "$($match.Groups[1].Value)->$($match.Groups[2].Value): $(ConvertFrom-HtmlText $match.Groups[3].Value)"
            }
            @($labels | Sort-Object) | Should -Be @($expected | Sort-Object) -Because "$step should label every edge as written"
            $edgeLabels[$step] = @{ Ids = $ids; Labels = @($labels) }
        }
        # The 20/80 step, as a reader sees it: the gateway's two routes, 20% to ui v1 and 80% to ui v2.
        $split = $edgeLabels['20-split-20-80']
        foreach ($route in @{ To = 'ui v1'; Label = '20%' }, @{ To = 'ui v2'; Label = '80%' }) {
            $edge = @($graphs['20-split-20-80'].Graph.EdgesBetween('istio-ingressgateway', $route.To))[0]
            $split.Labels | Should -Contain "$($split.Ids[$edge.From])->$($split.Ids[$edge.To]): $($route.Label)"
        }
    }
}
