param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $inject = Join-Path $DataFolder 'istio/inject'
    $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
}

Describe 'ConvertTo-MeshInjected' {
    It 'writes istioctl kube-inject''s golden <Name> (apart from Go''s zero values and the image)' -ForEach @(
        @{ Name = 'hello.yaml' }, @{ Name = 'hello-probes.yaml' }, @{ Name = 'pod.yaml' }, @{ Name = 'statefulset.yaml' }
    ) {
        $out = ConvertFrom-LabYaml -Path (Join-Path $inject $Name) | ConvertTo-MeshInjected -Hub gcr.io/istio-testing -Tag latest
        $golden = (Get-Content -Raw (Join-Path $inject "$Name.injected")) -replace '(?m)^\s*creationTimestamp: null\r?\n', '' -replace '(?m)^\s*(strategy|updateStrategy|resources): \{\}\r?\n', ''
        $expected = ConvertFrom-LabYaml $golden
        $expected.AdditionalFields.Remove('status') | Out-Null
        $expectedFile = Join-Path (Get-PSDrive TestDrive).Root "expected-$Name"
        $actualFile = Join-Path (Get-PSDrive TestDrive).Root "actual-$Name"
        $expected | ConvertTo-LabYaml | Set-Content -LiteralPath $expectedFile
        $out | ConvertTo-LabYaml | Set-Content -LiteralPath $actualFile
        $result = Invoke-SchemaCheck -Arguments @('compare', $expectedFile, $actualFile)
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
    }

    It 'adds istio-init and istio-proxy to the guestbook app, and rewrites its /actuator/health probes to the agent' {
        $ui = $app | Where-Object { $_.Kind -eq 'Deployment' -and $_.Name -eq 'ui' } | ConvertTo-MeshInjected
        $spec = $ui.Spec.Template.Spec
        $spec.Containers.Name | Should -Be @('ui', 'istio-proxy')
        $spec.AdditionalFields['initContainers'][0]['name'] | Should -Be 'istio-init'
        $spec.Containers[1].Image | Should -Be 'docker.io/istio/proxyv2:1.17.8'
        $spec.Containers[0].ReadinessProbe.HttpGet.Path | Should -Be '/app-health/ui/readyz'
        $spec.Containers[0].ReadinessProbe.HttpGet.Port | Should -Be 15020
        $spec.Containers[0].ReadinessProbe.InitialDelaySeconds | Should -Be 40
        $probers = ($spec.Containers[1].AdditionalFields['env'] | Where-Object { $_['name'] -eq 'ISTIO_KUBE_APP_PROBERS' })['value']
        $probers | Should -Be '{"/app-health/ui/readyz":{"httpGet":{"path":"/actuator/health","port":9000}}}'
        $ui.Spec.Template.Metadata.Labels['security.istio.io/tlsMode'] | Should -Be 'istio'
        $ui.Spec.Template.Metadata.Annotations['sidecar.istio.io/status'] | Should -BeLike (([WildcardPattern]::Escape('{"initContainers":["istio-init"],"containers":["istio-proxy"],')) + '*"revision":"default"}')
    }

    It 'keeps the app''s probes with rewriteAppHTTPProbers "false" (the codelab''s ui-v2)' {
        $v2 = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/ui-deployment-v2.yaml') | Set-MeshProbeRewrite -Enabled:$false | ConvertTo-MeshInjected
        $v2.Spec.Template.Spec.Containers[0].ReadinessProbe.HttpGet.Path | Should -Be '/actuator/health'
        $v2.Spec.Template.Spec.Containers[1].AdditionalFields['env'].name | Should -Not -Contain 'ISTIO_KUBE_APP_PROBERS'
    }

    It 'passes other objects through, and does not change its input' {
        $before = $app | ConvertTo-LabYaml
        $out = @($app | ConvertTo-MeshInjected)
        $out.Count | Should -Be @($app).Count
        ($out | Where-Object Kind -EQ Service).Count | Should -Be ($app | Where-Object Kind -EQ Service).Count
        $app | ConvertTo-LabYaml | Should -Be $before
    }

    It 'leaves a pod with sidecar.istio.io/inject "false" as istioctl does, with a warning' {
        $pod = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: p, annotations: {sidecar.istio.io/inject: 'false'}}`nspec: {containers: [{name: a, image: a}]}"
        $out = $pod | ConvertTo-MeshInjected -WarningVariable warnings -WarningAction SilentlyContinue
        $out.AdditionalFields['spec']['containers'].Count | Should -Be 1
        "$warnings" | Should -BeLike '*injection disabled*'
    }

    It 'says which pods it cannot preview (InjectionNotPreviewed), and goes on with the next' {
        $pods = ConvertFrom-LabYaml ("apiVersion: v1`nkind: Pod`nmetadata: {name: tproxy, annotations: {sidecar.istio.io/interceptionMode: TPROXY}}`nspec: {containers: [{name: a, image: a}]}`n---`n" +
            "apiVersion: v1`nkind: Pod`nmetadata: {name: plain}`nspec: {containers: [{name: a, image: a}]}")
        $out = @($pods | ConvertTo-MeshInjected -ErrorVariable errors -ErrorAction SilentlyContinue)
        $out.Name | Should -Be 'plain'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InjectionNotPreviewed,*'
        $errors[0].Exception.Message | Should -BeLike '*tproxy*sidecar.istio.io/interceptionMode*'
    }

    It 'rejects a bad -Tag before reading any input' {
        Should-BeLabError (Get-LabError { $app | ConvertTo-MeshInjected -Tag '-x' }) -ErrorId InvalidInstallConfig -Field '-Tag' -Value '-x'
    }

    It 'says when nothing it received has pods' {
        $err = Get-LabError { New-MeshGateway -Name g | ConvertTo-MeshInjected }
        $err.FullyQualifiedErrorId | Should -BeLike 'NoApplicableInput,*'
    }
}

Describe 'The lab''s injection step' {
    It 'previews the app''s Deployments as the webhook injects them, without writing or applying them' {
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
        $step = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab') -Section Install -WarningAction SilentlyContinue | Where-Object Step -EQ '10-injection'
        $step.Objects.Kind | Should -Be 'Namespace'
        @($step.Preview).Count | Should -Be @($app | Where-Object Kind -EQ Deployment).Count
        foreach ($deployment in $step.Preview) { $deployment.Spec.Template.Spec.Containers.Name | Should -Contain 'istio-proxy' }
        Get-Content -Raw $step.File | Should -Not -BeLike '*istio-proxy*'
    }
}

