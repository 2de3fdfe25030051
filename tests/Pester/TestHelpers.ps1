# Dot-sourced by every Pester file: small helpers shared by the suites.

function Invoke-SchemaCheck {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    $output = & dotnet $SchemaCheck @Arguments 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
}

# Runs a command in a fresh pwsh (the same PowerShell as this one) and returns its output and exit code.
function Invoke-ChildPwsh {
    param([Parameter(Mandatory)] [string] $Command)
    $process = [Environment]::ProcessPath
    [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    $output = & $process @prefix -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" -replace '\x1b\[[0-9;?]*[A-Za-z]', '' }) }
}

# The ErrorRecord a script block throws (terminating) or writes (non-terminating), or $null.
function Get-LabError {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $ErrorActionPreference = 'Stop'
    try {
        $null = & $ScriptBlock
    } catch {
        return $_
    }
    $null
}

# Asserts a GuestbookLab validation error: its ErrorId, category InvalidArgument, and a message naming the field
# (or parameter) and, when given, the value.
function Should-BeLabError {
    param($ErrorRecord, [string] $ErrorId, [string] $Field, [string] $Value)
    $ErrorRecord | Should -Not -BeNullOrEmpty -Because 'an error was expected'
    $ErrorRecord.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
    $ErrorRecord.CategoryInfo.Category | Should -Be 'InvalidArgument'
    $ErrorRecord.Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($Field))*"
    if ($Value) { $ErrorRecord.Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($Value))*" }
}

# Starts the API stand-in on a free port with its own kubeconfig; returns the process, URL and kubeconfig path.
function Start-StandIn {
    $folder = Join-Path ([IO.Path]::GetTempPath()) "standin-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Path $folder
    $kubeconfig = Join-Path $folder 'kubeconfig'
    $out = Join-Path $folder 'out.txt'
    $process = Start-Process -FilePath dotnet -ArgumentList $StandIn, '--port', '0', '--kubeconfig', $kubeconfig -PassThru -RedirectStandardOutput $out -WorkingDirectory $folder
    for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
    $url = (Select-String -Path $out -Pattern '^URL (\S+)').Matches[0].Groups[1].Value
    [pscustomobject]@{ Process = $process; Url = $url; KubeConfig = $kubeconfig; Folder = $folder }
}
