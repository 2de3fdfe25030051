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

Describe 'Invoke-LabRequest from pods: curl exec''d through the stand-in, whose scripted answers stand for curl''s' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: curl, labels: {run: curl}}`nspec: {containers: [{name: curl, image: curlimages/curl}, {name: istio-proxy, image: proxyv2:1.17.8}]}" | Publish-LabResource
        $null = ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui}`nspec: {replicas: 1, selector: {matchLabels: {app: ui, version: v1}}, template: {metadata: {labels: {app: ui, version: v1}}, spec: {containers: [{name: ui, image: ui:v1}]}}}" | Publish-LabResource
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: ui-7d4b9-x2x9q, labels: {app: ui, version: v1}}`nspec: {containers: [{name: ui, image: ui:v1}, {name: istio-proxy, image: proxyv2:1.17.8}]}" | Publish-LabResource
        $marker = '__GUESTBOOKLAB_CURL__'
        function Set-Curl([object[]] $Scripts) {
            $null = Invoke-RestMethod -Method Delete -Uri "$($standIn.Url)/_standin/exec"
            $all = foreach ($s in $Scripts) { $one = @{ pod = '*'; commandPrefix = @('curl') }; foreach ($k in $s.Keys) { $one[$k] = $s[$k] }; $one }
            $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/exec" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @($all) -Depth 5)
        }
        function New-CurlAnswer([int] $Status, [string] $Headers, [string] $Body, [string] $Seconds = '0.005') {
            "HTTP/1.1 $Status X`r`n$($Headers -replace '; ', "`r`n")`r`n`r`n$Body`n$marker$Status $Seconds`n"
        }
        function Get-ExecCall { Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls" | ForEach-Object { $_ } }
        $message = '{"greeting":"Hello test from message-service-6d9-aaaaa with 2.0","version":"2.0","hostname":"message-service-6d9-aaaaa"}'
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'runs curl in the pod''s app container and returns Test-MeshRequest''s type: Delivered, headers, time, the answering pod and version' {
        Set-Curl @(@{ stdout = (New-CurlAnswer 200 'content-type: application/json; server: envoy; x-envoy-upstream-service-time: 4' $message) })
        $r = Invoke-LabRequest -From default/curl -Uri http://message-service/hello/test -Header @{ 'user-agent' = 'Chrome' } -Token 'e.y.J'
        $r | Should -BeOfType ([GuestbookLab.Mesh.Simulation.RequestResult])
        $r.Live | Should -BeTrue
        $r.Outcome, $r.Status, $r.AnsweringPod, $r.AnsweringVersion | Should -Be @('Delivered', 200, 'message-service-6d9-aaaaa', '2.0')
        $r.ResponseHeaders['x-envoy-upstream-service-time'] | Should -Be '4'
        $r.Duration.TotalMilliseconds | Should -Be 5
        $r.Body | Should -Be $message
        $r.Source | Should -Be 'default/curl'
        $r.Explanation | Should -BeLike '*curl in default/curl (container curl): HTTP 200*application answered through Envoy*pod message-service-6d9-aaaaa, version 2.0*'
        $call = @(Get-ExecCall)[-1]
        $call.container | Should -Be 'curl'
        $call.command[0..3] | Should -Be @('curl', '-sS', '-D', '-')
        $call.command | Should -Contain 'user-agent: Chrome'
        $call.command | Should -Contain 'Authorization: Bearer e.y.J'
        $call.command[-1] | Should -Be 'http://message-service/hello/test'
    }

    It 'says ProxyResponse when Envoy answered by itself, with the flag its body names' {
        Set-Curl @(@{ stdout = (New-CurlAnswer 503 'content-length: 19; content-type: text/plain; server: envoy' 'no healthy upstream') })
        $r = Invoke-LabRequest -From default/curl -Uri http://message-service/hello/test
        $r.Outcome, $r.Status, $r.ResponseFlag, $r.Body | Should -Be @('ProxyResponse', 503, 'UH', 'no healthy upstream')
    }

    It 'maps curl''s exit code <code> to <outcome>' -ForEach @(
        @{ code = 6; outcome = 'HostNotResolved'; err = 'curl: (6) Could not resolve host: nosuch' }
        @{ code = 7; outcome = 'ConnectionRefused'; err = 'curl: (7) Failed to connect to redis port 80' }
        @{ code = 28; outcome = 'TimedOut'; err = 'curl: (28) Operation timed out after 2000 milliseconds' }
        @{ code = 35; outcome = 'TlsError'; err = 'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL' }
        @{ code = 52; outcome = 'ConnectionClosed'; err = 'curl: (52) Empty reply from server' }
        @{ code = 56; outcome = 'ConnectionReset'; err = 'curl: (56) Recv failure: Connection reset by peer' }
        @{ code = 60; outcome = 'TlsError'; err = 'curl: (60) SSL certificate problem' }
    ) {
        Set-Curl @(@{ stdout = "`n${marker}000 0.002`n"; stderr = "$err`n"; exitCode = $code })
        $r = Invoke-LabRequest -From default/curl -Uri http://message-service/hello/test
        "$($r.Outcome)" | Should -Be $outcome
        $r.Status | Should -BeNullOrEmpty
        $r.Explanation | Should -BeLike "*curl exit code $code*$([WildcardPattern]::Escape($err))*"
    }

    It 'groups -Count requests as Test-MeshRequest -Count does: the split by the versions that answered' {
        $v1 = $message -replace '2\.0', '1.0' -replace 'aaaaa', 'bbbbb'
        Set-Curl @(
            @{ stdout = (New-CurlAnswer 200 'server: envoy; x-envoy-upstream-service-time: 3' $v1); times = 1 }
            @{ stdout = "`n${marker}000 0.001`n"; stderr = "curl: (56) Recv failure: Connection reset by peer`n"; exitCode = 56; times = 1 }
            @{ stdout = (New-CurlAnswer 200 'server: envoy; x-envoy-upstream-service-time: 3' $message) }
        )
        $sample = Invoke-LabRequest -From default/curl -Uri http://message-service/hello/test -Count 10
        $sample | Should -BeOfType ([GuestbookLab.Mesh.Simulation.RequestSample])
        $sample.Count | Should -Be 10
        $sample.FractionTo('version 2.0') | Should -Be 0.8
        $sample.FractionTo('version 1.0') | Should -Be 0.1
        ($sample.Outcomes | Where-Object Outcome -EQ ConnectionReset).Count | Should -Be 1
        @(Get-ExecCall).Count | Should -Be 10
    }

    It 'sends from a ready pod of a workload, and says RequestFailed where there is no curl' {
        Set-Curl @(@{ pod = 'ui-7d4b9-x2x9q'; stdout = (New-CurlAnswer 200 'server: envoy; x-envoy-upstream-service-time: 3' $message) })
        $r = Invoke-LabRequest -From ui -Uri http://message-service/hello/test -Verbose 4>$null
        $r.Source | Should -Be 'default/ui-7d4b9-x2x9q'
        @(Get-ExecCall)[-1].container | Should -Be 'ui'
        Set-Curl @()
        $err = Get-LabError { Invoke-LabRequest -From ui -Uri http://message-service/hello/test }
        $err.FullyQualifiedErrorId | Should -BeLike 'RequestFailed,*'
        $err.Exception.Message | Should -BeLike '*cannot run curl*executable file not found*Start-LabClientPod curl*'
        (Get-LabError { Invoke-LabRequest -From default/nothere -Uri http://message-service/ }).FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
        (Get-LabError { Invoke-LabRequest -From default/curl -Uri tcp://redis:6379 }).FullyQualifiedErrorId | Should -BeLike 'InvalidUri,*'
    }
}

Describe 'A workload without curl: the request goes from the namespace''s curl client pod, and Compare-MeshRequest compares for that pod' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        function kubectl { $output = & $Kubectl --kubeconfig $standIn.KubeConfig @args 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | Out-String) } }
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: shop}" | Publish-LabResource
        $null = ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: cart, namespace: shop}`nspec: {replicas: 1, selector: {matchLabels: {app: cart}}, template: {metadata: {labels: {app: cart}}, spec: {containers: [{name: cart, image: cart:v1}]}}}" | Publish-LabResource
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: cart-5f6c8-q7w2e, namespace: shop, labels: {app: cart}}`nspec: {containers: [{name: cart, image: cart:v1}]}" | Publish-LabResource
        $marker = '__GUESTBOOKLAB_CURL__'
        $message = '{"greeting":"Hello test from message-service-6d9-aaaaa with 2.0","version":"2.0","hostname":"message-service-6d9-aaaaa"}'
        $answer = "HTTP/1.1 200 OK`r`nserver: envoy`r`nx-envoy-upstream-service-time: 3`r`n`r`n$message`n${marker}200 0.004`n"
        function Set-Exec([object[]] $Scripts) {
            $null = Invoke-RestMethod -Method Delete -Uri "$($standIn.Url)/_standin/exec"
            $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/exec" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @($Scripts) -Depth 5)
        }
        function Get-ExecCall { Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls" | ForEach-Object { $_ } }
        $kubectlPath, $config = $Kubectl, $standIn.KubeConfig
        # The kubelet, played by the test: the client pod the module applies is set Running once it is there.
        $playKubelet = {
            param($KubectlPath, $Config, $Pod, $Namespace, [string] $Status)
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ([DateTime]::UtcNow -lt $deadline) {
                & $KubectlPath --kubeconfig $Config get pod $Pod -n $Namespace -o name 2>$null | Out-Null
                if ($LASTEXITCODE -eq 0) { break }
                Start-Sleep -Milliseconds 100
            }
            Start-Sleep -Milliseconds 300
            & $KubectlPath --kubeconfig $Config patch pod $Pod -n $Namespace --subresource=status --type=merge -p $Status | Out-Null
        }
        $running = '{"status":{"phase":"Running","podIP":"10.0.0.9","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"curl","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'starts the curl client pod where the workload''s container has no curl (executable file not found), warns, and says which pod sent' {
        # Only the client pod answers curl: in cart's container the runtime finds no curl binary.
        Set-Exec @(@{ namespace = 'shop'; pod = 'curl'; container = 'curl'; commandPrefix = @('curl'); stdout = $answer })
        $job = Start-ThreadJob $playKubelet -ArgumentList $kubectlPath, $config, 'curl', 'shop', $running
        $r = Invoke-LabRequest -From shop/cart -Uri http://message-service/hello/test -WarningVariable warned -WarningAction SilentlyContinue
        $job | Wait-Job -Timeout 30 | Remove-Job
        $r.Source | Should -Be 'shop/curl'
        $r.Outcome, $r.Status, $r.AnsweringVersion | Should -Be @('Delivered', 200, '2.0')
        $r.Explanation | Should -BeLike '*curl in shop/curl (container curl), in place of shop/cart-5f6c8-q7w2e, which has no curl*'
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -BeLike '*shop/cart-5f6c8-q7w2e (container cart) has no curl*client pod shop/curl*source identity is shop/curl*authorization policies*'
        $calls = @(Get-ExecCall)
        $calls[0].pod, $calls[0].container | Should -Be @('cart-5f6c8-q7w2e', 'cart')
        $calls[-1].pod, $calls[-1].container | Should -Be @('curl', 'curl')
        $stored = (kubectl get pod curl -n shop -o json).Text | ConvertFrom-Json
        $stored.metadata.labels.'app.kubernetes.io/managed-by' | Should -Be 'guestbooklab'
        $stored.spec.containers[0].image | Should -Be 'curlimages/curl'
    }

    It 'reuses the client pod it left, for a shell''s exit code 127 too, and -Count sends every request from it' {
        Set-Exec @(
            @{ namespace = 'shop'; pod = 'cart-5f6c8-q7w2e'; commandPrefix = @('curl'); stderr = "sh: curl: not found`n"; exitCode = 127 }
            @{ namespace = 'shop'; pod = 'curl'; container = 'curl'; commandPrefix = @('curl'); stdout = $answer }
        )
        $seen = @()
        $sample = Invoke-LabRequest -From shop/cart -Uri http://message-service/hello/test -Count 3 -WarningAction SilentlyContinue -Verbose 4>&1 |
            ForEach-Object { if ($_ -is [Management.Automation.VerboseRecord]) { $seen += $_.Message } else { $_ } }
        $sample.Count | Should -Be 3
        $sample.Source | Should -Be 'shop/curl'
        $seen | Should -Contain 'Sending from the client pod shop/curl, which is there already.'
        $calls = @(Get-ExecCall)
        $calls.Count | Should -Be 4 -Because 'one try in cart, then three from the client pod'
        @($calls | Where-Object pod -EQ 'curl').Count | Should -Be 3
    }

    It 'keeps RequestFailed for a pod named directly (-From namespace/pod): no stand-in is sent from' {
        Set-Exec @()
        $err = Get-LabError { Invoke-LabRequest -From shop/cart-5f6c8-q7w2e -Uri http://message-service/hello/test }
        $err.FullyQualifiedErrorId | Should -BeLike 'RequestFailed,*'
        @(Get-ExecCall).Count | Should -Be 1
    }

    It 'Compare-MeshRequest compares with the prediction for the client pod that sent, not for the workload' {
        Set-Exec @(@{ namespace = 'shop'; pod = 'curl'; container = 'curl'; commandPrefix = @('curl'); stdout = $answer })
        $c = Compare-MeshRequest -From shop/cart -Uri http://message-service/hello/test -WarningAction SilentlyContinue -Verbose 4>$null
        $c.Observed.Source | Should -Be 'shop/curl'
        $c.Predicted.Source | Should -BeLike 'shop/curl*' -Because 'the model is asked about the pod that actually sent, not shop/cart'
        $c.Source | Should -Be 'shop/curl'
        @($c.Differences | ForEach-Object Aspect) | Should -Not -Contain 'Source'
    }
}

