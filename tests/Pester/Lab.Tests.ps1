param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeDiscovery {
    $expected = Get-ChildItem (Join-Path $DataFolder 'codelab') -Filter *.yaml | ForEach-Object { @{ Step = $_.BaseName; Expected = $_.FullName } }
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
    $labOut = Join-Path (Get-PSDrive TestDrive).Root 'lab'
    $steps = & $labScript -OutputPath $labOut -WarningAction SilentlyContinue
    $crds = Join-Path $DataFolder 'crds'
}

Describe 'The lab script' {
    It 'runs every step of the codelab that has YAML, in order' {
        $withYaml = @(Get-ChildItem (Join-Path $DataFolder 'codelab') -Filter *.yaml | ForEach-Object BaseName)
        @($steps.Step | Where-Object { $_ -in $withYaml }) | Should -Be $withYaml
        @($steps.Step | Where-Object { $_ -notin $withYaml }) | Should -Be @('01-cluster-spec', '02-registry-secret', '10-injection', '11-app', '36-noistio-namespace')
    }

    It 'labels the namespaces it needs for injection' {
        ($steps | Where-Object Step -EQ '10-injection').Objects[0].Metadata.Labels['istio-injection'] | Should -Be 'enabled'
        ($steps | Where-Object Step -EQ '36-noistio-namespace').Objects[0].Metadata.Labels['istio-injection'] | Should -Be 'disabled'
    }

    It 'writes an index of its steps with the codelab''s deletions' {
        $index = Import-Csv (Join-Path $labOut 'lab-steps.csv')
        $index.Step | Should -Be @($steps.Step)
        ($index | Where-Object Step -EQ '15-fault-delay').Removes | Should -Be 'VirtualService/guestbook-service'
        ($index | Where-Object Step -EQ '22-reset-ui-route').Removes | Should -Be 'Deployment/ui-v2;DestinationRule/ui'
    }

    It 'applies every step to a directory target, with the codelab''s deletions (-Apply)' {
        $cluster = Join-Path (Get-PSDrive TestDrive).Root 'cluster'
        $connection = Connect-LabCluster -Directory $cluster
        try {
            $applied = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab-applied') -Apply -WarningAction SilentlyContinue
            # kops's objects go to its state store (Publish-LabCluster), never to the cluster.
            @($applied.Applied).Count | Should -Be @($applied.Objects | Where-Object { $_ -isnot [GuestbookLab.Model.KopsResource] }).Count
            (Get-LabResource Secret ecr-secret).Type | Should -Be 'kubernetes.io/dockerconfigjson'
            Get-LabResource vs guestbook-service -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-LabResource deploy ui-v2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-LabResource ap).Name | Should -Contain 'deny-all'
            (Get-LabResource vs guestbook-ui).Spec.Http[0].Route[0].Destination.Subset | Should -Be 'v1'
            (Get-LabResource iop installed-state -Namespace istio-system).Spec.MeshConfig.OutboundTrafficPolicy.Mode | Should -Be 'REGISTRY_ONLY'
            # The Monitoring steps' Service, deleted as the codelab does before the Security section.
            Get-LabResource svc exposed-monitoring-lb -Namespace istio-system -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            @($applied | Where-Object Section -EQ Monitoring | Where-Object Dashboard) | Should -BeNullOrEmpty -Because 'a folder has no load balancer'
            $first = Get-ChildItem $cluster -Recurse -File | ForEach-Object { "$($_.Name):$(Get-FileHash $_.FullName | ForEach-Object Hash)" }
            $null = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab-applied') -Apply -Connection $connection -WarningAction SilentlyContinue
            Get-ChildItem $cluster -Recurse -File | ForEach-Object { "$($_.Name):$(Get-FileHash $_.FullName | ForEach-Object Hash)" } | Should -Be $first
            (Test-MeshRequest -From ingress -Uri http://x/ -Token (Get-Content -Raw (Join-Path $DataFolder 'demo.jwt')).Trim()).Status | Should -Be 200
            (Test-MeshRequest -From ingress -Uri http://x/).Status | Should -Be 403
        } finally {
            Disconnect-LabCluster
        }
    }

    It 'renders the set-up offline: the kops cluster spec and the pull secret, its token redacted' {
        $spec = $steps | Where-Object Step -EQ '01-cluster-spec'
        $spec.Objects.Kind | Should -Be @('Cluster', 'InstanceGroup', 'InstanceGroup', 'InstanceGroup', 'InstanceGroup')
        $spec.Objects[0].PermissionsBoundary | Should -Be 'arn:aws:iam::123456789012:policy/CustomPowerUserBound'
        (ConvertFrom-LabYaml -Path $spec.File)[0] | Should -BeOfType GuestbookLab.Model.KopsCluster
        $secret = $steps | Where-Object Step -EQ '02-registry-secret'
        Get-Content -Raw $secret.File | Should -Match '\.dockerconfigjson: <redacted>'
        Get-Content -Raw $secret.File | Should -Not -Match 'offline-placeholder-token'
    }

    It 'waits for each step''s rollouts on a cluster (-WaitForRollout)' {
        $k8s = Start-StandIn
        $kubectlPath = $Kubectl
        $config = $k8s.KubeConfig
        try {
            # A cluster after istioctl install: the IstioOperator kind is served.
            $crd = "apiVersion: apiextensions.k8s.io/v1`nkind: CustomResourceDefinition`nmetadata: {name: istiooperators.install.istio.io}`nspec:`n  group: install.istio.io`n  names: {kind: IstioOperator, plural: istiooperators, singular: istiooperator, shortNames: [iop]}`n  scope: Namespaced`n  versions:`n  - name: v1alpha1`n    served: true`n    storage: true`n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}"
            $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
            $null = ConvertFrom-LabYaml $crd | Publish-LabResource -Connection $connection
            # The controllers: every Deployment and StatefulSet is reported rolled out a moment after it is applied.
            $controller = Start-ThreadJob {
                $deadline = [DateTime]::UtcNow.AddSeconds(90)
                while ([DateTime]::UtcNow -lt $deadline) {
                    $items = (& $using:kubectlPath --kubeconfig $using:config get deploy,sts -A -o json | ConvertFrom-Json).items
                    foreach ($item in $items | Where-Object { -not $_.status -or $_.status.observedGeneration -ne $_.metadata.generation }) {
                        $n = if ($item.spec.replicas) { $item.spec.replicas } else { 1 }
                        $status = if ($item.kind -eq 'Deployment') {
                            @{ observedGeneration = $item.metadata.generation; replicas = $n; updatedReplicas = $n; readyReplicas = $n; availableReplicas = $n }
                        } else {
                            @{ observedGeneration = $item.metadata.generation; replicas = $n; readyReplicas = $n; currentReplicas = $n; updatedReplicas = $n; currentRevision = 'r1'; updateRevision = 'r1' }
                        }
                        $patch = @{ status = $status } | ConvertTo-Json -Compress
                        & $using:kubectlPath --kubeconfig $using:config -n $item.metadata.namespace patch $item.kind.ToLower() $item.metadata.name --subresource=status --type=merge -p $patch | Out-Null
                    }
                    Start-Sleep -Milliseconds 200
                }
            }
            $out = Join-Path (Get-PSDrive TestDrive).Root 'rollout'
            $steps = & $labScript -OutputPath $out -Section Install -Apply -SkipIstioInstall -WaitForRollout -RolloutTimeoutSec 60 -Connection $connection -WarningAction SilentlyContinue
            $app = $steps | Where-Object Step -EQ '11-app'
            @($app.RolledOut | ForEach-Object { "$($_.Kind)/$($_.Name)" }) | Sort-Object |
                Should -Be @('Deployment/guestbook-service', 'Deployment/message-service', 'Deployment/redis', 'Deployment/ui', 'StatefulSet/mysql')
            $app.RolledOut[0].AdditionalFields['status'] | Should -Not -BeNullOrEmpty
            ($steps | Where-Object Step -EQ '10-injection').RolledOut | Should -BeNullOrEmpty
            $controller | Stop-Job -PassThru | Remove-Job

            # Without controllers nothing rolls out: the lab stops at the step, saying what it last saw.
            $null = & $kubectlPath --kubeconfig $k8s.KubeConfig delete deploy ui
            $err = Get-LabError { & $labScript -OutputPath $out -Section Install -Apply -SkipIstioInstall -WaitForRollout -RolloutTimeoutSec 2 -Connection $connection -WarningAction SilentlyContinue }
            $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
            $err.Exception.Message | Should -Match '\bui\b'
        } finally {
            Disconnect-LabCluster
            Get-Job | Remove-Job -Force
            $k8s.Process | Stop-Process -ErrorAction Ignore
        }
    }

    It 'writes the codelab''s exposed-monitoring-lb Service at each Monitoring step, each replacing the one before' {
        $monitoring = @($steps | Where-Object Section -EQ Monitoring)
        $monitoring.Step | Should -Be @('29-grafana', '30-prometheus', '31-kiali', '32-zipkin')
        $monitoring.Objects.DisplayName | Select-Object -Unique | Should -HaveCount 1
        $monitoring | ForEach-Object { $_.Objects.Spec.Ports[0].TargetPort } | Should -Be @(3000, 9090, 20001, 9411)
        ($steps | Where-Object Step -EQ '33-reset-ui-v1').Removes | Should -Be 'Service/istio-system/exposed-monitoring-lb'
        $cluster = Join-Path (Get-PSDrive TestDrive).Root 'monitoring-cluster'
        $connection = Connect-LabCluster -Directory $cluster
        try {
            $null = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab-monitoring') -Section Monitoring -Apply -Connection $connection
            (Get-LabResource svc exposed-monitoring-lb -Namespace istio-system -Connection $connection).Spec.Ports[0].TargetPort | Should -Be 9411
        } finally {
            Disconnect-LabCluster
        }
    }

    It 'runs only the sections asked for, keeping step numbers' {
        $only = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'egress') -Section Egress
        $only.Step | Should -Be @('26-registry-only', '27-egress-ubuntu', '28-egress-google')
    }

    It 'writes one manifest per step and emits what it made' {
        foreach ($step in $steps) {
            $step.File | Should -Exist
            $step.Objects | Should -Not -BeNullOrEmpty
            $step.Title | Should -Not -BeNullOrEmpty
        }
    }

    It 'is re-runnable: a second run writes the same files' {
        $again = Join-Path (Get-PSDrive TestDrive).Root 'again'
        $null = & $labScript -OutputPath $again -WarningAction SilentlyContinue
        foreach ($step in $steps) {
            Get-Content -Raw (Join-Path $again (Split-Path $step.File -Leaf)) | Should -BeExactly (Get-Content -Raw $step.File)
        }
    }

    It 'writes manifests that validate against the Istio 1.17.8 CRDs and MeshConfig schema (an independent validator)' {
        $result = Invoke-SchemaCheck (@('validate', $crds) + $steps.File)
        # Only core Kubernetes kinds (and kpack's, whose CRDs have no field schema) have no Istio schema.
        $result.Output | Where-Object { $_ -notmatch '^OK ' -and $_ -notmatch '^SKIP .* (Namespace|Deployment|StatefulSet|Service|ServiceAccount|Secret|Cluster|InstanceGroup|ClusterStore|ClusterStack|Builder|Image)/' } | Should -BeNullOrEmpty
        $result.ExitCode | Should -Be 0
        @($result.Output).Count | Should -Be @($steps.Objects).Count
        @($result.Output | Where-Object { $_ -match '^OK .*IstioOperator/' }).Count | Should -Be 2
    }
}

