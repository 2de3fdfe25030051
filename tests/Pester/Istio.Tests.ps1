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
        $ui.Spec.Template.Metadata.Annotations['sidecar.istio.io/status'] | Should -BeLike '{"initContainers":["istio-init"],"containers":["istio-proxy"],*"revision":"default"}'
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
        $step = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'lab') -Section Install -WarningAction SilentlyContinue | Where-Object Step -EQ '04-injection'
        $step.Objects.Kind | Should -Be 'Namespace'
        @($step.Preview).Count | Should -Be @($app | Where-Object Kind -EQ Deployment).Count
        foreach ($deployment in $step.Preview) { $deployment.Spec.Template.Spec.Containers.Name | Should -Contain 'istio-proxy' }
        Get-Content -Raw $step.File | Should -Not -BeLike '*istio-proxy*'
    }
}