Describe 'Install-LabMeshAddon' {
    BeforeAll {
        $k8s = Start-StandIn
        $kubectlPath = $Kubectl
        $config = $k8s.KubeConfig
        $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: istio-system}" | Publish-LabResource -Connection $connection
        $addons = Join-Path (Get-Module GuestbookLab).ModuleBase 'Addons/istio-1.17.8'
        # The controller: each Deployment in istio-system is reported rolled out a moment after it is applied.
        $controller = Start-ThreadJob {
            $deadline = [DateTime]::UtcNow.AddSeconds(240)
            while ([DateTime]::UtcNow -lt $deadline) {
                $items = (& $using:kubectlPath --kubeconfig $using:config -n istio-system get deploy -o json | ConvertFrom-Json).items
                foreach ($item in $items | Where-Object { $_.metadata.name -ne 'slow' -and (-not $_.status -or $_.status.observedGeneration -ne $_.metadata.generation) }) {
                    $n = if ($item.spec.replicas) { $item.spec.replicas } else { 1 }
                    $patch = @{ status = @{ observedGeneration = $item.metadata.generation; replicas = $n; updatedReplicas = $n; readyReplicas = $n; availableReplicas = $n } } | ConvertTo-Json -Compress
                    & $using:kubectlPath --kubeconfig $using:config -n istio-system patch deploy $item.metadata.name --subresource=status --type=merge -p $patch | Out-Null
                }
                Start-Sleep -Milliseconds 200
            }
        }
    }

    AfterAll {
        $controller | Stop-Job -PassThru | Remove-Job -Force
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -ErrorAction Ignore
    }

    It 'applies the codelab''s four addons as shipped, and waits until each has rolled out' {
        $out = Install-LabMeshAddon -Name zipkin, prometheus, grafana, kiali -Timeout 90s
        $out.Name | Should -Be @('zipkin', 'prometheus', 'grafana', 'kiali')
        foreach ($addon in $out) {
            $shipped = @(ConvertFrom-LabYaml -Path (Join-Path $addons ($addon.Name -eq 'zipkin' ? 'extras/zipkin.yaml' : "$($addon.Name).yaml")))
            $addon.Applied.Count | Should -Be $shipped.Count
            @($addon.Applied.Result | Sort-Object -Unique) | Should -Be 'Created'
            $addon.Deployment.AdditionalFields['status']['availableReplicas'] | Should -Be 1
        }
        ($out | Where-Object Name -EQ kiali).Port | Should -Be 20001
        $names = (& $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get deploy,svc -o name)
        $names | Should -Contain 'deployment.apps/zipkin'
        $names | Should -Contain 'service/tracing'
        $names | Should -Contain 'service/grafana'
        # What was applied reads back as shipped (the ownership label aside).
        $image = & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get deploy kiali -o jsonpath='{.spec.template.spec.containers[0].image}'
        $image | Should -Be 'quay.io/kiali/kiali:v1.63'
    }

    It 'is idempotent: a second run changes nothing' {
        $again = Install-LabMeshAddon -Name prometheus, kiali -Timeout 60s
        @($again.Applied.Result | Sort-Object -Unique) | Should -Be 'Unchanged'
    }

    It 'refuses jaeger while zipkin runs, naming the Services they share, and applies nothing' {
        $err = Get-LabError { Install-LabMeshAddon -Name jaeger }
        $err.FullyQualifiedErrorId | Should -BeLike 'AddonConflict,*'
        $err.Exception.Message | Should -BeLike '*zipkin is already installed*istio-system/tracing*istio-system/zipkin*'
        & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get deploy jaeger 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'refuses jaeger and zipkin together' {
        $err = Get-LabError { Install-LabMeshAddon -Name jaeger, zipkin }
        $err.FullyQualifiedErrorId | Should -BeLike 'AddonConflict,*'
        $err.Exception.Message | Should -BeLike '*both asked for*'
    }

    It 'applies another copy from -Uri' {
        $probe = [System.Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $yaml = Get-Content -Raw (Join-Path $addons 'extras/zipkin.yaml')
        $job = Start-ThreadJob -ArgumentList $port, $yaml -ScriptBlock {
            param($port, $yaml)
            $listener = [System.Net.HttpListener]::new()
            $listener.Prefixes.Add("http://127.0.0.1:$port/")
            $listener.Start()
            try {
                $context = $listener.GetContext()
                $body = [Text.Encoding]::UTF8.GetBytes($yaml)
                $context.Response.OutputStream.Write($body, 0, $body.Length)
                $context.Response.Close()
            } finally { $listener.Stop() }
        }
        for ($i = 0; $i -lt 50; $i++) {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
        }
        $out = Install-LabMeshAddon -Name zipkin -Uri "http://127.0.0.1:$port/samples/addons/extras/zipkin.yaml" -Timeout 60s
        $out.Source | Should -Be "http://127.0.0.1:$port/samples/addons/extras/zipkin.yaml"
        @($out.Applied.Result | Sort-Object -Unique) | Should -Be 'Unchanged'
        $job | Wait-Job -Timeout 10 | Remove-Job -Force
    }

    It 'Get-LabIngressAddress waits until the cloud assigns the ingress gateway its hostname' {
        $gateway = Join-Path (Get-PSDrive TestDrive).Root 'gateway.yaml'
        "apiVersion: v1`nkind: Service`nmetadata: {name: istio-ingressgateway, namespace: istio-system, labels: {app: istio-ingressgateway, istio: ingressgateway}}`nspec: {type: LoadBalancer, selector: {app: istio-ingressgateway}, ports: [{name: http2, port: 80, targetPort: 8080}]}" | Set-Content $gateway
        $null = Publish-LabResource -Path $gateway
        $cloud = Start-ThreadJob {
            Start-Sleep -Seconds 2
            $patch = '{"status":{"loadBalancer":{"ingress":[{"hostname":"a1b2c3.us-east-1.elb.amazonaws.com"}]}}}'
            & $using:kubectlPath --kubeconfig $using:config -n istio-system patch svc istio-ingressgateway --subresource=status --type=merge -p $patch
        }
        $address = Get-LabIngressAddress -Timeout 30s
        $address.Address | Should -Be 'a1b2c3.us-east-1.elb.amazonaws.com'
        $address.Url | Should -Be 'http://a1b2c3.us-east-1.elb.amazonaws.com'
        "$address" | Should -Be 'a1b2c3.us-east-1.elb.amazonaws.com'
        $cloud | Wait-Job -Timeout 10 | Remove-Job -Force
    }

    It 'Get-LabIngressAddress says when the Service is still pending after -Timeout' {
        $pending = Join-Path (Get-PSDrive TestDrive).Root 'pending.yaml'
        "apiVersion: v1`nkind: Service`nmetadata: {name: pending-gateway, namespace: istio-system}`nspec: {type: LoadBalancer, ports: [{port: 80}]}" | Set-Content $pending
        $null = Publish-LabResource -Path $pending
        $err = Get-LabError { Get-LabIngressAddress pending-gateway -Timeout 2s }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -BeLike '*istio-system/pending-gateway is still pending*'
    }

    It 'says with WaitTimedOut which addon did not roll out' {
        # Without the controller nothing reports the rollout.
        $controller | Stop-Job
        & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system delete deploy prometheus | Out-Null
        $out = Install-LabMeshAddon -Name prometheus -Timeout 2s -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $errors[0].Exception.Message | Should -BeLike '*istio-system/prometheus*'
        $out.Deployment | Should -BeNullOrEmpty
        @($out.Applied | Where-Object Kind -EQ Deployment).Result | Should -Be 'Created'
    }
}

Describe 'Open-LabDashboard -Expose LoadBalancer and Close-LabDashboard' {
    BeforeAll {
        $k8s = Start-StandIn
        $kubectlPath = $Kubectl
        $config = $k8s.KubeConfig
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: istio-system}" | Publish-LabResource
        # The codelab's Service manifests, as it writes them.
        $codelab = @{
            grafana    = "  - port: 80`n    protocol: TCP`n    targetPort: 3000`n  selector:`n    app.kubernetes.io/instance: grafana`n    app.kubernetes.io/name: grafana"
            prometheus = "  - port: 80`n    protocol: TCP`n    targetPort: 9090`n  selector:`n    app: prometheus`n    component: server`n    release: prometheus"
            kiali      = "  - port: 80`n    protocol: TCP`n    targetPort: 20001`n  selector:`n    app.kubernetes.io/instance: kiali`n    app.kubernetes.io/name: kiali"
            zipkin     = "  - port: 80`n    protocol: TCP`n    targetPort: 9411`n  selector:`n    app: zipkin"
        }
    }

    AfterAll {
        Get-Job | Remove-Job -Force
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -ErrorAction Ignore
    }

    It 'writes the codelab''s exposed-monitoring-lb Service for <_> (labelled as the lab''s own)' -ForEach 'grafana', 'prometheus', 'kiali', 'zipkin' {
        $connection = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root "dash-$_")
        try {
            $dashboard = Open-LabDashboard -Name $_ -Expose LoadBalancer -NoBrowser -Connection $connection -WarningAction SilentlyContinue
        } finally {
            $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        }
        $dashboard.Url | Should -BeNullOrEmpty
        $expected = Join-Path (Get-PSDrive TestDrive).Root "expected-$_.yaml"
        $actual = Join-Path (Get-PSDrive TestDrive).Root "actual-$_.yaml"
        "apiVersion: v1`nkind: Service`nmetadata:`n  name: exposed-monitoring-lb`n  namespace: istio-system`n  labels: {app.kubernetes.io/managed-by: guestbooklab}`nspec:`n  ports:`n$($codelab[$_])`n  type: LoadBalancer" | Set-Content $expected
        $dashboard.Service | ConvertTo-LabYaml | Set-Content $actual
        $result = Invoke-SchemaCheck -Arguments @('compare', $expected, $actual)
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
    }

    It 'builds the same Service offline with New-LabDashboardService <_> (no target needed)' -ForEach 'grafana', 'prometheus', 'kiali', 'zipkin' {
        $expected = Join-Path (Get-PSDrive TestDrive).Root "expected-new-$_.yaml"
        $actual = Join-Path (Get-PSDrive TestDrive).Root "actual-new-$_.yaml"
        "apiVersion: v1`nkind: Service`nmetadata:`n  name: exposed-monitoring-lb`n  namespace: istio-system`nspec:`n  ports:`n$($codelab[$_])`n  type: LoadBalancer" | Set-Content $expected
        $name = $_
        $result = Invoke-ChildPwsh "Import-Module '$ModuleManifest'; New-LabDashboardService -Name $name | ConvertTo-LabYaml"
        $result.Output -join "`n" | Set-Content $actual
        $compare = Invoke-SchemaCheck -Arguments @('compare', $expected, $actual)
        $compare.ExitCode | Should -Be 0 -Because ($compare.Output -join "`n")
    }

    It 'lets the lab''s Monitoring steps open each dashboard on a cluster (-Apply), the URL in the step''s Dashboard' {
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
        $cloud = Start-ThreadJob {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline) {
                $svc = & $using:kubectlPath --kubeconfig $using:config -n istio-system get svc exposed-monitoring-lb -o json 2>$null | ConvertFrom-Json
                if ($svc -and -not $svc.status.loadBalancer.ingress) {
                    $patch = '{"status":{"loadBalancer":{"ingress":[{"hostname":"a1b2c3.us-east-1.elb.amazonaws.com"}]}}}'
                    & $using:kubectlPath --kubeconfig $using:config -n istio-system patch svc exposed-monitoring-lb --subresource=status --type=merge -p $patch | Out-Null
                }
                Start-Sleep -Milliseconds 200
            }
        }
        try {
            $steps = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab-monitoring') -Section Monitoring -Apply -NoBrowser -DashboardTimeoutSec 30
            $svc = & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get svc exposed-monitoring-lb -o json | ConvertFrom-Json
        } finally {
            $cloud | Stop-Job -PassThru | Remove-Job -Force
            Close-LabDashboard -Confirm:$false
        }
        $steps.Step | Should -Be @('29-grafana', '30-prometheus', '31-kiali', '32-zipkin')
        $steps.Dashboard.Name | Should -Be @('grafana', 'prometheus', 'kiali', 'zipkin')
        $steps.Dashboard.Url | Should -Be (@('http://a1b2c3.us-east-1.elb.amazonaws.com') * 4)
        $svc.spec.ports[0].targetPort | Should -Be 9411 -Because 'each step replaced the Service, Zipkin last'
    }

    It 'waits for the load balancer''s hostname and returns http://HOSTNAME, then moves the Service in place to another dashboard' {
        $cloud = Start-ThreadJob {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline) {
                $svc = & $using:kubectlPath --kubeconfig $using:config -n istio-system get svc exposed-monitoring-lb -o json 2>$null | ConvertFrom-Json
                if ($svc -and -not $svc.status.loadBalancer.ingress) {
                    $patch = '{"status":{"loadBalancer":{"ingress":[{"hostname":"d4e5f6.us-east-1.elb.amazonaws.com"}]}}}'
                    & $using:kubectlPath --kubeconfig $using:config -n istio-system patch svc exposed-monitoring-lb --subresource=status --type=merge -p $patch | Out-Null
                }
                Start-Sleep -Milliseconds 200
            }
        }
        try {
            $grafana = Open-LabDashboard grafana -Expose LoadBalancer -NoBrowser -Timeout 30s
            $grafana.Url | Should -Be 'http://d4e5f6.us-east-1.elb.amazonaws.com'
            $uid = & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get svc exposed-monitoring-lb -o jsonpath='{.metadata.uid}'

            $prometheus = Open-LabDashboard prometheus -Expose LoadBalancer -NoBrowser -Timeout 30s
            $prometheus.Url | Should -Be 'http://d4e5f6.us-east-1.elb.amazonaws.com'
            $svc = & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get svc exposed-monitoring-lb -o json | ConvertFrom-Json
            $svc.metadata.uid | Should -Be $uid
            @($svc.spec.selector.PSObject.Properties.Name | Sort-Object) | Should -Be @('app', 'component', 'release')
            $svc.spec.ports[0].targetPort | Should -Be 9090
        } finally {
            $cloud | Stop-Job -PassThru | Remove-Job -Force
        }
    }

    It 'Close-LabDashboard removes the Service, and says nothing more when it is gone' {
        Close-LabDashboard -Confirm:$false
        & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get svc exposed-monitoring-lb 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0
        { Close-LabDashboard -Confirm:$false } | Should -Not -Throw
    }

    It 'says the Service is still pending when no address comes before -Timeout' {
        $err = Get-LabError { Open-LabDashboard kiali -Expose LoadBalancer -NoBrowser -Timeout 2s }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -BeLike '*exposed-monitoring-lb is still pending*'
        Close-LabDashboard -Confirm:$false
    }
}

