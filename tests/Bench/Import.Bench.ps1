#Requires -Version 7.6
<#
.SYNOPSIS
    Whole-process timings of a fresh pwsh: bare ('exit'), importing the module, and importing it plus a first cmdlet
    with YAML out ('New-MeshGateway -Name x | ConvertTo-LabYaml'). The three run in turn, RUNS times (after one
    untimed round), and the medians and their ratios to bare pwsh are printed.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [int] $Runs = 9
)

$ErrorActionPreference = 'Stop'
# The same pwsh as this one: the dotnet tool (dotnet pwsh.dll) or an installed pwsh.
$exe = [Environment]::ProcessPath
[string[]] $prefix = @()
if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
$cases = [ordered]@{
    'bare pwsh -NoProfile -c exit' = 'exit'
    'Import-Module GuestbookLab' = "Import-Module '$ModuleManifest'"
    'Import-Module + New-MeshGateway -Name x | ConvertTo-LabYaml' = "Import-Module '$ModuleManifest'; `$null = New-MeshGateway -Name x | ConvertTo-LabYaml"
}
$times = @{}
foreach ($name in $cases.Keys) { $times[$name] = [System.Collections.Generic.List[double]]::new() }
foreach ($round in 0..$Runs) {
    foreach ($name in $cases.Keys) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        & $exe @prefix -NoProfile -NonInteractive -Command $cases[$name]
        $clock.Stop()
        if ($LASTEXITCODE -ne 0) { throw "'$($cases[$name])' failed with exit code $LASTEXITCODE." }
        if ($round -gt 0) { $times[$name].Add($clock.Elapsed.TotalSeconds) }
    }
}

$median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][Math]::Floor($sorted.Count / 2)] }
$bare = & $median $times['bare pwsh -NoProfile -c exit']
foreach ($name in $cases.Keys) {
    $m = & $median $times[$name]
    '{0}: {1:N3} s ({2:N2}x bare pwsh; median of {3} alternating runs)' -f $name, $m, ($m / $bare), $Runs
}
