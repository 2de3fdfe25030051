param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeDiscovery {
    # Every kind in the Istio 1.17.8 CRDs, each version served.
    $kinds = foreach ($file in Get-ChildItem (Join-Path $DataFolder 'crds') -Filter *.yaml) {
        $text = Get-Content -Raw $file.FullName
        $group = [regex]::Match($text, '(?m)^  group: (\S+)').Groups[1].Value
        $kind = [regex]::Match($text, '(?m)^    kind: (\S+)').Groups[1].Value
        foreach ($m in [regex]::Matches($text, '(?m)^    name: (v\d\w*)$')) { @{ ApiVersion = "$group/$($m.Groups[1].Value)"; Kind = $kind } }
    }
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $crds = Join-Path $DataFolder 'crds'
}

Describe 'ConvertTo-LabYaml' {
    It 'writes one multi-document string in kubectl field order' {
        $yaml = @(New-MeshGateway -Name gw1; New-MeshDestinationRule dr dr) | ConvertTo-LabYaml
        $yaml | Should -BeOfType string
        ($yaml -split "`n---`n").Count | Should -Be 2
        $yaml | Should -Match '^apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: gw1\nspec:\n'
    }

    It 'quotes strings that would read as numbers' {
        New-MeshDestinationRule ui ui | Add-MeshSubset v1 @{ version = '1.0' } | ConvertTo-LabYaml | Should -Match 'version: "1.0"'
    }

    It 'takes -InputObject as well as the pipeline' {
        ConvertTo-LabYaml -InputObject (New-MeshDestinationRule a a), (New-MeshDestinationRule b b) | Should -Match 'name: b'
    }
}

Describe 'ConvertFrom-LabYaml' {
    BeforeAll {
        $text = @'
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: ui
spec:
  host: ui
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kp-config
data:
  secret: ecr-secret
'@
        Set-Content -Path TestDrive:/two.yaml -Value $text
        Set-Content -Path TestDrive:/bad.yaml -Value "apiVersion: v1`nkind: [oops"
    }

    It 'reads typed and generic objects from text' {
        $objects = ConvertFrom-LabYaml $text
        $objects.Count | Should -Be 2
        $objects[0] | Should -BeOfType GuestbookLab.Model.DestinationRule
        $objects[1] | Should -BeOfType GuestbookLab.Model.GenericResource
        $objects[1].Kind | Should -Be 'ConfigMap'
        $objects[1].AdditionalFields['data']['secret'] | Should -Be 'ecr-secret'
    }

    It 'joins lines piped from Get-Content' {
        (Get-Content TestDrive:/two.yaml | ConvertFrom-LabYaml).Count | Should -Be 2
    }

    It 'reads files by -Path with wildcards and by -LiteralPath' {
        (ConvertFrom-LabYaml -Path TestDrive:/t*.yaml).Count | Should -Be 2
        (ConvertFrom-LabYaml -LiteralPath (Join-Path (Get-PSDrive TestDrive).Root 'two.yaml')).Count | Should -Be 2
        (Get-Item TestDrive:/two.yaml | ConvertFrom-LabYaml).Count | Should -Be 2
    }

    It 'reports bad YAML in a file and goes on with the next one' {
        $objects = ConvertFrom-LabYaml -Path TestDrive:/bad.yaml, TestDrive:/two.yaml -ErrorVariable problems -ErrorAction SilentlyContinue
        $objects.Count | Should -Be 2
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidManifest,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].Exception.Message | Should -BeLike '*bad.yaml*'
    }

    It 'names the field whose value does not fit' {
        $err = Get-LabError { ConvertFrom-LabYaml "apiVersion: networking.istio.io/v1beta1`nkind: VirtualService`nmetadata: {name: x}`nspec:`n  http:`n  - route:`n    - weight: '20'" }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidManifest,*'
        $err.Exception.Message | Should -BeLike '*spec.http`[0`].route`[0`].weight: expected an integer*'
    }

    It 'reports a missing file without stopping' {
        $null = ConvertFrom-LabYaml -Path TestDrive:/none.yaml -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ManifestNotFound,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Round trip of every field of <Kind> <ApiVersion>' -ForEach $kinds {
    It 'keeps every schema field and every unknown field' {
        $full = (Invoke-SchemaCheck full, $crds, $ApiVersion, $Kind, '--unknown').Output -join "`n"
        Set-Content -Path TestDrive:/full.yaml -Value $full
        ConvertFrom-LabYaml $full | ConvertTo-LabYaml | Set-Content -Path TestDrive:/back.yaml -NoNewline
        $compare = Invoke-SchemaCheck compare, (Join-Path (Get-PSDrive TestDrive).Root 'full.yaml'), (Join-Path (Get-PSDrive TestDrive).Root 'back.yaml')
        $compare.Output | Should -Be @('EQUAL')
    }
}

