#Requires -Version 7.4
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
    [Parameter(Mandatory)] [string] $YamlDotNet11,
    [Parameter(Mandatory)] [string] $ResultFile,
    [string] $Filter
)

$ErrorActionPreference = 'Stop'
# Plain text output: no ANSI escapes in captured output or in the XML report.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $PesterPath -Force

$data = @{
    ModuleManifest = $ModuleManifest
    SchemaCheck    = $SchemaCheck
    StandIn        = $StandIn
    Kubectl        = $Kubectl
    YamlDotNet11   = $YamlDotNet11
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