Describe 'Open-LabDashboard as istioctl dashboard: a port-forward to the addon''s pod' {
    # The stand-in speaks the API server's WebSocket port-forward (v4.channel.k8s.io) and relays to a local HTTP
    # server that stands in for Grafana: this proves the plumbing (pod choice, channels, bytes both ways, Ctrl+C), not
    # a dashboard.
    BeforeAll {
        $k8s = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: istio-system}" | Publish-LabResource
        $pod = "apiVersion: v1`nkind: Pod`nmetadata: {name: grafana-6c5dc6df7c-x7k2p, namespace: istio-system, labels: {app: grafana, app.kubernetes.io/name: grafana}}`nspec: {containers: [{name: grafana, image: 'grafana/grafana:9.0.1'}]}"
        $null = ConvertFrom-LabYaml $pod | Publish-LabResource
        $running = '{"status":{"phase":"Running","containerStatuses":[{"name":"grafana","ready":true,"restartCount":0,"state":{"running":{}}}]}}'
        & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system patch pod grafana-6c5dc6df7c-x7k2p --subresource=status --type=merge -p $running | Out-Null
        # Grafana, played by a local HTTP server.
        $listener = [System.Net.HttpListener]::new()
        $grafanaPort = Get-Random -Minimum 20000 -Maximum 40000
        $listener.Prefixes.Add("http://+:$grafanaPort/")
        $listener.Start()
        $server = Start-ThreadJob {
            $l = $using:listener
            while ($l.IsListening) {
                try { $context = $l.GetContext() } catch { break }
                $bytes = [Text.Encoding]::UTF8.GetBytes("grafana says hello to $($context.Request.Url.AbsolutePath)")
                $context.Response.ContentType = 'text/plain; charset=utf-8'
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
        }
        $register = @{ namespace = 'istio-system'; pod = 'grafana-6c5dc6df7c-x7k2p'; port = 3000; target = "127.0.0.1:$grafanaPort" } | ConvertTo-Json
        $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/portforward" -Body $register -ContentType application/json
        function Get-FreePort { $l = [System.Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop(); $p }
        function Start-Dashboard([string] $Name, [int] $Port) {
            $kubeconfig = $k8s.KubeConfig
            # (A thread job is NotStarted until its runspace opens: wait for output or for its end.)
            $job = Start-ThreadJob {
                Import-Module $using:ModuleManifest
                $null = Connect-LabCluster -KubeConfig $using:kubeconfig
                Open-LabDashboard $using:Name -NoBrowser -LocalPort $using:Port -Verbose
            }
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            do { Start-Sleep -Milliseconds 100; $out = @($job | Receive-Job -Keep -ErrorAction SilentlyContinue) } until ($out.Count -gt 0 -or $job.State -in 'Completed', 'Failed', 'Stopped' -or [DateTime]::UtcNow -gt $deadline)
            [pscustomobject]@{ Job = $job; Dashboard = $out | Where-Object { $_ -is [GuestbookLab.Model.LabDashboard] } | Select-Object -First 1 }
        }
    }
    AfterAll {
        $listener.Stop()
        $server | Remove-Job -Force -ErrorAction Ignore
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'forwards localhost to the Running pod istioctl''s label finds, until the command is stopped' {
        $port = Get-FreePort
        $started = Start-Dashboard grafana $port
        try {
            $started.Dashboard | Should -Not -BeNullOrEmpty -Because "the job wrote: $($started.Job | Receive-Job -Keep 2>&1 | Out-String)"
            $started.Dashboard.Url | Should -Be "http://localhost:$port/"
            $started.Dashboard.Expose | Should -Be 'PortForward'
            $started.Dashboard.Pod | Should -Be 'istio-system/grafana-6c5dc6df7c-x7k2p'
            (Invoke-WebRequest "http://127.0.0.1:$port/d/istio-mesh" -UseBasicParsing).Content | Should -Be 'grafana says hello to /d/istio-mesh'
            (Invoke-WebRequest "http://127.0.0.1:$port/login" -UseBasicParsing).Content | Should -Be 'grafana says hello to /login' -Because 'each connection gets its own stream'
            $calls = Invoke-RestMethod "$($k8s.Url)/_standin/portforward/calls"
            @($calls | Where-Object pod -EQ 'grafana-6c5dc6df7c-x7k2p').Count | Should -BeGreaterOrEqual 2
            $calls[0].port | Should -Be 3000
            $calls[0].protocol | Should -Be 'v4.channel.k8s.io'
            $verbose = $started.Job.Verbose.Message
            $verbose | Should -Contain "Forwarding from 127.0.0.1:$port -> 3000 (pod istio-system/grafana-6c5dc6df7c-x7k2p); Ctrl+C stops it"
            $verbose | Should -Contain "Handling connection for $port"
        } finally {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $started.Job | Stop-Job
            $clock.Stop()
        }
        $started.Job.State | Should -Be 'Stopped'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'Ctrl+C ends the forward (the time is printed by the test, not asserted tightly)'
        Write-Host "Open-LabDashboard port-forward stopped in $([int]$clock.Elapsed.TotalMilliseconds) ms"
        $probe = [System.Net.Sockets.TcpClient]::new()
        { $probe.Connect('127.0.0.1', $port) } | Should -Throw -Because 'the listener is closed once the command stops'
        $probe.Dispose()
        $started.Job | Remove-Job -Force
    }

    It 'runs as a background job with -AsJob: Running while the URL answers, Stopped and refusing after Stop-Job' {
        $port = Get-FreePort
        $before = @(Get-Job).Count
        $job = Open-LabDashboard grafana -AsJob -NoBrowser -LocalPort $port
        try {
            $job | Should -BeOfType ([GuestbookLab.Commands.Cluster.DashboardForwardJob])
            $job.PSJobTypeName | Should -Be 'LabDashboardJob'
            (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId -Because 'the job is in the session''s job repository'
            @(Get-Job).Count | Should -Be ($before + 1)
            $job.State | Should -Be 'Running'
            (Invoke-WebRequest "http://127.0.0.1:$port/d/istio-mesh" -UseBasicParsing).Content | Should -Be 'grafana says hello to /d/istio-mesh'
            (Invoke-WebRequest "http://127.0.0.1:$port/login" -UseBasicParsing).Content | Should -Be 'grafana says hello to /login'
            $job.State | Should -Be 'Running' -Because 'it keeps forwarding until Stop-Job'
            # (Read before Receive-Job, which takes the verbose records too.)
            $verbose = for ($i = 0; $i -lt $job.Verbose.Count; $i++) { $job.Verbose[$i].Message }
            $verbose | Should -Contain "Forwarding from 127.0.0.1:$port -> 3000 (pod istio-system/grafana-6c5dc6df7c-x7k2p); Stop-Job stops it"
            $verbose | Should -Contain "Handling connection for $port"
            $dashboard = @($job | Receive-Job -Verbose:$false 4>$null)
            $dashboard.Count | Should -Be 1
            $dashboard[0] | Should -BeOfType ([GuestbookLab.Model.LabDashboard])
            $dashboard[0].Url | Should -Be "http://localhost:$port/"
            $dashboard[0].Expose | Should -Be 'PortForward'
            $dashboard[0].Pod | Should -Be 'istio-system/grafana-6c5dc6df7c-x7k2p'
            $dashboard[0].LocalPort | Should -Be $port
            $job.Dashboard.Url | Should -Be "http://localhost:$port/"
            # A connection left open through the forward (a request not yet finished) must not hold Stop-Job up.
            $calls = (Invoke-RestMethod "$($k8s.Url)/_standin/portforward/calls").Count
            $held = [System.Net.Sockets.TcpClient]::new()
            $held.Connect('127.0.0.1', $port)
            $stream = $held.GetStream()
            $partial = [Text.Encoding]::ASCII.GetBytes("GET /held HTTP/1.1`r`nHost: localhost`r`n")
            $stream.Write($partial, 0, $partial.Length)
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ((Invoke-RestMethod "$($k8s.Url)/_standin/portforward/calls").Count -le $calls -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            (Invoke-RestMethod "$($k8s.Url)/_standin/portforward/calls").Count | Should -BeGreaterThan $calls -Because 'the held connection reached the pod'
            Start-Sleep -Milliseconds 200
        } finally {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $job | Stop-Job
            $clock.Stop()
        }
        Write-Host "Open-LabDashboard -AsJob: Stop-Job returned in $([int]$clock.Elapsed.TotalMilliseconds) ms"
        $job.State | Should -Be 'Stopped'
        $probe = [System.Net.Sockets.TcpClient]::new()
        { $probe.Connect('127.0.0.1', $port) } | Should -Throw -Because 'Stop-Job closes the listener'
        $probe.Dispose()
        # The held connection was closed by Stop-Job (end of stream or a reset), not left to time out.
        $stream.ReadTimeout = 20000
        $buffer = [byte[]]::new(4096)
        $ended = try { while (($n = $stream.Read($buffer, 0, $buffer.Length)) -gt 0) { }; 'closed' } catch { $_.Exception.InnerException.InnerException.SocketErrorCode ?? $_.Exception.InnerException.SocketErrorCode ?? "$($_.Exception.Message)" }
        "$ended" | Should -Not -Be 'TimedOut' -Because 'the forwarded connection closes with the job'
        $held.Dispose()
        { Invoke-WebRequest "http://127.0.0.1:$port/" -UseBasicParsing -TimeoutSec 5 } | Should -Throw -Because 'the URL refuses once the job is stopped'
        $job | Remove-Job
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @(Get-Job).Count | Should -Be $before
    }

    It 'Remove-Job -Force stops a running dashboard job and closes its listener' {
        $job = Open-LabDashboard grafana -AsJob -NoBrowser -LocalPort (Get-FreePort)
        $port = $job.Dashboard.LocalPort
        (Invoke-WebRequest "$($job.Dashboard.Url)x" -UseBasicParsing).Content | Should -Be 'grafana says hello to /x'
        $job | Remove-Job -Force
        $job.State | Should -Be 'Stopped'
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $probe = [System.Net.Sockets.TcpClient]::new()
        { $probe.Connect('127.0.0.1', $port) } | Should -Throw
        $probe.Dispose()
    }

    It 'with -AsJob -WhatIf says what it would forward and starts no job; errors come before any job' {
        $before = @(Get-Job).Count
        Open-LabDashboard grafana -AsJob -NoBrowser -WhatIf | Should -BeNullOrEmpty
        @(Get-Job).Count | Should -Be $before
        $result = Invoke-ChildPwsh "Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)'; Open-LabDashboard grafana -AsJob -NoBrowser -LocalPort 3999 -WhatIf; 'jobs: ' + @(Get-Job).Count"
        ($result.Output -join ' ') | Should -BeLike '*What if: Performing the operation "Port-forward in a background job (until Stop-Job)" on target "localhost port 3999 to pod istio-system/grafana-6c5dc6df7c-x7k2p port 3000 (grafana)"*'
        $result.Output | Should -Contain 'jobs: 0'
        (Get-LabError { Open-LabDashboard kiali -AsJob -NoBrowser }).FullyQualifiedErrorId | Should -BeLike 'DashboardPodNotFound,*'
        @(Get-Job).Count | Should -Be $before
    }

    It 'takes another free port when the dashboard''s is in use' {
        $busy = [System.Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $busy.Start()
        try {
            $started = Start-Dashboard grafana $busy.LocalEndpoint.Port
            $started.Dashboard.LocalPort | Should -Not -Be $busy.LocalEndpoint.Port
            (Invoke-WebRequest "$($started.Dashboard.Url)x" -UseBasicParsing).Content | Should -Be 'grafana says hello to /x'
        } finally {
            $started.Job | Stop-Job -PassThru | Remove-Job -Force
            $busy.Stop()
        }
    }

    It 'says when no Running pod serves the dashboard (DashboardPodNotFound), and that a folder has no pods' {
        $err = Get-LabError { Open-LabDashboard kiali -NoBrowser }
        $err.FullyQualifiedErrorId | Should -BeLike 'DashboardPodNotFound,*'
        $err.Exception.Message | Should -BeLike '*app=kiali*istio-system*Install-LabMeshAddon -Name kiali*'
        $folder = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root 'no-pods')
        (Get-LabError { Open-LabDashboard grafana -NoBrowser -Connection $folder }).FullyQualifiedErrorId | Should -BeLike 'PortForwardNotAvailable,*'
    }

    It 'writes the kubelet''s error to the verbose stream when nothing listens on the pod''s port' {
        $null = Invoke-RestMethod -Method Delete -Uri "$($k8s.Url)/_standin/portforward"
        $port = Get-FreePort
        $started = Start-Dashboard grafana $port
        try {
            { Invoke-WebRequest "http://127.0.0.1:$port/" -UseBasicParsing -TimeoutSec 10 } | Should -Throw
            Start-Sleep -Milliseconds 300
            ($started.Job.Verbose.Message -join "`n") | Should -Match 'error: error forwarding port 3000 to pod grafana-6c5dc6df7c-x7k2p'
        } finally {
            $started.Job | Stop-Job -PassThru | Remove-Job -Force
            $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/portforward" -Body $register -ContentType application/json
        }
    }

    It 'forwards as kubectl 1.35 port-forward does (kubectl, speaking SPDY to the stand-in, is the oracle): the same bytes, the same messages' {
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $kubectlPort = Get-FreePort
        $log = Join-Path (Get-PSDrive TestDrive).Root "kubectl-port-forward-$kubectlPort.txt"
        $kubectl = Start-Process -FilePath $Kubectl -ArgumentList '--kubeconfig', $k8s.KubeConfig, '-n', 'istio-system', 'port-forward', 'pod/grafana-6c5dc6df7c-x7k2p', "${kubectlPort}:3000", '--address', '127.0.0.1' -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        $ourPort = Get-FreePort
        $ours = Start-Dashboard grafana $ourPort
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Select-String -Path $log -Pattern '^Forwarding from' -Quiet -ErrorAction Ignore) -and -not $kubectl.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $theirs = foreach ($path in '/d/istio-mesh', '/login', '/api/health') { (Invoke-WebRequest "http://127.0.0.1:$kubectlPort$path" -UseBasicParsing -TimeoutSec 10).Content }
            $mine = foreach ($path in '/d/istio-mesh', '/login', '/api/health') { (Invoke-WebRequest "http://127.0.0.1:$ourPort$path" -UseBasicParsing -TimeoutSec 10).Content }
            $theirs | Should -Be @('grafana says hello to /d/istio-mesh', 'grafana says hello to /login', 'grafana says hello to /api/health') -Because (Get-Content -Raw "$log.err" -ErrorAction Ignore)
            $mine | Should -Be $theirs
            Start-Sleep -Milliseconds 300
            $printed = @(Get-Content $log)
            $printed | Should -Contain "Forwarding from 127.0.0.1:$kubectlPort -> 3000"
            @($printed | Where-Object { $_ -eq "Handling connection for $kubectlPort" }).Count | Should -Be 3
            $verbose = $ours.Job.Verbose.Message
            $verbose | Should -Contain "Forwarding from 127.0.0.1:$ourPort -> 3000 (pod istio-system/grafana-6c5dc6df7c-x7k2p); Ctrl+C stops it" -Because 'the module says what kubectl says, with the pod'
            @($verbose | Where-Object { $_ -eq "Handling connection for $ourPort" }).Count | Should -Be 3
            $calls = Invoke-RestMethod "$($k8s.Url)/_standin/portforward/calls"
            @($calls | Where-Object protocol -EQ 'SPDY/3.1+portforward.k8s.io').Count | Should -BeGreaterOrEqual 1 -Because 'kubectl 1.35 tunnels SPDY in a WebSocket; the module speaks v4.channel.k8s.io'
        } finally {
            $kubectl | Stop-Process -Force -ErrorAction Ignore
            $ours.Job | Stop-Job -PassThru | Remove-Job -Force
        }
    }

    It 'ends with PortForwardFailed when the pod goes away, in the foreground and with -AsJob (as kubectl port-forward ends)' {
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $foregroundPort = Get-FreePort
        $foreground = Start-Dashboard grafana $foregroundPort
        $jobPort = Get-FreePort
        $job = Open-LabDashboard grafana -AsJob -NoBrowser -LocalPort $jobPort
        try {
            (Invoke-WebRequest "http://127.0.0.1:$jobPort/before" -UseBasicParsing).Content | Should -Be 'grafana says hello to /before'
            & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system delete pod grafana-6c5dc6df7c-x7k2p --wait=false | Out-Null
            # The next connection finds the pod gone; the forward then ends and its listener closes.
            { Invoke-WebRequest "http://127.0.0.1:$jobPort/after" -UseBasicParsing -TimeoutSec 10 } | Should -Throw
            { Invoke-WebRequest "http://127.0.0.1:$foregroundPort/after" -UseBasicParsing -TimeoutSec 10 } | Should -Throw
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (($job.State -eq 'Running' -or $foreground.Job.State -eq 'Running') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $job.State | Should -Be 'Failed'
            $job.Error[0].FullyQualifiedErrorId | Should -BeLike 'PortForwardFailed*'
            $job.Error[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $job.Error[0].Exception.Message | Should -BeLike '*pod istio-system/grafana-6c5dc6df7c-x7k2p is gone*'
            $foreground.Job.State | Should -BeIn 'Completed', 'Failed' -Because 'the command ends (with its error) when its pod has gone'
            $foregroundErrors = $null
            $foreground.Job | Receive-Job -Keep -ErrorVariable foregroundErrors -ErrorAction SilentlyContinue | Out-Null
            @($foregroundErrors | Where-Object { "$($_.FullyQualifiedErrorId)" -like 'PortForwardFailed*' }).Count | Should -Be 1 -Because ($foregroundErrors | Out-String)
            foreach ($port in $jobPort, $foregroundPort) {
                $probe = [System.Net.Sockets.TcpClient]::new()
                { $probe.Connect('127.0.0.1', $port) } | Should -Throw -Because "the listener on $port is closed once its forward has ended"
                $probe.Dispose()
            }
        } finally {
            $job | Remove-Job -Force
            $foreground.Job | Stop-Job -PassThru | Remove-Job -Force
            $null = ConvertFrom-LabYaml $pod | Publish-LabResource
            & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system patch pod grafana-6c5dc6df7c-x7k2p --subresource=status --type=merge -p $running | Out-Null
        }
    }
}

Describe 'Install-LabIstio and Uninstall-LabIstio (a fake istioctl)' {
    BeforeAll {
        $k8s = Start-StandIn
        $kubectlPath = $Kubectl
        $config = $k8s.KubeConfig
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        # The fake istioctl, built beside the fake kops; a copy of its own with a call log and a script.
        $folder = Join-Path (Get-PSDrive TestDrive).Root 'istioctl'
        $null = New-Item -ItemType Directory -Path $folder
        Copy-Item (Join-Path ($FakeKops -replace 'FakeKops', 'FakeIstioctl') '*') $folder -Recurse
        $istioctl = Join-Path $folder ($IsWindows ? 'istioctl.exe' : 'istioctl')
        $log = Join-Path $folder 'calls.jsonl'
        $script = Join-Path $folder 'script.json'
        $env:FAKEISTIOCTL_LOG = $log
        $env:FAKEISTIOCTL_SCRIPT = $script
        function Get-Call { @(Get-Content $log | ForEach-Object { $_ | ConvertFrom-Json }) }
        # The controllers: istio-system's Deployments are reported rolled out a moment after istioctl applies them.
        $controller = Start-ThreadJob {
            $deadline = [DateTime]::UtcNow.AddSeconds(240)
            while ([DateTime]::UtcNow -lt $deadline) {
                $items = (& $using:kubectlPath --kubeconfig $using:config -n istio-system get deploy -o json 2>$null | ConvertFrom-Json).items
                foreach ($item in $items | Where-Object { -not $_.status -or $_.status.observedGeneration -ne $_.metadata.generation }) {
                    $patch = @{ status = @{ observedGeneration = $item.metadata.generation; replicas = 1; updatedReplicas = 1; readyReplicas = 1; availableReplicas = 1 } } | ConvertTo-Json -Compress
                    & $using:kubectlPath --kubeconfig $using:config -n istio-system patch deploy $item.metadata.name --subresource=status --type=merge -p $patch | Out-Null
                }
                Start-Sleep -Milliseconds 200
            }
        }
    }

    AfterAll {
        $controller | Stop-Job -PassThru | Remove-Job -Force
        Remove-Item env:FAKEISTIOCTL_LOG, env:FAKEISTIOCTL_SCRIPT, env:FAKEISTIOCTL_VERSION -ErrorAction Ignore
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -ErrorAction Ignore
    }

    It 'runs istioctl install -f FILE -y against the session''s cluster, then waits for istiod and both gateways (demo)' {
        $installed = New-MeshInstallConfig -Profile demo | Install-LabIstio -IstioctlPath $istioctl -Timeout 60s -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [GuestbookLab.Model.LabIstioInstall] }
        $installed.Profile | Should -Be 'demo'
        $installed.Revision | Should -Be 'default'
        $installed.Components | Should -Be @('istiod', 'istio-ingressgateway', 'istio-egressgateway')
        $installed.IngressGateway.Spec.Type | Should -Be 'LoadBalancer'
        $installed.IstioctlVersion | Should -Be '1.17.8'
        $call = (Get-Call)[-1]
        $call.args[0..1] | Should -Be @('install', '-f')
        $call.args[3..6] | Should -Be @('-y', '--kubeconfig', $k8s.KubeConfig, '--context')
        $call.file | Should -BeLike '*profile: demo*'
        $call.file | Should -BeLike '*zipkin.istio-system:9411*'
        Test-Path $call.args[2] | Should -BeFalse -Because 'the temporary configuration file is removed'
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Running $istioctl install -f $($call.args[2]) -y --kubeconfig $($k8s.KubeConfig) --context standin"
    }

    It 're-installs a changed configuration (the codelab''s REGISTRY_ONLY step)' {
        $null = New-MeshInstallConfig -Profile demo | Set-MeshOutboundPolicy -Mode REGISTRY_ONLY | Install-LabIstio -IstioctlPath $istioctl -Timeout 60s
        (Get-Call)[-1].file | Should -BeLike '*mode: REGISTRY_ONLY*'
    }

    It 'warns when istioctl is of another minor version, naming both' {
        $env:FAKEISTIOCTL_VERSION = '1.20.0'
        try {
            $null = New-MeshInstallConfig | Install-LabIstio -IstioctlPath $istioctl -Timeout 60s -WarningVariable warnings -WarningAction SilentlyContinue
        } finally { Remove-Item env:FAKEISTIOCTL_VERSION }
        "$warnings" | Should -BeLike '*istioctl 1.20.0*Istio 1.17.8*'
    }

    It 'fails with istioctl''s last lines (IstioctlFailed)' {
        @{ install = @{ exit = 1; stderr = @('Error: failed to install manifests: context deadline exceeded') } } | ConvertTo-Json -Depth 4 | Set-Content $script
        try {
            $err = Get-LabError { New-MeshInstallConfig | Install-LabIstio -IstioctlPath $istioctl }
        } finally { Remove-Item $script }
        $err.FullyQualifiedErrorId | Should -BeLike 'IstioctlFailed,*'
        $err.Exception.Message | Should -BeLike '*exit code 1*context deadline exceeded*'
    }

    It 'says how to get istioctl 1.17 when it is missing (IstioctlNotFound)' {
        $err = Get-LabError { New-MeshInstallConfig | Install-LabIstio -IstioctlPath (Join-Path $folder 'nope') }
        $err.FullyQualifiedErrorId | Should -BeLike 'IstioctlNotFound,*'
        $err.Exception.Message | Should -BeLike '*ISTIO_VERSION=1.17.8*-IstioctlPath*'
    }

    It 'says the exact command with -WhatIf and runs nothing' {
        $before = @(Get-Call).Count
        $result = Invoke-ChildPwsh "Import-Module '$ModuleManifest'; Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)' | Out-Null; New-MeshInstallConfig | Install-LabIstio -IstioctlPath '$istioctl' -WhatIf; Uninstall-LabIstio -IstioctlPath '$istioctl' -WhatIf"
        ($result.Output -join ' ') | Should -Match ([regex]::Escape("$istioctl install -f ") + '\S+guestbooklab-istio-\S+\.yaml -y --kubeconfig ' + [regex]::Escape($k8s.KubeConfig) + ' --context standin')
        ($result.Output -join ' ') | Should -BeLike "*$istioctl uninstall --purge -y --kubeconfig*"
        @(Get-Call).Count | Should -Be $before
    }

    It 'stops istioctl when the command is stopped (Ctrl+C)' {
        @{ install = @{ stdout = @('- Processing resources for Istio core.'); sleepMs = 60000 } } | ConvertTo-Json -Depth 4 | Set-Content $script
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$env:FAKEISTIOCTL_LOG = '$log'; `$env:FAKEISTIOCTL_SCRIPT = '$script'; Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)' | Out-Null; New-MeshInstallConfig | Install-LabIstio -IstioctlPath '$istioctl'")
        $before = @(Get-Call).Count
        $handle = $ps.BeginInvoke()
        # istioctl version, then istioctl install, which keeps running.
        for ($i = 0; $i -lt 100 -and (@(Get-Call).Count -lt $before + 2); $i++) { Start-Sleep -Milliseconds 100 }
        (Get-Call)[-1].args[0] | Should -Be 'install'
        $istioctlPid = (Get-Call)[-1].pid
        Get-Process -Id $istioctlPid -ErrorAction Ignore | Should -Not -BeNullOrEmpty
        $ps.Stop()
        for ($i = 0; $i -lt 50 -and (Get-Process -Id $istioctlPid -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
        Get-Process -Id $istioctlPid -ErrorAction Ignore | Should -BeNullOrEmpty
        $ps.Dispose()
        Remove-Item $script
    }

    It 'uninstalls with istioctl uninstall --purge -y' {
        Uninstall-LabIstio -IstioctlPath $istioctl -Confirm:$false
        (Get-Call)[-1].args[0..2] | Should -Be @('uninstall', '--purge', '-y')
    }

    It 'lets the lab install Istio and the addons at its Install and Egress steps on a cluster (-Apply)' {
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
        # istioctl installs Istio's CRDs; the Egress steps' ServiceEntries need theirs.
        $null = Publish-LabResource -Path (Join-Path $DataFolder 'crds/serviceentry.crd.yaml')
        $before = @(Get-Call).Count
        $steps = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab-istio') -Section Install, Egress -Apply `
            -IstioOptions @{ IstioctlPath = $istioctl; Timeout = '60s' } -WarningAction SilentlyContinue
        $install = $steps | Where-Object Step -EQ '09-istio-install'
        $install.Installed[0].Components | Should -Be @('istiod', 'istio-ingressgateway', 'istio-egressgateway')
        @($install.Installed | Select-Object -Skip 1 | ForEach-Object Name) | Should -Be @('zipkin', 'prometheus', 'grafana', 'kiali')
        ($steps | Where-Object Step -EQ '26-registry-only').Installed[0].Profile | Should -Be 'demo'
        $installs = @(Get-Call | Select-Object -Skip $before | Where-Object { $_.args[0] -eq 'install' })
        $installs.Count | Should -Be 2
        $installs[1].file | Should -BeLike '*REGISTRY_ONLY*'
        & $Kubectl --kubeconfig $k8s.KubeConfig -n istio-system get istiooperator 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the configuration went to istioctl, not to the API server'
    }

    It 'lets the lab skip the install on a cluster that already has Istio (-SkipIstioInstall): the configuration is stored' {
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
        $crd = "apiVersion: apiextensions.k8s.io/v1`nkind: CustomResourceDefinition`nmetadata: {name: istiooperators.install.istio.io}`nspec:`n  group: install.istio.io`n  names: {kind: IstioOperator, plural: istiooperators, singular: istiooperator}`n  scope: Namespaced`n  versions:`n  - name: v1alpha1`n    served: true`n    storage: true`n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}"
        $null = ConvertFrom-LabYaml $crd | Publish-LabResource
        $null = Publish-LabResource -Path (Join-Path $DataFolder 'crds/serviceentry.crd.yaml')
        $before = @(Get-Call).Count
        $steps = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab-skip') -Section Egress -Apply -SkipIstioInstall `
            -IstioOptions @{ IstioctlPath = $istioctl } -WarningAction SilentlyContinue
        @(Get-Call | Select-Object -Skip $before).Count | Should -Be 0 -Because 'istioctl is not run'
        ($steps | Where-Object Step -EQ '26-registry-only').Installed | Should -BeNullOrEmpty
        (Get-LabResource iop installed-state -Namespace istio-system).Spec.MeshConfig.OutboundTrafficPolicy.Mode | Should -Be 'REGISTRY_ONLY'
    }

    It 'needs a cluster: a manifest folder is IstioNeedsCluster' {
        $dir = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root 'no-istio')
        try {
            $err = Get-LabError { New-MeshInstallConfig | Install-LabIstio -IstioctlPath $istioctl -Connection $dir }
        } finally { $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig }
        $err.FullyQualifiedErrorId | Should -BeLike 'IstioNeedsCluster,*'
    }
}
