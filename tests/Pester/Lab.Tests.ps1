param($ModuleManifest, $SchemaCheck, $YamlDotNet11, $DataFolder)

BeforeDiscovery {
    $expected = Get-ChildItem (Join-Path $DataFolder 'codelab') -Filter *.yaml | ForEach-Object { @{ Step = $_.BaseName; Expected = $_.FullName } }
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
    $labOut = Join-Path (Get-PSDrive TestDrive).Root 'lab'
    $steps = & $labScript -OutputPath $labOut
    $crds = Join-Path $DataFolder 'crds'
}

Describe 'The lab script' {
    It 'runs every traffic step of the codelab' {
        $steps.Step | Should -Be @(Get-ChildItem (Join-Path $DataFolder 'codelab') -Filter *.yaml | ForEach-Object BaseName)
    }

    It 'writes one manifest per step and emits what it made' {
        foreach ($step in $steps) {
            $step.File | Should -Exist
            $step.Objects | Should -Not -BeNullOrEmpty
            $step.Title | Should -Not -BeNullOrEmpty
        }
    }

    It 'is re-runnable: a second run writes the same files' {
        $again = Join-Path (Get-PSDrive TestDrive).Root 'again'
        $null = & $labScript -OutputPath $again
        foreach ($step in $steps) {
            Get-Content -Raw (Join-Path $again (Split-Path $step.File -Leaf)) | Should -BeExactly (Get-Content -Raw $step.File)
        }
    }

    It 'writes manifests that validate against the Istio 1.17.8 CRDs (an independent validator)' {
        $result = Invoke-SchemaCheck (@('validate', $crds) + $steps.File)
        $result.Output | Where-Object { $_ -notmatch '^OK ' } | Should -BeNullOrEmpty
        $result.ExitCode | Should -Be 0
        @($result.Output).Count | Should -Be @($steps.Objects).Count
    }
}

Describe 'Step <Step>' -ForEach $expected {
    It 'reproduces the codelab''s YAML' {
        $actual = Join-Path $labOut "$Step.yaml"
        $result = Invoke-SchemaCheck compare, $Expected, $actual
        $result.Output | Should -Be @('EQUAL')
    }
}

Describe 'The independent validator' {
    It 'rejects what Istio''s schema rejects (so the checks above can fail)' {
        Set-Content TestDrive:/bad.yaml "apiVersion: networking.istio.io/v1beta1`nkind: VirtualService`nmetadata: {name: x}`nspec:`n  hosts: [r]`n  http:`n  - route:`n    - destination: {host: r}`n      weight: '20'`n    colour: blue"
        $result = Invoke-SchemaCheck validate, $crds, (Join-Path (Get-PSDrive TestDrive).Root 'bad.yaml')
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match '/spec/http/0/route/0/weight'
        $result.Output | Should -Match '/spec/http/0/colour'
    }

    It 'tells documents that differ apart' {
        Set-Content TestDrive:/a.yaml "a: 1`nb: [x]"
        Set-Content TestDrive:/b.yaml "a: 1.0`nb: [y]"
        $root = (Get-PSDrive TestDrive).Root
        (Invoke-SchemaCheck compare, (Join-Path $root 'a.yaml'), (Join-Path $root 'b.yaml')).Output | Should -Be @('DIFF [0].b[0]: expected "x", found "y"')
    }
}
