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
function Start-StandIn([string] $Token) {
    $folder = Join-Path ([IO.Path]::GetTempPath()) "standin-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Path $folder
    $kubeconfig = Join-Path $folder 'kubeconfig'
    $out = Join-Path $folder 'out.txt'
    $standInArguments = @($StandIn, '--port', '0', '--kubeconfig', $kubeconfig) + $(if ($Token) { '--token', $Token })
    $process = Start-Process -FilePath dotnet -ArgumentList $standInArguments -PassThru -RedirectStandardOutput $out -WorkingDirectory $folder
    for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
    $url = (Select-String -Path $out -Pattern '^URL (\S+)').Matches[0].Groups[1].Value
    [pscustomobject]@{ Process = $process; Url = $url; KubeConfig = $kubeconfig; Folder = $folder }
}

# Starts the AWS stand-in (ECR and STS, SigV4 checked) on a free port; returns the process and URL.
function Start-AwsStandIn {
    $folder = Join-Path ([IO.Path]::GetTempPath()) "awsstandin-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Path $folder
    $out = Join-Path $folder 'out.txt'
    $process = Start-Process -FilePath dotnet -ArgumentList $AwsStandIn, '--port', '0' -PassThru -RedirectStandardOutput $out -WorkingDirectory $folder
    for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
    $url = (Select-String -Path $out -Pattern '^URL (\S+)').Matches[0].Groups[1].Value
    [pscustomobject]@{ Process = $process; Url = $url; Folder = $folder }
}

# The requests the AWS stand-in has received: service, operation, the access key that signed it, the error it answered.
function Get-AwsStandInRequest([string] $Url) {
    @(Invoke-RestMethod "$Url/_standin/requests")
}

# The stand-in's test keys: a long-term key, a session key (with its token in the environment), and an expired one.
function New-TestAwsCredential([string] $AccessKey = 'LABKEYGUESTBOOK0001', [string] $Secret = 'guestbooklab/Secret+Key/0001') {
    [pscredential]::new($AccessKey, (ConvertTo-SecureString $Secret -AsPlainText -Force))
}

# Starts s3rver (it knows the access key S3RVER, secret S3RVER; it does not check SigV4 signatures) on a free port.
function Start-S3rver {
    $folder = Join-Path ([IO.Path]::GetTempPath()) "s3rver-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Path $folder
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $out = Join-Path $folder 'out.txt'
    $process = Start-Process -FilePath node -ArgumentList $S3rver, '--directory', $folder, '--port', $port, '--address', '127.0.0.1' -PassThru -RedirectStandardOutput $out -RedirectStandardError (Join-Path $folder 'err.txt')
    for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern 'listening' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
    [pscustomobject]@{ Process = $process; Url = "http://127.0.0.1:$port"; Folder = $folder; Credential = (New-TestAwsCredential 'S3RVER' 'S3RVER') }
}

# Copies the fake kops into a folder of its own; returns its path, its call log and its script file.
function New-FakeKops {
    $folder = Join-Path (Get-PSDrive TestDrive).Root "kops-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Path $folder
    Copy-Item (Join-Path $FakeKops '*') $folder -Recurse
    $exe = Join-Path $folder ($IsWindows ? 'kops.exe' : 'kops')
    $log = Join-Path $folder 'calls.jsonl'
    $script = Join-Path $folder 'script.json'
    $env:FAKEKOPS_LOG = $log
    $env:FAKEKOPS_SCRIPT = $script
    [pscustomobject]@{ Path = $exe; Folder = $folder; Log = $log; Script = $script }
}

# The fake kops's recorded calls.
function Get-FakeKopsCall($Kops) {
    if (-not (Test-Path $Kops.Log)) { return @() }
    @(Get-Content $Kops.Log | ForEach-Object { $_ | ConvertFrom-Json })
}

# What the fake kops answers, by subcommand ('get cluster', 'create', 'update cluster', …).
function Set-FakeKopsScript($Kops, [hashtable] $Script) {
    $Script | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $Kops.Script
}
