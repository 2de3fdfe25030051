param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# GuestbookLab must work in a session where another module already loaded (or later loads) another version of
# YamlDotNet, as powershell-yaml does. Each case runs in a fresh pwsh.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $roundTrip = @'
$yaml = "apiVersion: networking.istio.io/v1beta1`nkind: DestinationRule`nmetadata:`n  name: ui`nspec:`n  host: ui`n  subsets:`n  - name: v1`n    labels:`n      version: '1.0'`n"
$dr = ConvertFrom-LabYaml $yaml | Add-MeshSubset -Name v2 -Labels @{ version = '2.0' }
"GBL:" + (($dr | ConvertTo-LabYaml) -replace "`n", '|')
# Text outside printable ASCII is read and written by GuestbookLab's YamlDotNet (the fast reader and writer decline it).
$word = "caf$([char]0xe9)"
$cm = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: c`ndata:`n  greeting: $word`n"
$text = $cm | ConvertTo-LabYaml
"NONASCII:" + $text.Contains("greeting: $word") + ":" + ((ConvertFrom-LabYaml $text | ConvertTo-LabYaml) -eq $text)
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
        $result.Output | Should -Contain 'NONASCII:True:True'
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
        @($result.Output | Where-Object { $_ -eq 'NONASCII:True:True' }).Count | Should -Be 2
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

# The same for AWSSDK.Core, which AWS.Tools loads: GuestbookLab's AWS cmdlets use their own 4.x beside another module's 3.7.
Describe 'Dependency isolation from AWS.Tools' {
    BeforeAll {
        # AWSSDK.Core 3.7.402 is restored by build.ps1 into the same NuGet folder as YamlDotNet 11.2.1.
        $packages = Split-Path (Split-Path (Split-Path (Split-Path (Split-Path $YamlDotNet11))))
        $awsCore37 = Join-Path $packages 'awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll'
        $aws = Start-AwsStandIn
        $identity = @"
`$credential = [pscredential]::new('LABKEYGUESTBOOK0001', (ConvertTo-SecureString 'guestbooklab/Secret+Key/0001' -AsPlainText -Force))
"ID:" + (Get-LabAwsIdentity -Region us-east-1 -Credential `$credential -EndpointUrl '$($aws.Url)').Account
"@
        $otherAws = @'
"OTHER:" + [Amazon.Runtime.BasicAWSCredentials]::new('other-key', 'other-secret').GetCredentials().AccessKey
'@
        $awsReport = @'
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object {
    "LOADED:" + $_.GetName().Version.Major + ":" + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
}
'@
    }
    AfterAll { $aws.Process | Stop-Process -ErrorAction Ignore }

    It 'works when AWS.Tools'' AWSSDK.Core was loaded <When>' -ForEach @(@{ When = 'first' }, @{ When = 'after' }) {
        $load = "Add-Type -Path '$awsCore37'`n$otherAws"
        $script = if ($When -eq 'first') { "$load`nImport-Module '$ModuleManifest'`n$identity" } else { "Import-Module '$ModuleManifest'`n$identity`n$load`n$identity" }
        $result = Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'`n$script`n$otherAws`n$awsReport"
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'ID:111122223333'
        $result.Output | Should -Contain 'OTHER:other-key'
        $result.Output | Should -Contain 'LOADED:3:Default'
        $result.Output | Should -Contain 'LOADED:4:GuestbookLab.Engine'
    }
}
