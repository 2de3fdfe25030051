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
