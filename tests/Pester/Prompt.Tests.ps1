param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# What kubectl and istioctl users expect at the prompt (issue 17): each test is one thing a new user typed.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $repoRoot = Split-Path (Split-Path $DataFolder)
}

Describe 'The README''s stand-in steps' {
    It 'work when pasted, in order, from the repository''s folder' {
        $readme = Get-Content -Raw (Join-Path $repoRoot 'README.md')
        $shell = [regex]::Match($readme, '(?ms)^```sh\r?\n(dotnet run [^\r\n]*--project tests/StandIn[^\r\n]*)\r?\n```').Groups[1].Value
        $shell | Should -Not -BeNullOrEmpty
        $session = [regex]::Match($readme.Substring($readme.IndexOf($shell)), '(?ms)^```powershell\r?\n(.*?)^```').Groups[1].Value
        $session | Should -Match 'Connect-LabCluster -KubeConfig'
        $words = @(($shell -replace '#.*$', '').Trim() -split '\s+')
        $kubeconfig = Join-Path $repoRoot ($words[[array]::IndexOf($words, '--kubeconfig') + 1])
        Remove-Item $kubeconfig -ErrorAction Ignore
        $log = Join-Path (Get-PSDrive TestDrive).Root 'standin-readme.txt'
        # As typed in a terminal at the repository's root.
        $process = Start-Process -FilePath $words[0] -ArgumentList $words[1..($words.Count - 1)] -WorkingDirectory $repoRoot -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        try {
            for ($i = 0; $i -lt 1200 -and -not (Select-String -Path $log -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
            Select-String -Path $log -Pattern '^URL ' -Quiet | Should -BeTrue -Because "the stand-in started: $(Get-Content $log, "$log.err" -Raw -ErrorAction Ignore)"
            $kubeconfig | Should -Exist -Because 'a relative --kubeconfig is where the user ran the command'
            $result = Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'; Set-Location '$repoRoot'`n$session"
            $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
            $text = $result.Output -join "`n"
            $text | Should -Match 'guestbook-service'
            $text | Should -Match 'guestbook-ui-gateway'
        } finally {
            # dotnet run starts the stand-in as its child: end both.
            $process.Kill($true)
            $process.WaitForExit()
        }
    }
}