Describe 'Export-LabManifest' {
    BeforeEach {
        $root = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
    }

    It 'writes one file for a .yaml path' {
        $file = Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 } | Export-LabManifest -Path (Join-Path $root 'split.yaml')
        $file | Should -BeOfType GuestbookLab.Model.ExportedManifest
        $file.Objects | Should -Be 2
        (ConvertFrom-LabYaml -Path $file.FullName).Count | Should -Be 2
    }

    It 'writes a step file' {
        $file = New-MeshGateway -Name gw | Export-LabManifest -Path $root -Step 01-gateway
        $file.Name | Should -Be '01-gateway.yaml'
    }

    It 'writes one file per object, under its namespace' {
        $files = @(New-MeshGateway -Name gw; New-MeshDestinationRule ui ui -Namespace shop) | Export-LabManifest -Path $root
        ($files.FullName | ForEach-Object { [IO.Path]::GetRelativePath($root, $_) }) | Should -Be @('gateway-gw.yaml', [IO.Path]::Combine('shop', 'destinationrule-ui.yaml'))
    }

    It 'writes nothing when any object is invalid, and names each problem' {
        $bad = New-MeshVirtualService -Name no-routes -Hosts r
        $files = @(New-MeshGateway -Name gw; $bad) | Export-LabManifest -Path $root -ErrorVariable problems -ErrorAction SilentlyContinue
        $files | Should -BeNullOrEmpty
        $root | Should -Not -Exist
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'MissingRoutes,*'
        $problems[0].Exception.Message | Should -BeLike 'VirtualService no-routes spec:*'
    }

    It 'writes invalid objects with -SkipValidation' {
        New-MeshVirtualService -Name draft -Hosts r | Export-LabManifest -Path $root -SkipValidation | Should -Exist
    }

    It 'writes nothing with -WhatIf' {
        New-MeshGateway -Name gw | Export-LabManifest -Path $root -WhatIf
        $root | Should -Not -Exist
    }

    It 'refuses two objects for the same file' {
        $err = Get-LabError { @(New-MeshGateway -Name gw; New-MeshGateway -Name gw) | Export-LabManifest -Path $root }
        $err.FullyQualifiedErrorId | Should -BeLike 'DuplicateResource,*'
        $root | Should -Not -Exist
    }

    It 'replaces a file whole on re-run' {
        $path = Join-Path $root 'x.yaml'
        Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 } | Export-LabManifest -Path $path
        New-MeshGateway -Name gw | Export-LabManifest -Path $path
        (ConvertFrom-LabYaml -Path $path).Kind | Should -Be 'Gateway'
        Get-ChildItem $root -Filter *.tmp | Should -BeNullOrEmpty
    }
}

Describe 'Test-MeshResource' {
    It 'returns nothing for valid objects' {
        New-MeshGateway -Name gw | Test-MeshResource | Should -BeNullOrEmpty
    }

    It 'returns each issue with its rule' {
        $issues = ConvertFrom-LabYaml "apiVersion: networking.istio.io/v1beta1`nkind: VirtualService`nmetadata: {name: x}`nspec:`n  hosts: ['*']`n  http:`n  - route:`n    - destination: {host: r}`n    fault: {abort: {httpStatus: 700}}" | Test-MeshResource
        $issues.ErrorId | Should -Contain 'InvalidHost'
        $issues.ErrorId | Should -Contain 'InvalidAbortStatus'
        ($issues | Where-Object ErrorId -EQ InvalidAbortStatus).Field | Should -Be 'spec.http[0].fault.abort.httpStatus'
        ($issues | Where-Object ErrorId -EQ InvalidAbortStatus).Rule | Should -Be 'validateHTTPFaultInjectionAbort'
    }

    It 'answers $true or $false with -Quiet' {
        New-MeshGateway -Name gw | Test-MeshResource -Quiet | Should -BeTrue
        New-MeshVirtualService -Name x -Hosts x | Test-MeshResource -Quiet | Should -BeFalse
    }
}
