param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
}

Describe 'The directory target' {
    BeforeEach {
        Disconnect-LabCluster
        $root = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
    }

    It 'needs a connection' {
        $err = Get-LabError { New-MeshGateway gw | Publish-LabResource }
        $err.FullyQualifiedErrorId | Should -BeLike 'NotConnected,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'connects to a folder it creates' {
        $connection = Connect-LabCluster -Directory $root
        $connection | Should -BeOfType GuestbookLab.Model.LabConnection
        $connection.Kind | Should -Be 'Directory'
        $root | Should -Exist
    }

    It 'applies objects as Created, then Unchanged, then Configured' {
        $null = Connect-LabCluster -Directory $root
        $first = New-MeshGateway guestbook-ui-gateway | Publish-LabResource
        $first | Should -BeOfType GuestbookLab.Model.ApplyResult
        $first.Result | Should -Be 'Created'
        (New-MeshGateway guestbook-ui-gateway | Publish-LabResource).Result | Should -Be 'Unchanged'
        (New-MeshGateway guestbook-ui-gateway -Port 8080 | Publish-LabResource).Result | Should -Be 'Configured'
    }

    It 'stores one file per object, in its namespace, labelled as the lab''s' {
        $null = Connect-LabCluster -Directory $root
        $results = @(Enable-MeshInjection noistio; New-MeshGateway gw; New-MeshDestinationRule ui ui -Namespace shop) | Publish-LabResource
        ($results.Location | ForEach-Object { [IO.Path]::GetRelativePath($root, $_) -replace '\\', '/' }) |
            Should -Be @('_cluster/namespace-noistio.yaml', 'default/gateway-gw.yaml', 'shop/destinationrule-ui.yaml')
        $stored = ConvertFrom-LabYaml -Path (Join-Path $root 'default/gateway-gw.yaml')
        $stored.Namespace | Should -Be 'default'
        $stored.Metadata.Labels['app.kubernetes.io/managed-by'] | Should -Be 'guestbooklab'
    }

    It 'applies namespaces and accounts before workloads and mesh configuration' {
        $null = Connect-LabCluster -Directory $root
        $kinds = (@(New-MeshGateway gw; $app; Enable-MeshInjection) | Publish-LabResource).Kind
        [array]::IndexOf($kinds, 'Namespace') | Should -Be 0
        [array]::IndexOf($kinds, 'ServiceAccount') | Should -BeLessThan ([array]::IndexOf($kinds, 'Deployment'))
        $kinds[-1] | Should -Be 'Gateway'
    }

    It 'applies nothing when an object is invalid' {
        $null = Connect-LabCluster -Directory $root
        $results = @(New-MeshGateway gw; New-MeshVirtualService no-routes r) | Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $results | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'MissingRoutes,*'
        Get-ChildItem $root -Recurse -File | Should -BeNullOrEmpty
    }

    It 'refuses objects without a name' {
        $null = Connect-LabCluster -Directory $root
        $null = New-MeshInstallConfig | Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
        $problems[0].Exception.Message | Should -BeLike '*installed-state*'
        (New-MeshInstallConfig -Name installed-state | Publish-LabResource).Result | Should -Be 'Created'
    }

    It 'applies manifest files with -Path, and nothing with -WhatIf' {
        $connection = Connect-LabCluster -Directory $root
        $file = New-MeshGateway gw | Export-LabManifest -Path (Join-Path (Get-PSDrive TestDrive).Root 'gw.yaml')
        New-MeshDestinationRule x x | Publish-LabResource -WhatIf
        Get-ChildItem $root -Recurse -File | Should -BeNullOrEmpty
        (Publish-LabResource -Path $file.FullName -Connection $connection).Result | Should -Be 'Created'
    }

    It 'applies manifests from http URLs, CRDs and namespaces first, and stops on one it cannot fetch' {
        $null = Connect-LabCluster -Directory $root
        $probe = [System.Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $yaml = "apiVersion: v1`nkind: ServiceAccount`nmetadata: {name: controller, namespace: kpack}`n---`napiVersion: v1`nkind: Namespace`nmetadata: {name: kpack}`n---`napiVersion: apiextensions.k8s.io/v1`nkind: CustomResourceDefinition`nmetadata: {name: images.kpack.io}"
        $job = Start-ThreadJob -ArgumentList $port, $yaml -ScriptBlock {
            param($port, $yaml)
            $listener = [System.Net.HttpListener]::new()
            $listener.Prefixes.Add("http://127.0.0.1:$port/")
            $listener.Start()
            try {
                for ($i = 0; $i -lt 2; $i++) {
                    $context = $listener.GetContext()
                    $body = if ($context.Request.Url.AbsolutePath -eq '/release.yaml') { [Text.Encoding]::UTF8.GetBytes($yaml) } else { $context.Response.StatusCode = 404; , [byte[]]::new(0) }
                    if ($body.Length) { $context.Response.OutputStream.Write($body, 0, $body.Length) }
                    $context.Response.Close()
                }
            } finally { $listener.Stop() }
        }
        for ($i = 0; $i -lt 50; $i++) {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
        }

        (Publish-LabResource -Uri "http://127.0.0.1:$port/release.yaml").Kind | Should -Be @('CustomResourceDefinition', 'Namespace', 'ServiceAccount')
        $err = Get-LabError { Publish-LabResource -Uri "http://127.0.0.1:$port/missing.yaml" }
        $err.FullyQualifiedErrorId | Should -BeLike 'ManifestDownloadFailed,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $null = $job | Wait-Job -Timeout 10 | Receive-Job
        $job | Remove-Job -Force
        (Get-LabError { Publish-LabResource -Uri 'ftp://example.com/x.yaml' }).FullyQualifiedErrorId | Should -BeLike 'InvalidUri,*'
    }

    It 'gets objects by kind, plural or short name, namespace and labels' {
        $null = Connect-LabCluster -Directory $root
        $null = @($app; Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 }; New-MeshDestinationRule ui ui -Namespace shop) | Publish-LabResource
        (Get-LabResource -Kind DestinationRule).Namespace | Should -Be @('default')
        (Get-LabResource dr -AllNamespaces).Count | Should -Be 2
        (Get-LabResource destinationrules -Namespace shop).Namespace | Should -Be 'shop'
        $vs = Get-LabResource vs ui
        $vs | Should -BeOfType GuestbookLab.Model.VirtualService
        (Get-LabResource deploy -Selector 'app=ui,version=1.0').Name | Should -Be 'ui'
        (Get-LabResource svc).Count | Should -Be 5
    }

    It 'reports a missing object' {
        $null = Connect-LabCluster -Directory $root
        $null = Get-LabResource vs nothing -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'rejects a bad selector' {
        $null = Connect-LabCluster -Directory $root
        $err = Get-LabError { Get-LabResource svc -Selector 'app=ui=v1' }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError,*'
        $err.Exception.Message | Should -BeLike "*-Selector*'app=ui=v1'*'ui=v1' is not a label value*"
    }

    It 'removes by name, piped objects, and everything owned but nothing else' {
        $null = Connect-LabCluster -Directory $root
        $null = @($app; New-MeshGateway gw; New-MeshVirtualService guestbook-service guestbook-service | Add-MeshRoute guestbook-service) | Publish-LabResource
        Set-Content (Join-Path $root 'default/configmap-mine.yaml') "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: mine, namespace: default}"

        Remove-LabResource -Kind VirtualService -Name guestbook-service
        Get-LabResource vs guestbook-service -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-LabResource gw gw | Remove-LabResource
        Get-LabResource gw | Should -BeNullOrEmpty

        Remove-LabResource -All -Owned -WhatIf
        (Get-LabResource svc).Count | Should -Be 5
        Remove-LabResource -All -Owned -Confirm:$false
        (Get-ChildItem $root -Recurse -File).Name | Should -Be @('configmap-mine.yaml')
    }

    It 'is the configuration Test-MeshRequest and Test-MeshConfiguration read when given none' {
        $null = Connect-LabCluster -Directory $root
        $null = @($app; Enable-MeshInjection; New-MeshGateway guestbook-ui-gateway; New-MeshVirtualService guestbook-ui '*' -Gateways guestbook-ui-gateway | Add-MeshRoute ui -UriPrefix /) | Publish-LabResource
        (Test-MeshRequest -From ingress -Uri http://guestbook.example.com/).Endpoint | Should -Be 'default/ui'
        Test-MeshConfiguration | Should -BeNullOrEmpty
        (New-MeshAuthorizationPolicy deny-all -Namespace default | Test-MeshRequest -From ingress -Uri http://x/ -Connection (Connect-LabCluster -Directory $root)).Status | Should -Be 403
    }

    AfterAll { Disconnect-LabCluster }
}

Describe 'A cluster through the API stand-in' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        $crds = 'gateway', 'virtualservice', 'destinationrule' | ForEach-Object { ConvertFrom-LabYaml -Path (Join-Path $DataFolder "crds/$_.crd.yaml") }
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'connects to the kubeconfig''s server and context' {
        $connection.Kind | Should -Be 'Cluster'
        $connection.Target | Should -Be $standIn.Url
        $connection.Context | Should -Be 'standin'
    }

    It 'applies the app with server-side apply: Created, then Unchanged' {
        $first = $app | Publish-LabResource
        ($first.Result | Select-Object -Unique) | Should -Be 'Created'
        $first.Count | Should -Be $app.Count
        ($app | Publish-LabResource).Result | Select-Object -Unique | Should -Be 'Unchanged'
        $deployment = Get-LabResource deploy ui
        $deployment | Should -BeOfType GuestbookLab.Model.Deployment
        $deployment.Metadata.Labels['app.kubernetes.io/managed-by'] | Should -Be 'guestbooklab'
        $deployment.Metadata.AdditionalFields['managedFields'][0]['manager'] | Should -Be 'guestbooklab'
    }

    It 'refuses a kind the server does not serve, then serves it once its CRD is applied (CRDs first)' {
        $null = New-MeshGateway gw | Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
        $problems[0].Exception.Message | Should -BeLike '*CustomResourceDefinition first*'
        $results = @(New-MeshGateway gw; $crds) | Publish-LabResource
        $results.Kind | Should -Be @('CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition', 'Gateway')
        (Get-LabResource gw gw) | Should -BeOfType GuestbookLab.Model.Gateway
        (Get-LabResource virtualservices -AllNamespaces) | Should -BeNullOrEmpty
    }

    It 'reports a field another manager owns, and takes it with -Force' {
        $body = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ui"},"spec":{"replicas":5}}'
        $null = Invoke-RestMethod -Method Patch -Uri "$($standIn.Url)/apis/apps/v1/namespaces/default/deployments/ui?fieldManager=kubectl&force=true" -ContentType 'application/apply-patch+yaml' -Body $body
        $ui = $app | Where-Object { $_.Kind -eq 'Deployment' -and $_.Name -eq 'ui' }
        $null = $ui | Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ApplyConflict,*'
        $problems[0].Exception.Message | Should -BeLike '*conflict with "kubectl"*.spec.replicas*'
        ($ui | Publish-LabResource -Force).Result | Should -Be 'Configured'
        (Get-LabResource deploy ui).Spec.Replicas | Should -Be 2
    }

    It 'gets by selector and removes exactly what the lab applied' {
        (Get-LabResource svc -Selector 'app=ui').Name | Should -Be 'ui'
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/api/v1/namespaces/default/configmaps" -ContentType 'application/json' -Body '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"theirs"}}'
        Remove-LabResource -All -Owned -Confirm:$false
        Get-LabResource deploy | Should -BeNullOrEmpty
        (Get-LabResource cm).Name | Should -Be 'theirs'
    }

    It 'rides out <Case> without losing or duplicating an object' -ForEach @(
        @{ Case = '429 with Retry-After'; Fault = @{ status = 429; retryAfter = 1; count = 2 } }
        @{ Case = 'a burst of 503'; Fault = @{ status = 503; count = 3 } }
        @{ Case = 'reset connections'; Fault = @{ reset = $true; count = 2 } }
        @{ Case = 'slow answers'; Fault = @{ delayMilliseconds = 300; count = 3 } }
    ) {
        $before = Invoke-RestMethod "$($standIn.Url)/_standin/stats"
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json)
        $config = @(1..3 | ForEach-Object { ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: retry-$_}`ndata: {case: '$Case'}" })
        $results = $config | Publish-LabResource
        $results.Count | Should -Be 3
        $after = Invoke-RestMethod "$($standIn.Url)/_standin/stats"
        ($after.faulted - $before.faulted) | Should -Be $Fault.count
        (Get-LabResource cm -Selector 'app.kubernetes.io/managed-by=guestbooklab' | Where-Object Name -Like 'retry-*').Count | Should -Be 3
        (Get-LabResource cm retry-1).AdditionalFields['data']['case'] | Should -Be $Case
    }

    It 'applies the independent objects of one rank at most eight at a time, in pipeline order, namespaces first' {
        # Every request answers 200 ms late, so requests overlap exactly as much as the cmdlet lets them.
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/faults" -ContentType 'application/json' -Body '{"delayMilliseconds":200,"count":200}'
        $objects = @(1..20 | ForEach-Object { ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: wide-$_, namespace: wide}" }) +
            @(ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: wide}")
        $results = $objects | Publish-LabResource
        $stats = Invoke-RestMethod "$($standIn.Url)/_standin/stats"
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/faults" -ContentType 'application/json' -Body '{"status":0,"count":0}'
        $stats.maxInFlight | Should -BeGreaterThan 1
        $stats.maxInFlight | Should -BeLessOrEqual 8
        $results.Count | Should -Be 21
        $results[0].Kind | Should -Be 'Namespace'
        @($results | Select-Object -Skip 1 -ExpandProperty Name) | Should -Be @(1..20 | ForEach-Object { "wide-$_" })
        (Get-LabResource cm -Namespace wide).Count | Should -Be 20
    }

    It 'gives up after a bounded number of retries, naming the status' {
        $before = Invoke-RestMethod "$($standIn.Url)/_standin/stats"
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/faults" -ContentType 'application/json' -Body '{"status":503,"count":50}'
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: never}" | Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ApiRequestFailed,*'
        $problems[0].Exception.Message | Should -BeLike '*503*'
        $stats = Invoke-RestMethod "$($standIn.Url)/_standin/stats"
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/faults" -ContentType 'application/json' -Body '{"status":0,"count":0}'
        ($stats.faulted - $before.faulted) | Should -BeLessThan 50
    }

    It 'says when the server does not answer' {
        $dead = Join-Path $standIn.Folder 'dead.kubeconfig'
        (Get-Content -Raw $standIn.KubeConfig) -replace [regex]::Escape($standIn.Url), 'http://127.0.0.1:1' | Set-Content $dead
        $err = Get-LabError { Connect-LabCluster -KubeConfig $dead }
        $err.FullyQualifiedErrorId | Should -BeLike 'ClusterUnreachable,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
    }
}

Describe 'The stand-in through real kubectl 1.35' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        function kubectl { $output = & $Kubectl --kubeconfig $standIn.KubeConfig @args 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | Out-String) } }
        $crds = 'gateway', 'virtualservice', 'destinationrule' | ForEach-Object { Join-Path $DataFolder "crds/$_.crd.yaml" }
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'takes kubectl apply --server-side of the app and the Istio CRDs' {
        $app = kubectl apply --server-side --validate=false -f (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
        $app.ExitCode | Should -Be 0 -Because $app.Text
        $app.Text | Should -Match 'deployment.apps/ui serverside-applied'
        foreach ($crd in $crds) { (kubectl apply --server-side --validate=false -f $crd).ExitCode | Should -Be 0 }
        $established = kubectl wait crd/gateways.networking.istio.io --for=condition=Established --timeout=10s
        $established.ExitCode | Should -Be 0 -Because $established.Text
        (Wait-LabResource -Kind crd -Name virtualservices.networking.istio.io -Condition Established -TimeoutSec 5).Name | Should -Be 'virtualservices.networking.istio.io'
        (kubectl get deploy -o name).Text | Should -Match 'deployment.apps/message-service'
    }

    It 'keeps status to the /status subresource, and Get-LabPod reads it as kubectl get pods shows it' {
        $pod = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: guestbook-service-7ff64d7f45-tbrk8, labels: {app: guestbook-service}}`nspec: {containers: [{name: guestbook-service, image: guestbook-service:latest}, {name: istio-proxy, image: proxyv2:1.17.1}]}`nstatus: {phase: Failed}"
        $null = $pod | Publish-LabResource
        (kubectl get pod guestbook-service-7ff64d7f45-tbrk8 -o 'jsonpath={.status.phase}').Text.Trim() | Should -BeNullOrEmpty -Because 'a write to the object itself does not set its status'
        (Get-LabPod guestbook-service-7ff64d7f45-tbrk8).Status | Should -Be 'Pending'

        $status = '{"status":{"phase":"Running","containerStatuses":[{"name":"guestbook-service","ready":true,"restartCount":0,"state":{"running":{}}},{"name":"istio-proxy","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
        $patched = kubectl patch pod guestbook-service-7ff64d7f45-tbrk8 --subresource=status --type=merge -p $status
        $patched.ExitCode | Should -Be 0 -Because $patched.Text
        $null = $pod | Publish-LabResource
        (kubectl get pod guestbook-service-7ff64d7f45-tbrk8 -o 'jsonpath={.status.phase}').Text.Trim() | Should -Be 'Running' -Because 're-applying the object keeps the status'

        $seen = @(Get-LabPod -Selector app=guestbook-service)
        $seen.Count | Should -Be 1
        $seen[0].Ready, $seen[0].Status, $seen[0].RestartsText, $seen[0].SidecarInjected | Should -Be @('2/2', 'Running', '0', $true)
        $seen[0].Age | Should -Match '^\d+s$'
        $table = $seen | Format-Table | Out-String
        $table | Should -Match 'NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE'
        $table | Should -Match 'guestbook-service-7ff64d7f45-tbrk8\s+2/2\s+Running\s+0'
        Get-LabPod -Selector app=nothing | Should -BeNullOrEmpty
        (Get-LabError { Get-LabPod missing }).FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
    }

    It 'waits for a rollout and a condition by watching, as kubectl rollout status and kubectl wait do' {
        $deploy = "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: waited}`nspec: {replicas: 2, selector: {matchLabels: {app: waited}}, template: {metadata: {labels: {app: waited}}, spec: {containers: [{name: app, image: waited:1}]}}}"
        $null = ConvertFrom-LabYaml $deploy | Publish-LabResource
        $ready = '{"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2,"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}'
        $half = '{"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":1,"availableReplicas":1}}'
        $kubectlPath, $config = $Kubectl, $standIn.KubeConfig
        $writer = Start-ThreadJob {
            Start-Sleep -Milliseconds 800
            & $using:kubectlPath --kubeconfig $using:config patch deploy waited --subresource=status --type=merge -p $using:half | Out-Null
            Start-Sleep -Milliseconds 800
            & $using:kubectlPath --kubeconfig $using:config patch deploy waited --subresource=status --type=merge -p $using:ready | Out-Null
        }
        $kubectlWaits = Start-ThreadJob {
            $status = & $using:kubectlPath --kubeconfig $using:config rollout status deploy/waited --timeout=30s 2>&1
            $wait = & $using:kubectlPath --kubeconfig $using:config wait deploy/waited --for=condition=Available --timeout=30s 2>&1
            [pscustomobject]@{ Status = $status -join "`n"; Wait = $wait -join "`n" }
        }
        $progress = @()
        $done = Wait-LabRollout Deployment waited -TimeoutSec 30 -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $progress += $_.Message } else { $_ } }
        $done.Kind | Should -Be 'Deployment'
        $done.AdditionalFields['status']['availableReplicas'] | Should -Be 2
        $progress[0] | Should -Be 'Waiting for deployment spec update to be observed...' -Because 'the first state is read before the status is written'
        $progress | Should -Contain 'Waiting for deployment "waited" rollout to finish: 1 of 2 updated replicas are available...'
        $progress[-1] | Should -Be 'deployment "waited" successfully rolled out'
        (Wait-LabResource -Kind deploy -Name waited -Condition available -TimeoutSec 5).Name | Should -Be 'waited'

        $fromKubectl = $kubectlWaits | Wait-Job -Timeout 60 | Receive-Job
        $writer | Wait-Job -Timeout 30 | Remove-Job
        $fromKubectl.Status | Should -Match 'deployment "waited" successfully rolled out'
        $fromKubectl.Wait | Should -Match 'deployment.apps/waited condition met'
    }

    It 'says what it last saw when a wait times out' {
        $null = ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: stuck}`nspec: {replicas: 3, selector: {matchLabels: {app: stuck}}, template: {metadata: {labels: {app: stuck}}, spec: {containers: [{name: app, image: stuck:1}]}}}" | Publish-LabResource
        $null = kubectl patch deploy stuck --subresource=status --type=merge -p '{"status":{"observedGeneration":1,"replicas":3,"updatedReplicas":3,"availableReplicas":1}}'
        $err = Get-LabError { Wait-LabRollout Deployment stuck -TimeoutSec 2 }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.Exception.Message | Should -BeLike '*within 2 s. Last seen: Waiting for deployment "stuck" rollout to finish: 1 of 3 updated replicas are available...'
        $err = Get-LabError { Wait-LabResource -Kind Deployment -Name stuck -Condition Available -TimeoutSec 1 }
        $err.Exception.Message | Should -BeLike '*Last seen: Deployment "stuck" has no condition Available yet'
    }

    It 'streams initial events ending in the initial-events-end bookmark, and answers an expired resume point with 410' {
        $base = "$($standIn.Url)/apis/apps/v1/namespaces/default/deployments?watch=true&timeoutSeconds=1"
        $lines = @((Invoke-WebRequest "$base&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan").Content -split "`n" | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
        $lines.type | Select-Object -SkipLast 1 | Sort-Object -Unique | Should -Be 'ADDED'
        $lines[-1].type | Should -Be 'BOOKMARK'
        $lines[-1].object.metadata.annotations.'k8s.io/initial-events-end' | Should -Be 'true'

        # Push the first changes out of the kept history (1,000), then resume from one of them.
        $null = 1..1001 | ForEach-Object { ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: churn-$_}" } | Publish-LabResource
        $expired = (Invoke-WebRequest "$base&resourceVersion=2").Content | ConvertFrom-Json
        $expired.type | Should -Be 'ERROR'
        $expired.object.code | Should -Be 410
        $expired.object.reason | Should -Be 'Expired'
        Get-LabResource cm | Where-Object Name -Like 'churn-*' | Remove-LabResource -Confirm:$false
    }

    It 'reads container logs as kubectl logs does: the default container when there are two, the tail, and following' {
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: talker, labels: {app: talker}}`nspec: {containers: [{name: app, image: talker:1}, {name: istio-proxy, image: proxyv2:1.17.1}]}" | Publish-LabResource
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/logs/default/talker/app" -Body "line 1`nline 2`nline 3`n"
        # With two containers and no annotation, the first is read, as kubectl 1.35 does (the API server itself refuses).
        Get-LabLog talker | Should -Be @('line 1', 'line 2', 'line 3')
        $err = Get-LabError { Get-LabLog talker -Container nosuch }
        $err.FullyQualifiedErrorId | Should -BeLike 'ApiBadRequest,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*container nosuch is not valid for pod talker*'
        Get-LabLog talker -Container app | Should -Be @('line 1', 'line 2', 'line 3')
        Get-LabLog talker -Container app -Tail 2 | Should -Be @('line 2', 'line 3')
        (kubectl logs talker -c app --tail=2).Text.Trim() -split "`n" | Should -Be @('line 2', 'line 3')
        Get-LabPod -Selector app=talker | Get-LabLog -Container app -Tail 1 | Should -Be 'line 3'

        # Following: new lines arrive while reading; the stream ends when the pod is deleted.
        $url, $kubectlPath, $config = $standIn.Url, $Kubectl, $standIn.KubeConfig
        $talker = Start-ThreadJob {
            Start-Sleep -Milliseconds 700
            $null = Invoke-RestMethod -Method Post -Uri "$using:url/_standin/logs/default/talker/app" -Body "line 4`n"
            Start-Sleep -Milliseconds 700
            & $using:kubectlPath --kubeconfig $using:config delete pod talker | Out-Null
        }
        $followed = Get-LabLog talker -Container app -Follow
        $talker | Wait-Job -Timeout 30 | Remove-Job
        $followed | Should -Be @('line 1', 'line 2', 'line 3', 'line 4')
        (Get-LabError { Get-LabLog gone -Container app }).FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
    }

    It 'waits with -Wait until an object held by a finalizer is gone' {
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: held, finalizers: [example.com/hold]}" | Publish-LabResource
        $url = $standIn.Url
        $releaser = Start-ThreadJob {
            Start-Sleep -Milliseconds 800
            Invoke-RestMethod -Method Patch -Uri "$using:url/api/v1/namespaces/default/configmaps/held" -ContentType 'application/merge-patch+json' -Body '{"metadata":{"finalizers":null}}' | Out-Null
        }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Remove-LabResource -Kind cm -Name held -Wait -TimeoutSec 20 -Confirm:$false
        $clock.Elapsed.TotalMilliseconds | Should -BeGreaterThan 500 -Because 'the finalizer held the object until it was released'
        $releaser | Wait-Job -Timeout 10 | Remove-Job
        Get-LabResource cm held -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: stays, finalizers: [example.com/hold]}" | Publish-LabResource
        Remove-LabResource -Kind cm -Name stays -Wait -TimeoutSec 1 -Confirm:$false -ErrorVariable late -ErrorAction SilentlyContinue
        $late[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        (Get-LabResource cm stays).Metadata.AdditionalFields['deletionTimestamp'] | Should -Not -BeNullOrEmpty
    }

    It 'completes names and namespaces from the connected cluster' {
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: completion-ns}" | Publish-LabResource
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: complete-me, namespace: completion-ns}" | Publish-LabResource
        $line = 'Get-LabResource -Kind cm -Namespace completion-ns -Name complete-'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('complete-me')
        $line = 'Remove-LabResource -Kind ConfigMap -Namespace completion-'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('completion-ns')
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: completed-pod}`nspec: {containers: [{name: app}]}" | Publish-LabResource
        $line = 'Get-LabLog -Pod completed-'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('completed-pod')
    }

    It 'never shows the kubeconfig''s token in output, verbose, debug, warnings or errors' {
        $VerbosePreference = $DebugPreference = 'Continue'
        $streams = & {
            Connect-LabCluster -KubeConfig $standIn.KubeConfig
            ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: quiet}" | Publish-LabResource -Verbose -Debug
            Get-LabResource cm quiet -Verbose -Debug | ConvertTo-LabYaml
            Get-LabResource cm missing -Verbose -Debug -ErrorAction Continue
            Get-LabLog missing -Container app -ErrorAction Continue
            $connection | Format-List * | Out-String
        } *>&1 | Out-String
        $streams | Should -Match 'quiet' -Because 'the streams were captured'
        $streams | Should -Not -Match 'standin-token'
    }

    It 'shows kubectl exactly what Publish-LabResource applied' {
        $applied = Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway | Publish-LabResource
        $applied.Result | Should -Be @('Created', 'Created')
        foreach ($result in $applied) {
            $read = kubectl get "$($result.Kind.ToLowerInvariant())s.networking.istio.io" $result.Name -o yaml
            $read.ExitCode | Should -Be 0 -Because $read.Text
            $fromKubectl = ConvertFrom-LabYaml $read.Text
            [GuestbookLab.Model.ApiObjectMapper]::CanonicalKey($fromKubectl.Spec) | Should -Be ([GuestbookLab.Model.ApiObjectMapper]::CanonicalKey($result.Object.Spec))
            $fromKubectl.Metadata.Labels['app.kubernetes.io/managed-by'] | Should -Be 'guestbooklab'
        }
        (kubectl get vs -o name).Text | Should -Match 'virtualservice.networking.istio.io/guestbook-ui'
    }

    It 'sees kubectl''s deletes and reports its field ownership' {
        (kubectl delete virtualservice guestbook-ui).ExitCode | Should -Be 0
        Get-LabResource vs guestbook-ui -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $null = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"redis"},"spec":{"replicas":3}}' | Set-Content (Join-Path $standIn.Folder 'redis.json')
        (kubectl apply --server-side --validate=false --force-conflicts --field-manager=ops -f (Join-Path $standIn.Folder 'redis.json')).ExitCode | Should -Be 0
        $null = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml') | Where-Object Name -EQ redis | Where-Object Kind -EQ Deployment |
            Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].Exception.Message | Should -BeLike '*conflict with "ops"*.spec.replicas*'
    }

    It 'is the configuration Test-MeshRequest and Test-MeshConfiguration read from the cluster' {
        $null = @(Enable-MeshInjection; New-MeshGateway guestbook-ui-gateway
            New-MeshVirtualService guestbook-ui '*' -Gateways guestbook-ui-gateway | Add-MeshRoute ui -UriPrefix /) | Publish-LabResource
        $r = Test-MeshRequest -From ingress -Uri http://guestbook.example.com/
        $r.Outcome | Should -Be 'Delivered'
        $r.Endpoint | Should -Be 'default/ui'
        (Test-MeshConfiguration).Code | Should -Not -Contain 'IST0101'
    }

    It 'reads the mesh networks istiod runs with from the cluster''s istio ConfigMap, as istioctl analyze does' {
        $map = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"istio","namespace":"istio-system"},"data":{"mesh":"rootNamespace: istio-system","meshNetworks":"networks:\n  n1:\n    endpoints:\n    - fromRegistry: cluster-9\n"}}'
        $map | Set-Content (Join-Path $standIn.Folder 'istio-cm.json')
        (kubectl apply --server-side --validate=false -f (Join-Path $standIn.Folder 'istio-cm.json')).ExitCode | Should -Be 0
        $found = Test-MeshConfiguration -FailOn None | Where-Object Code -EQ 'IST0126'
        $found.Message | Should -Be 'Unknown service registry cluster-9 in network n1'
        (kubectl delete configmap istio -n istio-system).ExitCode | Should -Be 0
        Test-MeshConfiguration -FailOn None | Where-Object Code -EQ 'IST0126' | Should -BeNullOrEmpty
    }

    It 'fails kubectl on a conflict the same way' {
        $ours = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml') | Where-Object { $_.Kind -eq 'Deployment' -and $_.Name -eq 'ui' }
        $null = $ours | Publish-LabResource -Force
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ui"},"spec":{"replicas":9}}' | Set-Content (Join-Path $standIn.Folder 'ui.json')
        $conflict = kubectl apply --server-side --validate=false --field-manager=other -f (Join-Path $standIn.Folder 'ui.json')
        $conflict.ExitCode | Should -Not -Be 0
        $conflict.Text | Should -Match 'conflict with "guestbooklab"'
    }
}
