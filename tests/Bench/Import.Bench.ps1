#Requires -Version 7.6
<#
.SYNOPSIS
    Whole-process timings of a fresh pwsh: bare, importing the module, and importing it plus a first cmdlet with YAML
    out ('New-MeshGateway -Name x | ConvertTo-LabYaml'). The three run in turn, RUNS times (after one untimed round);
    the medians of wall time and of the process's CPU time (user + system, which other work on the machine disturbs
    less) are printed with their ratios to bare pwsh. With -FloorManifest, a fourth case imports the smallest binary
    module (tests/FloorModule: two cmdlets, no format data, no dependencies) and runs its two cmdlets in a pipeline the
    same way: what pwsh itself costs for any binary module, the floor under GuestbookLab's figure.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [string] $FloorManifest,
    [int] $Runs = 9
)

$ErrorActionPreference = 'Stop'
# The same pwsh as this one: the dotnet tool (dotnet pwsh.dll) or an installed pwsh.
$exe = [Environment]::ProcessPath
[string[]] $prefix = @()
if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
# Each case ends by printing the process's CPU time so far, in ms (the bare case does only that).
$cpu = '[Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalMilliseconds'
$cases = [ordered]@{
    'bare pwsh -NoProfile' = $cpu
    'Import-Module GuestbookLab' = "Import-Module '$ModuleManifest' -ErrorAction Stop; $cpu"
    'Import-Module + New-MeshGateway -Name x | ConvertTo-LabYaml' = "Import-Module '$ModuleManifest' -ErrorAction Stop; `$null = New-MeshGateway -Name x | ConvertTo-LabYaml; $cpu"
}
if ($FloorManifest) {
    $cases['floor: the smallest binary module, Import-Module + New-FloorThing -Name x | ConvertTo-FloorText'] = "Import-Module '$FloorManifest' -ErrorAction Stop; `$null = New-FloorThing -Name x | ConvertTo-FloorText; $cpu"
}
$wall = @{}; $used = @{}
foreach ($name in $cases.Keys) { $wall[$name] = [System.Collections.Generic.List[double]]::new(); $used[$name] = [System.Collections.Generic.List[double]]::new() }
foreach ($round in 0..$Runs) {
    foreach ($name in $cases.Keys) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $printed = & $exe @prefix -NoProfile -NonInteractive -Command $cases[$name]
        $clock.Stop()
        if ($LASTEXITCODE -ne 0) { throw "'$($cases[$name])' failed with exit code $LASTEXITCODE." }
        if ($round -gt 0) {
            $wall[$name].Add($clock.Elapsed.TotalSeconds)
            $used[$name].Add([double]::Parse(@($printed)[-1], [cultureinfo]::InvariantCulture) / 1000)
        }
    }
}

$median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][Math]::Floor($sorted.Count / 2)] }
$bare = $cases.Keys | Select-Object -First 1
$bareWall = & $median $wall[$bare]
$bareCpu = & $median $used[$bare]
foreach ($name in $cases.Keys) {
    $w = & $median $wall[$name]
    $c = & $median $used[$name]
    '{0}: {1:N3} s wall ({2:N2}x bare pwsh), {3:N3} s CPU ({4:N2}x bare pwsh); medians of {5} alternating runs' -f $name, $w, ($w / $bareWall), $c, ($c / $bareCpu), $Runs
}
if ($FloorManifest) {
    $name = 'Import-Module + New-MeshGateway -Name x | ConvertTo-LabYaml'
    $floorName = @($cases.Keys)[-1]
    $ours = & $median $wall[$name]; $oursCpu = & $median $used[$name]
    $floorWall = & $median $wall[$floorName]; $floorCpu = & $median $used[$floorName]
    'GuestbookLab above the floor: {0:N0} ms wall, {1:N0} ms CPU ({2:N2}x and {3:N2}x the floor); the floor is {4:N2}x bare pwsh wall, {5:N2}x CPU' -f (($ours - $floorWall) * 1000), (($oursCpu - $floorCpu) * 1000), ($ours / $floorWall), ($oursCpu / $floorCpu), ($floorWall / $bareWall), ($floorCpu / $bareCpu)
}
