param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# GuestbookLab must work in a session where another module already loaded (or later loads) another version of
# YamlDotNet, as powershell-yaml does. Each case runs in a fresh pwsh.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $roundTrip = @'
$yaml = "apiVersion: networking.istio.io/v1beta1`nkind: DestinationRule`nmetadata:`n  name: ui`nspec:`n  host: ui`n  subsets:`n  - name: v1`n    labels:`n      version: '1.0'`n"
$dr = ConvertFrom-LabYaml $yaml | Add-MeshSubset -Name v2 -Labels @{ version = '2.0' }
"GBL:" + (($dr | ConvertTo-LabYaml) -replace "`n", '|')
'@
    $otherYaml = @'
$other = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build()
$value = $other.Deserialize[System.Collections.Generic.Dictionary[string, object]]("a: 1")
"OTHER:" + $value['a']
'@
    $report = @'
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } | ForEach-Object {
    "LOADED:" + $_.GetName().Version + ":" + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
}
'@
    $expected = 'GBL:apiVersion: networking.istio.io/v1beta1|kind: DestinationRule|metadata:|  name: ui|spec:|  host: ui|  subsets:|  - labels:|      version: "1.0"|    name: v1|  - labels:|      version: "2.0"|    name: v2|'
}

Describe 'Dependency isolation' {
    It 'works when another YamlDotNet was loaded first' {
        $result = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$YamlDotNet11'
$otherYaml
Import-Module '$ModuleManifest'
$roundTrip
$otherYaml
$report
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain $expected
        @($result.Output | Where-Object { $_ -eq 'OTHER:1' }).Count | Should -Be 2
        $result.Output | Should -Contain 'LOADED:11.0.0.0:Default'
        $result.Output | Should -Contain 'LOADED:18.0.0.0:GuestbookLab.Engine'
    }

    It 'works when another YamlDotNet is loaded after GuestbookLab used its own' {
        $result = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
$roundTrip
Add-Type -Path '$YamlDotNet11'
$otherYaml
$roundTrip
$report
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        @($result.Output | Where-Object { $_ -eq $expected }).Count | Should -Be 2
        $result.Output | Should -Contain 'OTHER:1'
        $result.Output | Should -Contain 'LOADED:11.0.0.0:Default'
        $result.Output | Should -Contain 'LOADED:18.0.0.0:GuestbookLab.Engine'
    }

    It 'passes the same pipeline types between cmdlets and the engine' {
        $result = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
`$vs = ConvertFrom-LabYaml "apiVersion: networking.istio.io/v1beta1`nkind: VirtualService`nmetadata: {name: r}`nspec: {hosts: [r]}"
"TYPE:" + (`$vs -is [GuestbookLab.Model.VirtualService])
"CONTEXT:" + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$vs.GetType().Assembly).Name
"@
        $result.Output | Should -Contain 'TYPE:True'
        $result.Output | Should -Contain 'CONTEXT:Default'
    }
}
