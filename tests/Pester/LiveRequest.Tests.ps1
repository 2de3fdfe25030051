param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
}

Describe 'Start-LabClientPod and Stop-LabClientPod against the stand-in, the test playing kubelet (and webhook)' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        function kubectl { $output = & $Kubectl --kubeconfig $standIn.KubeConfig @args 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | Out-String) } }
        $null = Enable-MeshInjection | Publish-LabResource
        $kubectlPath, $config = $Kubectl, $standIn.KubeConfig
        # What the kubelet (and, in an injected namespace, the injection webhook) would do to the pod, step by step.
        $playKubelet = {
            param($KubectlPath, $Config, $Pod, $Namespace, [string[]] $Patches)
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ([DateTime]::UtcNow -lt $deadline) {
                & $KubectlPath --kubeconfig $Config get pod $Pod -n $Namespace -o name 2>$null | Out-Null
                if ($LASTEXITCODE -eq 0) { break }
                Start-Sleep -Milliseconds 100
            }
            foreach ($patch in $Patches) {
                Start-Sleep -Milliseconds 500
                $spec, $status = $patch -split '\|', 2
                if ($spec) { & $KubectlPath --kubeconfig $Config patch pod $Pod -n $Namespace --type=merge -p $spec | Out-Null }
                if ($status) { & $KubectlPath --kubeconfig $Config patch pod $Pod -n $Namespace --subresource=status --type=merge -p $status | Out-Null }
            }
        }
        $running1 = '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"curl","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'applies the codelab''s curl pod with the ownership label and waits until it runs, 1/1 outside the mesh' {
        $pending = '{"status":{"phase":"Pending","containerStatuses":[{"name":"curl","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}}'
        $job = Start-ThreadJob $playKubelet -ArgumentList $kubectlPath, $config, 'curl', 'noistio', @("|$pending", "|$running1")
        $seen = @()
        $pod = Start-LabClientPod curl -Namespace noistio -Timeout 30s -Verbose 4>&1 | ForEach-Object { if ($_ -is [Management.Automation.VerboseRecord]) { $seen += $_.Message } else { $_ } }
        $job | Wait-Job -Timeout 30 | Remove-Job
        $pod.Name, $pod.Namespace, $pod.Ready, $pod.Status | Should -Be @('curl', 'noistio', '1/1', 'Running')
        $seen | Should -Contain 'Waiting for pod "curl": ContainerCreating, 0/1 ready...'
        $seen[-1] | Should -Be 'pod "curl" is Running, 1/1 ready'
        $stored = (kubectl get pod curl -n noistio -o json).Text | ConvertFrom-Json
        $stored.metadata.labels.'app.kubernetes.io/managed-by' | Should -Be 'guestbooklab'
        $stored.metadata.labels.run | Should -Be 'curl'
        $stored.spec.containers[0].image | Should -Be 'curlimages/curl'
        $stored.spec.containers[0].command | Should -Be @('sleep', 'infinity')
    }

    It 'waits for 2/2 in an injected namespace once the sidecar is there, and pipes into Invoke-LabCommand' {
        $withSidecar = '{"spec":{"containers":[{"name":"curl","image":"curlimages/curl","command":["sleep","infinity"]},{"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.17.8"}]}}'
        $half = '{"status":{"phase":"Running","containerStatuses":[{"name":"curl","ready":true,"restartCount":0,"state":{"running":{}}},{"name":"istio-proxy","ready":false,"restartCount":0,"state":{"running":{}}}]}}'
        $full = '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"curl","ready":true,"restartCount":0,"state":{"running":{}}},{"name":"istio-proxy","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
        $job = Start-ThreadJob $playKubelet -ArgumentList $kubectlPath, $config, 'curl', 'default', @("$withSidecar|$half", "|$full")
        $seen = @()
        $pod = Start-LabClientPod curl -Timeout 30s -Verbose 4>&1 | ForEach-Object { if ($_ -is [Management.Automation.VerboseRecord]) { $seen += $_.Message } else { $_ } }
        $job | Wait-Job -Timeout 30 | Remove-Job
        $pod.Ready, $pod.SidecarInjected | Should -Be @('2/2', $true)
        $seen | Should -Contain 'Waiting for pod "curl": Running, 1/2 ready...'
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/exec" -ContentType 'application/json' -Body '{"pod":"curl","container":"curl","commandPrefix":["echo"],"stdout":"in curl\n"}'
        $pod | Invoke-LabCommand -Command echo | Should -Be 'in curl'
    }

    It 'warns when the namespace is injected but the pod came without a sidecar' {
        $running = $running1 -replace '"curl"', '"ubuntu"'
        $job = Start-ThreadJob $playKubelet -ArgumentList $kubectlPath, $config, 'ubuntu', 'default', @("|$running")
        $pod = Start-LabClientPod ubuntu -Timeout 30s -WarningVariable warned -WarningAction SilentlyContinue
        $job | Wait-Job -Timeout 30 | Remove-Job
        $pod.Ready | Should -Be '1/1'
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -BeLike '*istio-injection=enabled*no istio-proxy sidecar*'
        $stored = (kubectl get pod ubuntu -o json).Text | ConvertFrom-Json
        $stored.spec.containers[0].image | Should -Be 'ubuntu'
        $stored.spec.containers[0].command[-1] | Should -BeLike 'apt-get update && apt-get install -y curl*'
        $stored.spec.containers[0].readinessProbe.exec.command | Should -Be @('sh', '-c', 'command -v curl')
    }

    It 'says ClientPodFailed for a pod that ends, and WaitTimedOut with the last state for one that never runs' {
        $failed = '{"status":{"phase":"Failed","reason":"Evicted"}}'
        $job = Start-ThreadJob $playKubelet -ArgumentList $kubectlPath, $config, 'curl', 'failing', @("|$failed")
        $err = Get-LabError { Start-LabClientPod curl -Namespace failing -Timeout 30s }
        $job | Wait-Job -Timeout 30 | Remove-Job
        $err.FullyQualifiedErrorId | Should -BeLike 'ClientPodFailed,*'
        $err.Exception.Message | Should -BeLike '*failing/curl ended (Evicted)*'
        $err = Get-LabError { Start-LabClientPod curl -Namespace stuck -Timeout 2s }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -BeLike '*Waiting for pod "curl": Pending, 0/1 ready*'
    }

    It 'removes only pods the lab made; -WhatIf removes nothing' {
        Stop-LabClientPod curl -Namespace noistio -WhatIf
        (kubectl get pod curl -n noistio -o name).ExitCode | Should -Be 0
        Get-LabPod curl -Namespace noistio | Stop-LabClientPod -Confirm:$false
        (kubectl get pod curl -n noistio -o name).ExitCode | Should -Not -Be 0
        Stop-LabClientPod curl -Namespace noistio -Confirm:$false -Verbose 4>&1 | ForEach-Object Message | Should -Be 'Pod noistio/curl was not there.'
        $null = kubectl run foreign --image=curlimages/curl
        $err = Get-LabError { Stop-LabClientPod foreign -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'ClientPodNotOwned,*'
        (kubectl get pod foreign -o name).ExitCode | Should -Be 0
    }
}