Describe 'Set-LabPodBehavior: the circuit-breaker demo''s /misbehave and /behave, curl''d from the client pod' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        function kubectl { $output = & $Kubectl --kubeconfig $standIn.KubeConfig @args 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | Out-String) } }
        $marker = '__GUESTBOOKLAB_CURL__'
        function New-Pod([string] $Name, [string] $Status) {
            $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: $Name, labels: {app: message-service, version: v1}}`nspec: {containers: [{name: message-service, image: message-service:v1}]}" | Publish-LabResource
            $null = kubectl patch pod $Name --subresource=status --type=merge -p $Status
        }
        New-Pod message-service-v1-7d9-abcde '{"status":{"phase":"Running","podIP":"10.0.1.17","containerStatuses":[{"name":"message-service","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
        New-Pod message-service-v1-7d9-noip '{"status":{"phase":"Running","containerStatuses":[{"name":"message-service","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
        New-Pod message-service-v1-7d9-pend '{"status":{"phase":"Pending","containerStatuses":[{"name":"message-service","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}}'
        # The codelab's curl pod, there already and running.
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: curl, labels: {run: curl, app.kubernetes.io/managed-by: guestbooklab}}`nspec: {containers: [{name: curl, image: curlimages/curl, command: [sleep, infinity]}]}" | Publish-LabResource
        $null = kubectl patch pod curl --subresource=status --type=merge -p '{"status":{"phase":"Running","podIP":"10.0.1.2","containerStatuses":[{"name":"curl","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
        # What the message service answers (its /misbehave and /behave handlers), as curl in the curl pod prints it.
        $scripts = @(
            @{ pod = 'curl'; container = 'curl'; commandPrefix = @('curl'); commandContains = 'http://10.0.1.17:8080/misbehave'; stdout = "HTTP/1.1 200 OK`r`ncontent-type: text/plain`r`n`r`nNext request to /hello/{name} will return a 503`n${marker}200 0.002`n" }
            @{ pod = 'curl'; container = 'curl'; commandPrefix = @('curl'); commandContains = 'http://10.0.1.17:8080/behave'; stdout = "HTTP/1.1 200 OK`r`ncontent-type: text/plain`r`n`r`nNext request to /hello/{name} will return a 200`n${marker}200 0.002`n" }
            @{ pod = 'curl'; container = 'curl'; commandPrefix = @('curl'); commandContains = 'http://10.0.1.17:9999/misbehave'; stdout = "`n${marker}000 0.001`n"; stderr = "curl: (7) Failed to connect to 10.0.1.17 port 9999`n"; exitCode = 7 }
        )
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/exec" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject $scripts -Depth 5)
        function Get-ExecCall { Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls" | ForEach-Object { $_ } }
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'takes the pod from Get-LabPod, curls http://POD_IP:8080/misbehave from the curl pod, and returns the answer' {
        $r = Get-LabPod -Selector app=message-service | Where-Object Name -EQ 'message-service-v1-7d9-abcde' | Select-Object -First 1 | Set-LabPodBehavior -Misbehave
        $r | Should -BeOfType ([GuestbookLab.Model.LabPodBehavior])
        $r.Pod, $r.Namespace, $r.PodIP, $r.Behavior, $r.Status | Should -Be @('message-service-v1-7d9-abcde', 'default', '10.0.1.17', 'Misbehave', 200)
        $r.Body | Should -Be 'Next request to /hello/{name} will return a 503'
        $r.Uri | Should -Be 'http://10.0.1.17:8080/misbehave'
        $r.SentFrom | Should -Be 'default/curl'
        $call = @(Get-ExecCall)[-1]
        $call.pod, $call.container, $call.command[0], $call.command[-1] | Should -Be @('curl', 'curl', 'curl', 'http://10.0.1.17:8080/misbehave')
        ($r | Format-Table | Out-String) | Should -BeLike '*BEHAVIOR*Misbehave*'
        (Set-LabPodBehavior message-service-v1-7d9-abcde -Behave).Body | Should -Be 'Next request to /hello/{name} will return a 200'
    }

    It '-WhatIf says the exact request and sends nothing' {
        $before = @(Get-ExecCall).Count
        $config = $standIn.KubeConfig
        $result = Invoke-ChildPwsh "Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$config'; Set-LabPodBehavior message-service-v1-7d9-abcde -Misbehave -WhatIf"
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $said = $result.Output -join "`n"
        $said | Should -BeLike '*What if:*GET http://10.0.1.17:8080/misbehave from the client pod default/curl*on target*Pod default/message-service-v1-7d9-abcde (10.0.1.17)*'
        @(Get-ExecCall).Count | Should -Be $before
    }

    It 'says PodHasNoIP, PodNotRunning and RequestFailed about each pod, and goes on with the others' {
        $errors = $null
        $out = @('message-service-v1-7d9-noip', 'message-service-v1-7d9-pend', 'message-service-v1-7d9-abcde') |
            ForEach-Object { [pscustomobject]@{ Name = $_ } } | Set-LabPodBehavior -Misbehave -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'PodHasNoIP,*'
        $errors[0].Exception.Message | Should -BeLike '*default/message-service-v1-7d9-noip has no IP*'
        $errors[1].FullyQualifiedErrorId | Should -BeLike 'PodNotRunning,*'
        $errors[1].Exception.Message | Should -BeLike '*default/message-service-v1-7d9-pend is ContainerCreating, not Running*'
        $err = Get-LabError { Set-LabPodBehavior message-service-v1-7d9-abcde -Misbehave -Port 9999 }
        $err.FullyQualifiedErrorId | Should -BeLike 'RequestFailed,*'
        $err.Exception.Message | Should -BeLike '*curl exited with 7*failed to connect*'
        (Get-LabError { Set-LabPodBehavior nothere -Behave }).FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
    }

    It 'needs a cluster: a manifest folder is ExecNotAvailable' {
        $folder = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root 'behave')
        (Get-LabError { Set-LabPodBehavior message-service-v1-7d9-abcde -Misbehave -Connection $folder }).FullyQualifiedErrorId | Should -BeLike 'ExecNotAvailable,*'
    }
}

