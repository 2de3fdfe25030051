param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
}

Describe 'Invoke-LabCommand against the stand-in''s exec, with real kubectl 1.35 exec as the oracle' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        function kubectl { $output = & $Kubectl --kubeconfig $standIn.KubeConfig @args 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = @($output | ForEach-Object { "$_" }) } }
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: curl, labels: {app: curl}}`nspec: {containers: [{name: curl, image: curlimages/curl}, {name: istio-proxy, image: proxyv2:1.17.8}]}" | Publish-LabResource
        $scripts = @(
            @{ pod = 'curl'; command = @('sh', '-c', 'exit 3'); stdout = "out 1`nout 2`n"; stderr = "err 1`n"; exitCode = 3 }
            @{ pod = 'curl'; command = @('cat'); stdin = 'echo' }
            @{ pod = 'curl'; container = 'curl'; commandPrefix = @('echo'); stdout = "hello`nworld`n" }
            @{ pod = 'curl'; container = 'istio-proxy'; commandPrefix = @('echo'); stdout = "from the sidecar`n" }
            @{ pod = 'curl'; command = @('sleep', 'infinity'); hang = $true }
        )
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/exec" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject $scripts -Depth 5)
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'returns the output lines kubectl prints, in the container kubectl defaults to' {
        $fromKubectl = kubectl exec curl '--' echo hello
        $fromKubectl.ExitCode | Should -Be 0
        $verbose = Invoke-LabCommand curl -Command echo, hello -Verbose 4>&1
        $lines = @($verbose | Where-Object { $_ -is [string] })
        $lines | Should -Be @('hello', 'world')
        $lines | Should -Be @($fromKubectl.Lines | Where-Object { $_ -notlike 'Defaulted container*' })
        ($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message | Should -Contain 'Defaulted container "curl" out of: curl, istio-proxy'
        Invoke-LabCommand curl -Container istio-proxy -Command echo, x | Should -Be 'from the sidecar'
        (kubectl exec curl -c istio-proxy '--' echo x).Lines | Should -Be 'from the sidecar'
    }

    It 'reports a non-zero exit as kubectl exits with it: a non-terminating CommandFailed with the exit code' {
        $fromKubectl = kubectl exec curl -c curl '--' sh -c 'exit 3'
        $fromKubectl.ExitCode | Should -Be 3
        $fromKubectl.Lines | Should -Contain 'command terminated with exit code 3'
        $output = Invoke-LabCommand curl -Container curl -Command sh, -c, 'exit 3' -ErrorVariable problems -ErrorAction SilentlyContinue
        $output | Should -Be @('out 1', 'out 2')
        $LASTEXITCODE | Should -Be $fromKubectl.ExitCode
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'CommandFailed,*'
        $problems[0].Exception.ExitCode | Should -Be 3
        $problems[0].Exception.Message | Should -BeLike 'command terminated with exit code 3*err 1*'
        $problems[0].TargetObject.ExitCode | Should -Be 3
        $result = Invoke-LabCommand curl -Container curl -Command sh, -c, 'exit 3' -AsResult
        $result.ExitCode | Should -Be 3
        $result.Output | Should -Be @('out 1', 'out 2')
        $result.ErrorOutput | Should -Be @('err 1')
    }

    It 'sends -Stdin and closes it, as kubectl exec -i does' {
        $fromKubectl = "a`nb" | & $Kubectl --kubeconfig $standIn.KubeConfig exec -i curl -c curl -- cat
        Invoke-LabCommand curl -Container curl -Command cat -Stdin a, b | Should -Be @($fromKubectl)
        $calls = Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls"
        $calls[-1].stdin | Should -Be "a`nb`n"
        $calls[-1].protocol | Should -Be 'v5.channel.k8s.io'
    }

    It 'says ExecFailed for a program the container lacks, and names missing pods and containers' {
        $fromKubectl = kubectl exec curl -c curl '--' nothere
        $fromKubectl.ExitCode | Should -Be 1
        $err = Get-LabError { Invoke-LabCommand curl -Container curl -Command nothere }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExecFailed,*'
        $err.Exception.Message | Should -Be ($fromKubectl.Lines -join "`n")
        (Get-LabError { Invoke-LabCommand gone -Command ls }).FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
        (Get-LabError { Invoke-LabCommand curl -Container nope -Command ls }).FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound,*'
    }

    It 'takes pods from Get-LabPod' {
        Get-LabPod -Selector app=curl | Invoke-LabCommand -Container curl -Command echo | Should -Be @('hello', 'world')
    }

    It 'stops a running command on Ctrl+C' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$((Get-Module GuestbookLab).Path)'; Invoke-LabCommand curl -Container curl -Command sleep, infinity -Connection (Connect-LabCluster -KubeConfig '$($standIn.KubeConfig)')")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (@((Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls") | Where-Object { $_.command[0] -eq 'sleep' }).Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.IsCompleted | Should -BeTrue
        } finally { $ps.Dispose() }
    }

    It 'is ExecNotAvailable on a manifest folder' {
        $folder = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root 'cluster')
        (Get-LabError { Invoke-LabCommand curl -Command ls -Connection $folder }).FullyQualifiedErrorId | Should -BeLike 'ExecNotAvailable,*'
    }
}
