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