Describe 'Step <Step>' -ForEach $expected {
    It 'reproduces the codelab''s YAML' {
        $actual = Join-Path $labOut "$Step.yaml"
        $result = Invoke-SchemaCheck compare, $Expected, $actual
        $result.Output | Should -Be @('EQUAL')
    }
}

Describe 'The independent validator' {
    It 'rejects what Istio''s schema rejects (so the checks above can fail)' {
        Set-Content TestDrive:/bad.yaml "apiVersion: networking.istio.io/v1beta1`nkind: VirtualService`nmetadata: {name: x}`nspec:`n  hosts: [r]`n  http:`n  - route:`n    - destination: {host: r}`n      weight: '20'`n    colour: blue"
        $result = Invoke-SchemaCheck validate, $crds, (Join-Path (Get-PSDrive TestDrive).Root 'bad.yaml')
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match '/spec/http/0/route/0/weight'
        $result.Output | Should -Match '/spec/http/0/colour'
    }

    It 'tells documents that differ apart' {
        Set-Content TestDrive:/a.yaml "a: 1`nb: [x]"
        Set-Content TestDrive:/b.yaml "a: 1.0`nb: [y]"
        $root = (Get-PSDrive TestDrive).Root
        (Invoke-SchemaCheck compare, (Join-Path $root 'a.yaml'), (Join-Path $root 'b.yaml')).Output | Should -Be @('DIFF [0].b[0]: expected "x", found "y"')
    }
}

