#Requires -Version 7.6
<#
.SYNOPSIS
    Runs GuestbookLab's Pester suite in this (fresh) pwsh against the built module, and writes the counts to a
    JSON file for build.ps1, which prints the closing 'Tests: N passed, M failed' line.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SchemaCheck,
    [Parameter(Mandatory)] [string] $StandIn,
    [Parameter(Mandatory)] [string] $Kubectl,
    [Parameter(Mandatory)] [string] $AwsStandIn,
    [Parameter(Mandatory)] [string] $FakeKops,
    [Parameter(Mandatory)] [string] $S3rver,
    [Parameter(Mandatory)] [string] $YamlDotNet11,
    # node_modules/mermaid/dist/mermaid.min.js of the pinned Mermaid (for Graph.Tests.ps1 only).
    [Parameter(Mandatory)] [string] $Mermaid,
    [Parameter(Mandatory)] [string] $ResultFile,
    [string] $Filter
)

$ErrorActionPreference = 'Stop'
# No test may reach AWS's instance metadata service, or read the user's AWS profiles and environment.
$env:AWS_EC2_METADATA_DISABLED = 'true'
foreach ($variable in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION') {
    Remove-Item "env:$variable" -ErrorAction Ignore
}
$env:AWS_SHARED_CREDENTIALS_FILE = Join-Path ([IO.Path]::GetTempPath()) "guestbooklab-no-aws-credentials-$PID"
$env:AWS_CONFIG_FILE = $env:AWS_SHARED_CREDENTIALS_FILE
# Plain text output: no ANSI escapes in captured output or in the XML report.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $PesterPath -Force

$data = @{
    ModuleManifest = $ModuleManifest
    SchemaCheck    = $SchemaCheck
    StandIn        = $StandIn
    Kubectl        = $Kubectl
    AwsStandIn     = $AwsStandIn
    FakeKops       = $FakeKops
    S3rver         = $S3rver
    YamlDotNet11   = $YamlDotNet11
    Mermaid        = $Mermaid
    DataFolder     = Join-Path $PSScriptRoot 'data'
}
$files = Get-ChildItem (Join-Path $PSScriptRoot 'Pester') -Filter *.Tests.ps1 |
    Where-Object { -not $Filter -or $_.Name -match $Filter }
$containers = @($files | ForEach-Object { New-PesterContainer -Path $_.FullName -Data $data })

# The codelab's own expectations, shipped with the module, against a fresh run of the lab script.
if (-not $Filter -or 'GuestbookLab.Lab.Tests.ps1' -match $Filter) {
    Import-Module $ModuleManifest -Force
    $moduleBase = (Get-Module GuestbookLab).ModuleBase
    $labPath = Join-Path (Split-Path $ResultFile) 'lab'
    $null = & (Join-Path $moduleBase 'Labs/GuestbookLab.Lab.ps1') -OutputPath $labPath -WarningAction SilentlyContinue
    $containers += New-PesterContainer -Path (Join-Path $moduleBase 'Labs/GuestbookLab.Lab.Tests.ps1') -Data @{ LabPath = $labPath }
}

$config = New-PesterConfiguration
$config.Run.Container = $containers
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultFile, '.xml')

# A run that Pester could not finish counts as a failure, never as a pass.
$counts = [ordered]@{ Passed = 0; Failed = 1; Skipped = 0 }
try {
    $result = Invoke-Pester -Configuration $config
    if ($null -ne $result) {
        $counts.Passed = [int] $result.PassedCount
        $counts.Failed = [int] ($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)
        $counts.Skipped = [int] $result.SkippedCount
    }
} catch {
    Write-Host "Pester could not complete the run: $_"
}
[pscustomobject] $counts | ConvertTo-Json | Set-Content -LiteralPath $ResultFile