Describe 'Invoke-LabRequest from the ingress: HTTP from this machine to a local listener standing in for the gateway' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        function kubectl { $output = & $Kubectl --kubeconfig $standIn.KubeConfig @args 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | Out-String) } }
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $seen = [Collections.Concurrent.ConcurrentQueue[string]]::new()
        $gateway = Start-ThreadJob -ArgumentList $listener, $seen {
            param($Listener, $Seen)
            while ($true) {
                try { $client = $Listener.AcceptTcpClient() } catch { return }
                $stream = $client.GetStream()
                $buffer = [byte[]]::new(8192); $text = ''
                while (-not $text.Contains("`r`n`r`n")) { $n = $stream.Read($buffer, 0, $buffer.Length); if ($n -le 0) { break }; $text += [Text.Encoding]::ASCII.GetString($buffer, 0, $n) }
                $Seen.Enqueue($text)
                $path = ($text -split ' ')[1]
                if ($path -eq '/reset') { $client.Client.LingerState = [Net.Sockets.LingerOption]::new($true, 0); $client.Client.Close(); continue }
                $answer = if ($path -eq '/') { "HTTP/1.1 200 OK`r`nserver: istio-envoy`r`nx-envoy-upstream-service-time: 9`r`ncontent-length: 9`r`n`r`nguestbook" }
                          else { "HTTP/1.1 404 Not Found`r`nserver: istio-envoy`r`ncontent-length: 0`r`n`r`n" }
                $bytes = [Text.Encoding]::ASCII.GetBytes($answer)
                $stream.Write($bytes, 0, $bytes.Length); $stream.Flush()
                $client.Close()
            }
        }
    }

    AfterAll {
        $listener.Stop()
        $gateway | Wait-Job -Timeout 10 | Remove-Job -Force
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'sends with the URI''s host as Host and reads the status and headers' {
        $r = Invoke-LabRequest -From ingress -Uri http://guestbook.example.com/ -IngressAddress "127.0.0.1:$port" -Header @{ 'user-agent' = 'Mozilla/5.0 Chrome/120' }
        $r.Outcome, $r.Status, $r.Body, $r.Source | Should -Be @('Delivered', 200, 'guestbook', 'ingress')
        $r.ResponseHeaders['server'] | Should -Be 'istio-envoy'
        $r.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $request = $null; $null = $seen.TryDequeue([ref] $request)
        $request | Should -Match "(?m)^Host: guestbook.example.com`r$"
        $request | Should -Match "(?m)^user-agent: Mozilla/5.0 Chrome/120`r$"
        $r = Invoke-LabRequest -From ingress -Uri http://guestbook.example.com/nothere -IngressAddress "127.0.0.1:$port"
        $r.Outcome, $r.Status, $r.ResponseFlag | Should -Be @('ProxyResponse', 404, 'NR')
    }

    It 'finds the address on the istio-ingressgateway Service when no -IngressAddress is given, else says IngressAddressUnknown' {
        (Get-LabError { Invoke-LabRequest -From ingress -Uri "http://guestbook.example.com:$port/" }).FullyQualifiedErrorId | Should -BeLike 'IngressAddressUnknown,*'
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Service`nmetadata: {name: istio-ingressgateway, namespace: istio-system}`nspec: {type: LoadBalancer, ports: [{name: http2, port: 80}]}" | Publish-LabResource
        $null = kubectl patch svc istio-ingressgateway -n istio-system --subresource=status --type=merge -p '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.1"}]}}}'
        (Invoke-LabRequest -From ingress -Uri "http://guestbook.example.com:$port/").Status | Should -Be 200
    }

    It 'compares the model''s prediction with the live answer: agreement, and the differences named' {
        $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
        $free = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $free.Start(); $unused = $free.LocalEndpoint.Port; $free.Stop()
        $agree = $app | Compare-MeshRequest -From ingress -Uri http://guestbook.example.com/ -IngressAddress "127.0.0.1:$unused"
        $agree.Agree | Should -BeTrue
        $agree.Predicted.Outcome, $agree.Observed.Outcome | Should -Be @('ConnectionRefused', 'ConnectionRefused')
        $agree.Predicted.Live, $agree.Observed.Live | Should -Be @($false, $true)

        $differ = $app | Compare-MeshRequest -From ingress -Uri http://guestbook.example.com/ -IngressAddress "127.0.0.1:$port"
        $differ.Agree | Should -BeFalse
        $differ.Differences.Count | Should -Be 1
        $differ.Differences[0].Aspect, $differ.Differences[0].Predicted, $differ.Differences[0].Observed | Should -Be @('Outcome', 'ConnectionRefused', 'Delivered')

        $mesh = @($app; New-MeshGateway guestbook-ui-gateway; New-MeshVirtualService guestbook-ui '*' -Gateways guestbook-ui-gateway | Add-MeshRoute ui -UriPrefix /)
        $sample = $mesh | Compare-MeshRequest -From ingress -Uri http://guestbook.example.com/nothere -IngressAddress "127.0.0.1:$port" -Count 4 -Seed 1
        $sample.Observed.Count | Should -Be 4
        $sample.Predicted.Count | Should -Be 4
        $sample.Predicted.Outcomes[0].Status | Should -Be 200 -Because 'the model routes every path to ui'
        @($sample.Differences | ForEach-Object Aspect) | Should -Be @('Fraction', 'Fraction')
        ($sample.Differences | ForEach-Object Observed) | Should -Contain 'ProxyResponse 404 100.0%'
    }

    It 'says ConnectionReset for a reset connection and ConnectionRefused where nothing listens' {
        (Invoke-LabRequest -From ingress -Uri http://guestbook.example.com/reset -IngressAddress "127.0.0.1:$port").Outcome | Should -Be 'ConnectionReset'
        $free = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $free.Start(); $unused = $free.LocalEndpoint.Port; $free.Stop()
        $r = Invoke-LabRequest -From ingress -Uri http://guestbook.example.com/ -IngressAddress "127.0.0.1:$unused" -Count 3
        $r.Count | Should -Be 3
        $r.Outcomes.Count | Should -Be 1
        $r.Outcomes[0].Outcome | Should -Be 'ConnectionRefused'
        $r.Outcomes[0].Fraction | Should -Be 1
    }
}