Describe 'Cmdlet output beyond the lab' {
    It 'validates against the Istio 1.17.8 CRDs' {
        $objects = @(
            New-MeshGateway -Name secure -Hosts 'guestbook.example.com' -Port 443 -Protocol HTTPS -CredentialName cert -Namespace istio-system
            New-MeshGateway -Name redirect -Hosts 'guestbook.example.com' -HttpsRedirect
            New-MeshVirtualService -Name reviews -Hosts reviews, reviews.shop.svc.cluster.local -Namespace shop |
                Add-MeshRoute reviews -Subset v2 -Port 9080 -UriExact /api -Method POST -HeaderExact @{ 'end-user' = 'jason' } -HeaderPrefix @{ cookie = 's=' } -RouteName jason |
                Add-MeshRoute reviews -Subset v1 -Weight 90 |
                Add-MeshRoute reviews -Subset v3 -Weight 10 |
                Add-MeshFault -Abort 500 -Delay ([timespan]::FromMilliseconds(1500)) -Percent 0.5 |
                Set-MeshRetryPolicy -Attempts 2 -PerTryTimeout 500ms -RetryOn 'gateway-error,503' |
                Set-MeshMirror reviews -Subset v4 -Port 9080 -Percent 12.5
            New-MeshDestinationRule -Name reviews -Host reviews.shop.svc.cluster.local -Namespace shop |
                Add-MeshSubset v1 @{ version = 'v1'; 'app.kubernetes.io/name' = 'reviews' } |
                Set-MeshCircuitBreaker -MaxConnections 1 -MaxRequestsPerConnection 1 -MaxPendingRequests 1 -MaxRequests 10 -Consecutive5xxErrors 1 -ConsecutiveGatewayErrors 2 -Interval 1s -BaseEjectionTime 3m -MaxEjectionPercent 100
            Set-MeshTrafficSplit reviews @{ stable = 90; canary = 10 } -SubsetLabels @{ stable = @{ track = 'stable' }; canary = @{ track = 'canary' } } -UriPrefix ''
        )
        $file = $objects | Export-LabManifest -Path (Join-Path (Get-PSDrive TestDrive).Root 'beyond.yaml')
        $result = Invoke-SchemaCheck validate, $crds, $file.FullName
        $result.Output | Where-Object { $_ -notmatch '^OK ' } | Should -BeNullOrEmpty
        @($result.Output).Count | Should -Be $objects.Count
    }
}

Describe 'The codelab suite, live, against the stand-in with the test playing the mesh (the plumbing, not the mesh)' {
    BeforeAll {
        $suite = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.Tests.ps1'
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        $marker = '__GUESTBOOKLAB_CURL__'
        # What the mesh does, played by this test: a thread that is the kubelet and the injection webhook (every pod
        # Running and ready, default's pods with an istio-proxy container), the ingress gateway (an HTTP listener
        # that listens while a Gateway exists, as Envoy's port 80 does) and the pods' curl (the stand-in relays every
        # exec of curl here). Its answers are the simulator's over what the stand-in holds at that moment, so they are
        # the codelab's only if the suite applied each step as the lab does; -Twist answers one observation wrongly.
        $playMesh = {
            param($ModuleManifest, $KubectlPath, $Config, $RelayPort, $GatewayPort, $Marker, $Workloads, [bool] $Twist, $Stop)
            Import-Module $ModuleManifest
            $null = Connect-LabCluster -KubeConfig $Config
            function Predict([string] $From, [string] $Uri, [string] $Method, [hashtable] $Header, [string] $Token) {
                $request = @{ From = $From; Uri = $Uri; Method = $Method; Header = $Header }
                if ($Token) { $request.Token = $Token }
                $r = Test-MeshRequest @request -WarningAction SilentlyContinue
                if ($Twist -and $From -eq 'ingress' -and $Method -eq 'GET' -and $r.Status -eq 403) {
                    return [pscustomobject]@{ Outcome = 'Delivered'; Status = 200; Body = 'the guestbook' }
                }
                # An HTTPS answer passed through (no status seen by the proxy) is the server's 200.
                if (-not $r.Status -and "$($r.Outcome)" -eq 'Delivered') { return [pscustomobject]@{ Outcome = 'Delivered'; Status = 200; Body = $r.Body } }
                $r
            }
            $exitCodes = @{ ConnectionRefused = 7; ConnectionReset = 56; ConnectionClosed = 52; TimedOut = 28; TlsError = 35; HostNotResolved = 6 }
            $http = [Net.HttpListener]::new()
            $http.Prefixes.Add("http://127.0.0.1:$RelayPort/")
            $http.Start()
            $gateway = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, $GatewayPort)
            $listening = $false
            $relayTask = $http.GetContextAsync()
            $acceptTask = $null
            $lastPoll = [DateTime]::MinValue
            while (-not $Stop.IsSet) {
                if (([DateTime]::UtcNow - $lastPoll).TotalMilliseconds -ge 300) {
                    $lastPoll = [DateTime]::UtcNow
                    # The kubelet and the webhook.
                    foreach ($pod in (& $KubectlPath --kubeconfig $Config get pods -A -o json | ConvertFrom-Json).items | Where-Object { $_.status.phase -ne 'Running' }) {
                        $ns, $name = $pod.metadata.namespace, $pod.metadata.name
                        $containers = @($pod.spec.containers)
                        if ($ns -eq 'default' -and $containers.name -notcontains 'istio-proxy') {
                            $containers += [pscustomobject]@{ name = 'istio-proxy'; image = 'docker.io/istio/proxyv2:1.17.8' }
                            $spec = @{ spec = @{ containers = $containers } } | ConvertTo-Json -Depth 10 -Compress
                            & $KubectlPath --kubeconfig $Config -n $ns patch pod $name --type=merge -p $spec | Out-Null
                        }
                        $statuses = @($containers | ForEach-Object { @{ name = $_.name; ready = $true; restartCount = 0; state = @{ running = @{} } } })
                        $status = @{ status = @{ phase = 'Running'; conditions = @(@{ type = 'Ready'; status = 'True' }); containerStatuses = $statuses } } | ConvertTo-Json -Depth 10 -Compress
                        & $KubectlPath --kubeconfig $Config -n $ns patch pod $name --subresource=status --type=merge -p $status | Out-Null
                    }
                    # Envoy listens on the gateway's port once a Gateway exists.
                    $gateways = @(Get-LabResource -Kind Gateway -ErrorAction Ignore)
                    if ($gateways.Count -and -not $listening) { $gateway.Start(); $listening = $true; $acceptTask = $gateway.AcceptTcpClientAsync() }
                    elseif (-not $gateways.Count -and $listening) { $gateway.Stop(); $listening = $false; $acceptTask = $null }
                }
                if ($relayTask.Wait(20)) {
                    # curl in a pod: the request from its arguments, the answer as curl prints it.
                    $context = $relayTask.Result
                    $relayTask = $http.GetContextAsync()
                    $call = [IO.StreamReader]::new($context.Request.InputStream).ReadToEnd() | ConvertFrom-Json
                    $argv = @($call.command); $method = 'GET'; $header = @{}; $token = $null
                    for ($i = 1; $i -lt $argv.Count - 1; $i++) {
                        if ($argv[$i] -eq '-X') { $method = $argv[++$i] }
                        elseif ($argv[$i] -eq '-H') { $k, $v = $argv[++$i] -split ': ', 2; if ($k -eq 'Authorization') { $token = $v -replace '^Bearer ' } else { $header[$k] = $v } }
                        elseif ($argv[$i] -in '-w', '--max-time', '-D') { $i++ }
                    }
                    $from = if ($Workloads[$call.pod]) { $Workloads[$call.pod] } else { "$($call.namespace)/$($call.pod)" }
                    $r = Predict $from $argv[-1] $method $header $token
                    $answer = if ($r.Status) {
                        $headers = if ("$($r.Outcome)" -eq 'Delivered') { "server: envoy`r`nx-envoy-upstream-service-time: 3" } else { 'server: envoy' }
                        @{ stdout = "HTTP/1.1 $($r.Status) X`r`n$headers`r`n`r`n$($r.Body)`n$Marker$($r.Status) 0.003`n" }
                    } else {
                        @{ stdout = "`n${Marker}000 0.001`n"; stderr = "curl: ($($exitCodes["$($r.Outcome)"])) $($r.Outcome)`n"; exitCode = $exitCodes["$($r.Outcome)"] }
                    }
                    $bytes = [Text.Encoding]::UTF8.GetBytes(($answer | ConvertTo-Json -Compress))
                    $context.Response.ContentType = 'application/json'
                    $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                    $context.Response.Close()
                }
                if ($acceptTask -and $acceptTask.Wait(20)) {
                    # The ingress gateway: the request from the wire, the answer as Envoy sends it.
                    $client = $acceptTask.Result
                    $acceptTask = $gateway.AcceptTcpClientAsync()
                    $stream = $client.GetStream()
                    $buffer = [byte[]]::new(16384); $text = ''
                    while (-not $text.Contains("`r`n`r`n")) { $n = $stream.Read($buffer, 0, $buffer.Length); if ($n -le 0) { break }; $text += [Text.Encoding]::ASCII.GetString($buffer, 0, $n) }
                    $lines = $text -split "`r`n"
                    $method, $path = $lines[0].Split(' ')[0..1]
                    $header = @{}; $token = $null; $hostName = 'localhost'
                    foreach ($line in $lines[1..($lines.Count - 1)] | Where-Object { $_ }) {
                        $k, $v = $line -split ':\s*', 2
                        if ($k -eq 'Host') { $hostName = $v } elseif ($k -eq 'Authorization') { $token = $v -replace '^Bearer ' } elseif ($k -eq 'User-Agent') { $header['User-Agent'] = $v }
                    }
                    $r = Predict ingress "http://$hostName$path" $method $header $token
                    if ($r.Status) {
                        $headers = if ("$($r.Outcome)" -eq 'Delivered') { "server: istio-envoy`r`nx-envoy-upstream-service-time: 3`r`n" } else { "server: istio-envoy`r`n" }
                        $body = [Text.Encoding]::UTF8.GetBytes("$($r.Body)")
                        $head = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 $($r.Status) X`r`n$($headers)content-length: $($body.Length)`r`nconnection: close`r`n`r`n")
                        $stream.Write($head, 0, $head.Length); $stream.Write($body, 0, $body.Length); $stream.Flush()
                        $client.Close()
                    } else {
                        $client.Client.LingerState = [Net.Sockets.LingerOption]::new($true, 0); $client.Client.Close()
                    }
                }
            }
            $http.Stop()
            if ($listening) { $gateway.Stop() }
        }

        # Runs the shipped suite live in a fresh pwsh against a fresh stand-in with the mesh played; its Its' results.
        function Invoke-LiveSuite([bool] $Twist) {
            $k8s = Start-StandIn
            $stop = [Threading.ManualResetEventSlim]::new($false)
            $job = $null
            try {
                $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
                $crd = "apiVersion: apiextensions.k8s.io/v1`nkind: CustomResourceDefinition`nmetadata: {name: istiooperators.install.istio.io}`nspec:`n  group: install.istio.io`n  names: {kind: IstioOperator, plural: istiooperators, singular: istiooperator, shortNames: [iop]}`n  scope: Namespaced`n  versions:`n  - name: v1alpha1`n    served: true`n    storage: true`n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}"
                $null = ConvertFrom-LabYaml $crd | Publish-LabResource
                $null = Get-ChildItem $crds -Filter *.crd.yaml | ForEach-Object { Publish-LabResource -Path $_.FullName }
                $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: istio-system}" | Publish-LabResource
                # The Deployments' pods, as the controllers and the scheduler would make them.
                $workloads = @{ 'ui-7d4b9-x2x9q' = 'ui'; 'message-service-6d9-aaaaa' = 'message-service'; 'guestbook-service-5c8-bbbbb' = 'guestbook-service' }
                $labels = @{ ui = '{app: ui, version: "1.0"}'; 'message-service' = '{app: message-service, version: "1.0"}'; 'guestbook-service' = '{app: guestbook-service, version: latest}' }
                foreach ($pod in $workloads.Keys) {
                    $app = $workloads[$pod]
                    $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: $pod, labels: $($labels[$app])}`nspec: {containers: [{name: $app, image: $($app):v1}]}" | Publish-LabResource
                }
                $ports = foreach ($i in 1, 2) { $l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $l.Start(); $l.LocalEndpoint.Port; $l.Stop() }
                $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/exec" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @(@{ namespace = '*'; pod = '*'; commandPrefix = @('curl'); relay = "http://127.0.0.1:$($ports[0])/" }))
                $job = Start-ThreadJob $playMesh -ArgumentList $ModuleManifest, $Kubectl, $k8s.KubeConfig, $ports[0], $ports[1], $marker, $workloads, $Twist, $stop
                $child = "`$env:NO_COLOR = '1'; Import-Module '$pester'; Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)'; " +
                    "`$c = New-PesterConfiguration; `$c.Run.Container = New-PesterContainer -Path '$suite' -Data @{ LabPath = '$labOut'; Live = `$true; IngressAddress = '127.0.0.1:$($ports[1])'; LiveCount = 20; SettleSec = 3; RequestTimeoutSec = 5; SkipIstioInstall = `$true }; " +
                    "`$c.Output.Verbosity = 'None'; `$c.Run.PassThru = `$true; `$r = Invoke-Pester -Configuration `$c; " +
                    "`$r.Tests | ForEach-Object { [pscustomobject]@{ Name = `$_.ExpandedName; Result = `"`$(`$_.Result)`"; Error = (`$_.ErrorRecord | ForEach-Object { `$_.Exception.Message }) -join ' ' } } | ConvertTo-Json -Compress -Depth 3"
                $run = Invoke-ChildPwsh $child
                $json = $run.Output | Where-Object { $_ -like '`[{*' } | Select-Object -Last 1
                if (-not $json) { throw "The live suite printed no results: $($run.Output -join "`n")" }
                [pscustomobject]@{ Tests = @($json | ConvertFrom-Json); Calls = @(Invoke-RestMethod "$($k8s.Url)/_standin/exec/calls" | ForEach-Object { $_ }) }
            } finally {
                $stop.Set()
                if ($job) { $job | Wait-Job -Timeout 20 | Out-Null; $job | Remove-Job -Force }
                Disconnect-LabCluster
                $k8s.Process | Stop-Process -ErrorAction Ignore
                Remove-Item -Recurse -Force $k8s.Folder -ErrorAction Ignore
            }
        }
    }

    It 'passes every observation when the played mesh answers what the codelab says, asking the cluster at each step' {
        $run = Invoke-LiveSuite $false
        $failed = @($run.Tests | Where-Object Result -NE 'Passed')
        $failed | ForEach-Object { "$($_.Name): $($_.Error)" } | Should -BeNullOrEmpty
        $run.Tests.Count | Should -BeGreaterOrEqual 26
        # The pods' requests went through curl exec'd in the client pods and the app's pods.
        $pods = @($run.Calls | ForEach-Object { "$($_.namespace)/$($_.pod)" } | Sort-Object -Unique)
        $pods | Should -Contain 'default/ubuntu'
        $pods | Should -Contain 'noistio/ubuntu'
        $pods | Should -Contain 'default/curl'
        $pods | Should -Contain 'default/ui-7d4b9-x2x9q'
    }

    It 'fails the observation where the played mesh answers otherwise, naming both answers' {
        $run = Invoke-LiveSuite $true
        $failed = @($run.Tests | Where-Object Result -NE 'Passed')
        $failed.Name | Should -Be @('denies everything with deny-all: RBAC: access denied')
        $failed[0].Error | Should -BeLike "*disagree on GET http://a1b2c3.us-east-1.elb.amazonaws.com/ from ingress at 37-deny-all*the simulator says '*403*'*the cluster says '*200*'*"
    }
}
