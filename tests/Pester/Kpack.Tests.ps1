param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $ecr = @{ AccountId = '123456789012'; Region = 'us-east-1'; RepositoryPrefix = 'guestbook' }
    $git = @{ Git = 'https://gitlab.com/DmyMi/aws-k8s-lab.git'; Revision = 'master' }

    # A test-side kpack controller, as kpack v0.10.2's image reconciler behaves for the cases the tests play (chosen by
    # the Image's name): an Image whose status is not about its generation gets a new Build (buildCounter + 1,
    # Ready=Unknown, the Build object with kpack's labels); on the next pass the build ends: fail-* with Ready=False
    # BuildFailed, notready-* with BuilderReady=False and Ready=False BuilderNotReady, any other with Ready=True and the
    # digest reference. pending-* Images are left alone (a build that never ends).
    function Start-KpackController([string] $KubeConfig) {
        $kubectlPath = $Kubectl
        Start-ThreadJob {
            $k = $using:kubectlPath
            $config = $using:KubeConfig
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while ([DateTime]::UtcNow -lt $deadline) {
                $items = (& $k --kubeconfig $config get images -A -o json | ConvertFrom-Json).items
                foreach ($image in $items | Where-Object { $_.metadata.name -notlike 'pending*' }) {
                    $name = $image.metadata.name
                    $ns = $image.metadata.namespace
                    $generation = $image.metadata.generation
                    $status = $image.status
                    $ready = if ($status) { $status.conditions | Where-Object type -EQ Ready } else { $null }
                    if (-not $status -or $status.observedGeneration -ne $generation) {
                        $n = if ($status -and $status.buildCounter) { $status.buildCounter + 1 } else { 1 }
                        $build = "$name-build-$n"
                        $buildYaml = "apiVersion: kpack.io/v1alpha2`nkind: Build`nmetadata:`n  name: $build`n  namespace: $ns`n  labels: {image.kpack.io/image: $name, image.kpack.io/buildNumber: '$n', image.kpack.io/imageGeneration: '$generation'}`n  annotations: {image.kpack.io/reason: CONFIG}`nspec: {tags: ['$($image.spec.tag)'], serviceAccountName: kp-sa}"
                        $buildYaml | & $k --kubeconfig $config apply --validate=false -f - | Out-Null
                        $patch = @{ status = @{ observedGeneration = $generation; buildCounter = $n; latestBuildRef = $build; latestBuildReason = 'CONFIG'
                                    conditions = @(@{ type = 'Ready'; status = 'Unknown'; reason = 'BuildRunning'; message = "$build is executing" }, @{ type = 'BuilderReady'; status = 'True' }) } }
                    } elseif ($ready.status -eq 'Unknown') {
                        $patch = if ($name -like 'fail*') {
                            @{ status = @{ conditions = @(@{ type = 'Ready'; status = 'False'; reason = 'BuildFailed'; message = 'Build failed: the build pod exited with 51' }, @{ type = 'BuilderReady'; status = 'True' }) } }
                        } elseif ($name -like 'notready*') {
                            @{ status = @{ conditions = @(@{ type = 'Ready'; status = 'False'; reason = 'BuilderNotReady'; message = 'Builder builder is not ready' }, @{ type = 'BuilderReady'; status = 'False'; reason = 'BuilderNotReady' }) } }
                        } else {
                            @{ status = @{ latestImage = "$($image.spec.tag.Split(':')[0])@sha256:$('ab' * 32)"; conditions = @(@{ type = 'Ready'; status = 'True' }, @{ type = 'BuilderReady'; status = 'True' }) } }
                        }
                    } else {
                        continue
                    }
                    & $k --kubeconfig $config -n $ns patch image $name --subresource=status --type=merge -p ($patch | ConvertTo-Json -Depth 6 -Compress) | Out-Null
                    if ($status -and $status.latestBuildRef -and $ready.status -eq 'Unknown') {
                        # The Build ends as the Image does (its condition is Succeeded).
                        $ended = $patch.status.conditions[0]
                        $buildStatus = @{ status = @{ conditions = @(@{ type = 'Succeeded'; status = $ended.status; reason = $ended.reason; message = $ended.message }) } }
                        if ($patch.status.latestImage) { $buildStatus.status.latestImage = $patch.status.latestImage }
                        & $k --kubeconfig $config -n $ns patch build $status.latestBuildRef --subresource=status --type=merge -p ($buildStatus | ConvertTo-Json -Depth 6 -Compress) | Out-Null
                    }
                }
                Start-Sleep -Milliseconds 200
            }
        }
    }
}

Describe 'The build set-up' {
    It 'builds the codelab''s objects' {
        $account = New-LabBuildServiceAccount -SecretName ecr-secret
        $account.Secrets.Name | Should -Be 'ecr-secret'
        $account.ImagePullSecrets.Name | Should -Be 'ecr-secret'
        (New-LabBuilder @ecr -Repository kpack -Version builder).Spec.Tag | Should -Be '123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-kpack:builder'
        $image = New-LabImage -Name ui-image @ecr -Repository ui -Version v1 @git -Env @{ BP_GRADLE_BUILT_MODULE = 'ui' }
        $image | Should -BeOfType GuestbookLab.Model.KpackImage
        $image.Tag | Should -Be '123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-ui:v1'
    }

    It 'takes the registry secret from the pipeline, and passes it on with -PassThru' {
        $token = ConvertTo-SecureString 'offline-token' -AsPlainText -Force
        $out = New-LabRegistrySecret -Server https://123456789012.dkr.ecr.us-east-1.amazonaws.com -Password $token | New-LabBuildServiceAccount -PassThru
        $out.Kind | Should -Be @('Secret', 'ServiceAccount')
        $out[1].Secrets.Name | Should -Be 'ecr-secret'
    }

    It 'tags an image from a piped registry' {
        $registry = [GuestbookLab.Model.LabRegistry]::new('guestbook-ui', '123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-ui', 'arn:aws:ecr:us-east-1:123456789012:repository/guestbook-ui', '123456789012', $null, $true, 'MUTABLE', 'us-east-1')
        ($registry | New-LabImage -Name ui-image-v2 -Version v2 @git).Tag | Should -Be '123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-ui:v2'
    }

    It 'refuses what kpack would refuse, naming the parameter' {
        Should-BeLabError (Get-LabError { New-LabImage -Name ui-image -Tag guestbook-ui:v1 @git }) InvalidImageReference '-Tag' 'docker.io'
        Should-BeLabError (Get-LabError { New-LabImage -Name ui-image -Tag r.example/ui:v1 @git -BuilderKind Builders }) InvalidBuilderReference '-BuilderKind'
        Should-BeLabError (Get-LabError { New-LabImage -Name ui-image -Tag r.example/ui:v1 @git -Env @{ 'BP GRADLE' = 'ui' } }) InvalidEnvName '-Env[BP GRADLE]'
        Should-BeLabError (Get-LabError { New-LabImage -Name ui-image -Tag r.example/ui:v1 -Git https://g.example/x.git }) InvalidImageSource '-Revision'
        Should-BeLabError (Get-LabError { New-LabImage -Name ui-image @ecr -Repository ui @git }) InvalidImageReference '-Version'
        Should-BeLabError (Get-LabError { New-LabClusterStack -RunImage 'Paketo/Run' }) InvalidImageReference '-RunImage'
        Should-BeLabError (Get-LabError { New-LabBuildServiceAccount }) InvalidName '-SecretName'
    }

    It 'shows Images as kp image list does, and Builds as kp build list does' {
        $image = ConvertFrom-LabYaml "apiVersion: kpack.io/v1alpha2`nkind: Image`nmetadata: {name: ui-image, namespace: default}`nspec: {tag: r.example/ui:v1}`nstatus: {latestImage: 'r.example/ui@sha256:00', latestBuildReason: COMMIT, conditions: [{type: Ready, status: 'True'}]}"
        $text = $image | Out-String
        $text | Should -Match 'NAME\s+READY\s+LATEST REASON\s+LATEST IMAGE\s+NAMESPACE'
        $text | Should -Match 'ui-image\s+True\s+COMMIT\s+r\.example/ui@sha256:00\s+default'
        $build = ConvertFrom-LabYaml "apiVersion: kpack.io/v1alpha2`nkind: Build`nmetadata: {name: ui-image-build-1, labels: {image.kpack.io/image: ui-image, image.kpack.io/buildNumber: '1'}, annotations: {image.kpack.io/reason: CONFIG}}`nstatus: {latestImage: 'r.example/ui@sha256:00', conditions: [{type: Succeeded, status: 'False'}]}"
        $text = $build | Out-String
        $text | Should -Match 'BUILD\s+STATUS\s+BUILT IMAGE\s+REASON\s+IMAGE RESOURCE'
        $text | Should -Match '1\s+FAILURE\s+r\.example/ui@sha256:00\s+CONFIG\s+ui-image'
    }
}

Describe 'Waiting for images on a cluster with kpack''s CRDs (a test-side controller plays kpack)' {
    BeforeAll {
        $k8s = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        # kpack installed: its CRDs (as the release applies them), served at once by the stand-in.
        $null = ConvertFrom-LabYaml -Path (Join-Path $DataFolder 'kpack/*.yaml') | Publish-LabResource
        $controller = Start-KpackController $k8s.KubeConfig
    }

    AfterAll {
        Disconnect-LabCluster
        $controller | Stop-Job -PassThru | Remove-Job -Force
        $k8s.Process | Stop-Process -ErrorAction Ignore
    }

    It 'returns the Image once its build has succeeded, with its latest image' {
        $null = New-LabImage -Name ui-image @ecr -Repository ui -Version v1 @git -Env @{ BP_GRADLE_BUILT_MODULE = 'ui' } | Publish-LabResource
        $image = Wait-LabImage -Name ui-image -Timeout 60s
        $image | Should -BeOfType GuestbookLab.Model.KpackImage
        $image.Ready | Should -Be 'True'
        $image.BuildCounter | Should -Be 1
        $image.LatestImage | Should -Be "123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-ui@sha256:$('ab' * 32)"
        $build = Get-LabResource -Kind Build -Name ui-image-build-1
        $build.Image | Should -Be 'ui-image'
        $build.BuildNumber | Should -Be 1
    }

    It 'waits again after an update: the Ready of the earlier generation does not count' {
        $null = New-LabImage -Name ui-image @ecr -Repository ui -Version v1 -Git https://gitlab.com/DmyMi/aws-k8s-lab.git -Revision v2 | Publish-LabResource
        $image = Wait-LabImage -Name ui-image -Timeout 60s
        $image.BuildCounter | Should -Be 2
        $image.ObservedGeneration | Should -Be $image.Generation
    }

    It 'does not take a stale Ready=True for success' {
        $null = New-LabImage -Name pending-stale @ecr -Repository ui -Version v1 @git | Publish-LabResource
        $patch = '{"status":{"observedGeneration":1,"buildCounter":1,"latestImage":"r.example/ui@sha256:00","conditions":[{"type":"Ready","status":"True"}]}}'
        & $Kubectl --kubeconfig $k8s.KubeConfig patch image pending-stale --subresource=status --type=merge -p $patch | Out-Null
        (Wait-LabImage -Name pending-stale -Timeout 10s).Ready | Should -Be 'True'
        $null = New-LabImage -Name pending-stale @ecr -Repository ui -Version v1 -Git https://gitlab.com/DmyMi/aws-k8s-lab.git -Revision v2 | Publish-LabResource
        $err = Get-LabError { Wait-LabImage -Name pending-stale -Timeout 2s }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -Match 'observe generation 2'
    }

    It 'reports a failed build with kpack''s reason and message' {
        $null = New-LabImage -Name fail-image @ecr -Repository ui -Version v1 @git | Publish-LabResource
        $err = Get-LabError { Wait-LabImage -Name fail-image -Timeout 60s }
        $err.FullyQualifiedErrorId | Should -BeLike 'ImageNotReady,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidResult'
        $err.Exception.Message | Should -Match 'BuildFailed: Build failed: the build pod exited with 51'
    }

    It 'reports a builder that is not ready' {
        $null = New-LabImage -Name notready-image @ecr -Repository ui -Version v1 @git | Publish-LabResource
        (Get-LabError { Wait-LabImage -Name notready-image -Timeout 60s }).Exception.Message | Should -Match 'BuilderNotReady'
    }

    It 'runs the lab''s Build section, applying each step and waiting for its Images' {
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
        $out = Join-Path (Get-PSDrive TestDrive).Root 'build'
        $steps = & $labScript -OutputPath $out -Section Build -Apply -WaitForRollout -ImageTimeoutSec 60 -Connection $connection -WarningAction SilentlyContinue
        $steps.Step | Should -Be @('03-kp-sa', '04-cluster-store', '05-cluster-stack', '06-builder', '07-images', '08-ui-image-v2')
        $images = $steps | Where-Object Step -EQ '07-images'
        @($images.RolledOut | ForEach-Object { "$($_.Name) $($_.Ready)" }) | Should -Be @('ui-image True', 'message-image True', 'guestbook-image True')
        $images.RolledOut[1].LatestImage | Should -BeLike '123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-message@sha256:*'
        (Get-LabResource -Kind ServiceAccount -Name kp-sa).Secrets.Name | Should -Be 'ecr-secret'
        (Get-LabResource -Kind Builder -Name builder).Spec.Tag | Should -Be '123456789012.dkr.ecr.us-east-1.amazonaws.com/guestbook-kpack:builder'
    }

    It 'times out on a build that never ends, saying it was running' {
        $null = New-LabImage -Name pending-image @ecr -Repository ui -Version v1 @git | Publish-LabResource
        & $Kubectl --kubeconfig $k8s.KubeConfig patch image pending-image --subresource=status --type=merge -p '{"status":{"observedGeneration":1,"buildCounter":1,"conditions":[{"type":"Ready","status":"Unknown","reason":"BuildRunning","message":"pending-image-build-1 is executing"}]}}' | Out-Null
        $err = Get-LabError { Wait-LabImage -Name pending-image -Timeout 2s }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -Match 'build 1 running \(BuildRunning: pending-image-build-1 is executing\)'
    }
}

Describe 'Install-LabKpack (kpack''s release manifest, a test copy in tests/data/kpack/release)' {
    BeforeAll {
        $k8s = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $release = Join-Path $DataFolder 'kpack/release/release-0.10.1.yaml'
        $kubectlPath = $Kubectl
        $config = $k8s.KubeConfig
        # The test's kube-controller-manager: each Deployment in kpack is reported rolled out a moment after it is applied.
        function Start-RolloutController {
            Start-ThreadJob {
                $deadline = [DateTime]::UtcNow.AddSeconds(120)
                while ([DateTime]::UtcNow -lt $deadline) {
                    $items = (& $using:kubectlPath --kubeconfig $using:config -n kpack get deploy -o json | ConvertFrom-Json).items
                    foreach ($item in $items | Where-Object { -not $_.status -or $_.status.observedGeneration -ne $_.metadata.generation }) {
                        $patch = @{ status = @{ observedGeneration = $item.metadata.generation; replicas = 1; updatedReplicas = 1; readyReplicas = 1; availableReplicas = 1 } } | ConvertTo-Json -Compress
                        & $using:kubectlPath --kubeconfig $using:config -n kpack patch deploy $item.metadata.name --subresource=status --type=merge -p $patch | Out-Null
                    }
                    Start-Sleep -Milliseconds 200
                }
            }
        }
    }

    AfterAll {
        Get-Job | Remove-Job -Force
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -ErrorAction Ignore
    }

    It 'with -WhatIf names each object it would apply, and applies nothing' {
        $command = "Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$config'; Install-LabKpack -Path '$release' -WhatIf"
        $result = Invoke-ChildPwsh $command
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $text = $result.Output -join "`n"
        $text | Should -Match 'What if: .*Apply kpack 0\.10\.1 .*Namespace kpack'
        $text | Should -Match 'What if: .*CustomResourceDefinition images\.kpack\.io'
        $text | Should -Match 'What if: .*Deployment kpack/kpack-controller'
        & $Kubectl --kubeconfig $config get ns kpack 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'refuses a manifest that is not a kpack release, before applying anything' {
        $err = Get-LabError { Install-LabKpack -LiteralPath (Join-Path $DataFolder 'kpack/image.yaml') }
        Should-BeLabError $err InvalidKpackRelease '-Uri, -Path' 'image.yaml'
        $err.Exception.Message | Should -BeLike '*no Deployment kpack/kpack-controller or kpack/kpack-webhook*'
        & $Kubectl --kubeconfig $config get crd images.kpack.io 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'applies the release from -Path and waits until its CRDs are established and its Deployments rolled out' {
        $rollout = Start-RolloutController
        $install = Install-LabKpack -Path $release -Timeout 60s
        $install | Should -BeOfType GuestbookLab.Model.LabKpackInstall
        $install.Version | Should -Be '0.10.1'
        $install.Ready | Should -BeTrue
        $install.CustomResourceDefinitions | Should -Be @('builds.kpack.io', 'builders.kpack.io', 'clusterbuilders.kpack.io', 'clusterstacks.kpack.io', 'clusterstores.kpack.io', 'images.kpack.io', 'sourceresolvers.kpack.io')
        $install.Deployments | Should -Be @('kpack/kpack-controller', 'kpack/kpack-webhook')
        $install.Applied.Count | Should -Be @(ConvertFrom-LabYaml -Path $release).Count
        $install.Created | Should -Be $install.Applied.Count
        (& $Kubectl --kubeconfig $config -n kpack get deploy -o jsonpath='{.items[*].status.availableReplicas}') | Should -Be '1 1'
        (& $Kubectl --kubeconfig $config wait crd/images.kpack.io --for=condition=Established --timeout=5s) | Should -BeLike '*condition met'
        "$install" | Should -Be 'kpack 0.10.1'
    }

    It 'is idempotent: the same release from -Uri (a local web server) changes nothing' {
        $probe = [System.Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $yaml = Get-Content -Raw $release
        $server = Start-ThreadJob -ArgumentList $port, $yaml -ScriptBlock {
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
        $again = Install-LabKpack -Uri "http://127.0.0.1:$port/pivotal/kpack/releases/download/v0.10.1/release-0.10.1.yaml" -Timeout 30s
        $again.Source | Should -BeLike '*/release-0.10.1.yaml'
        $again.Unchanged | Should -Be $again.Applied.Count
        $again.Created + $again.Configured | Should -Be 0
        $again.Ready | Should -BeTrue
        $server | Wait-Job -Timeout 10 | Remove-Job -Force
    }

    It 'says with WaitTimedOut what is not ready when the wait times out' {
        Get-Job | Stop-Job
        & $Kubectl --kubeconfig $config -n kpack delete deploy kpack-webhook | Out-Null
        $err = Get-LabError { Install-LabKpack -Path $release -Timeout 2s }
        $err.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $err.Exception.Message | Should -BeLike 'kpack 0.10.1 was not ready within 2 s*Deployment kpack/kpack-webhook (Waiting for deployment spec update to be observed...)*'
        $err.Exception.Message | Should -Not -BeLike '*kpack-controller*'
    }

    It 'runs the lab''s Build section with -InstallKpack: kpack installed at its first step, then the Images built' {
        $rollout = Start-RolloutController
        $controller = Start-KpackController $config
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
        $out = Join-Path (Get-PSDrive TestDrive).Root 'build-install'
        $steps = & $labScript -OutputPath $out -Section Build -Apply -WaitForRollout -ImageTimeoutSec 60 -InstallKpack -KpackOptions @{ Path = $release; Timeout = '60s' } -WarningAction SilentlyContinue
        $first = $steps | Select-Object -First 1
        $first.Step | Should -Be '03-kp-sa'
        $first.Installed | Should -HaveCount 1
        $first.Installed[0] | Should -BeOfType GuestbookLab.Model.LabKpackInstall
        $first.Installed[0].Ready | Should -BeTrue
        ($steps | Select-Object -Skip 1).Installed | Should -BeNullOrEmpty
        @(($steps | Where-Object Step -EQ '07-images').RolledOut.Ready) | Should -Be @('True', 'True', 'True')
        $controller, $rollout | Stop-Job -PassThru | Remove-Job -Force
    }
}

Describe 'Get-LabBuildLog (kp build logs), on build pods and logs the test writes as kpack''s build pods have them' {
    BeforeAll {
        $k8s = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $null = ConvertFrom-LabYaml -Path (Join-Path $DataFolder 'kpack/*.yaml') | Publish-LabResource
        $steps = 'prepare', 'analyze', 'detect', 'restore', 'build', 'export'

        # A Build and its pod as kpack v0.10 makes them: labels image.kpack.io/image and buildNumber, the lifecycle's
        # steps as init containers and completion as the container.
        function New-BuildPod([string] $Image, [int] $Number) {
            $build = "$Image-build-$Number"
            $labels = "{image.kpack.io/image: $Image, image.kpack.io/buildNumber: '$Number'}"
            $init = ($steps | ForEach-Object { "  - {name: $_, image: lifecycle}" }) -join "`n"
            $yaml = "apiVersion: kpack.io/v1alpha2`nkind: Build`nmetadata: {name: $build, namespace: default, labels: $labels}`nspec: {tags: ['r.example/$($Image):v1'], serviceAccountName: kp-sa}`n---`n" +
                "apiVersion: v1`nkind: Pod`nmetadata: {name: $build-build-pod, namespace: default, labels: $labels}`nspec:`n  initContainers:`n$init`n  containers:`n  - {name: completion, image: completion}"
            $null = $yaml | ConvertFrom-LabYaml | Publish-LabResource
            "$build-build-pod"
        }
        function Set-BuildPodStatus([string] $Pod, [string] $Phase, [int] $Done) {
            $all = @($steps) + 'completion'
            $state = { param($i) if ($i -lt $Done) { @{ terminated = @{ exitCode = 0 } } } elseif ($i -eq $Done) { @{ running = @{ startedAt = '2026-12-02T07:00:00Z' } } } else { @{ waiting = @{ reason = 'PodInitializing' } } } }
            $status = @{ status = @{ phase = $Phase
                        initContainerStatuses = @(for ($i = 0; $i -lt $steps.Count; $i++) { @{ name = $steps[$i]; state = (& $state $i) } })
                        containerStatuses = @(@{ name = 'completion'; state = (& $state $steps.Count) }) } }
            $null = & $Kubectl --kubeconfig $k8s.KubeConfig patch pod $Pod --subresource=status --type=merge -p ($status | ConvertTo-Json -Depth 8 -Compress)
        }
        function Add-PodLog([string] $Pod, [string] $Container, [string] $Text) {
            $null = Invoke-RestMethod -Method Post -Uri "$($k8s.Url)/_standin/logs/default/$Pod/$Container" -Body $Text
        }
    }

    AfterAll {
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -ErrorAction Ignore
    }

    It 'writes each step once, in the pod''s order, after a ===> STEP header, as kp build logs does' {
        $pod = New-BuildPod ui-image 1
        foreach ($step in @($steps) + 'completion') { Add-PodLog $pod $step "$step line 1`n$step line 2" }
        Set-BuildPodStatus $pod Succeeded 7
        $log = @(Get-LabBuildLog -Image ui-image)
        $expected = foreach ($step in @($steps) + 'completion') { "===> $($step.ToUpperInvariant())"; "$step line 1"; "$step line 2" }
        $log | Should -Be @($expected)
        $log | ForEach-Object { $_ | Should -BeOfType string }
        # kubectl logs reads the same lines from the same containers.
        $build = @($log[($log.IndexOf('===> BUILD') + 1)..($log.IndexOf('===> EXPORT') - 1)])
        @(& $Kubectl --kubeconfig $k8s.KubeConfig logs $pod -c build) | Should -Be $build
    }

    It 'takes the latest build by default and another by -Build' {
        $second = New-BuildPod ui-image 2
        foreach ($step in @($steps) + 'completion') { Add-PodLog $second $step "second $step" }
        Set-BuildPodStatus $second Succeeded 7
        (Get-LabBuildLog ui-image) | Should -Contain 'second build'
        (Get-LabBuildLog ui-image -Build 1) | Should -Not -Contain 'second build'
        (Get-LabBuildLog ui-image -Build 1) | Should -Contain 'build line 1'
        (Get-LabError { Get-LabBuildLog ui-image -Build 9 }).FullyQualifiedErrorId | Should -BeLike 'BuildNotFound,*'
    }

    It 'follows a running build until its pod has Succeeded, each line once' {
        $pod = New-BuildPod message-image 1
        foreach ($step in 'prepare', 'analyze', 'detect', 'restore') { Add-PodLog $pod $step "$step done" }
        Add-PodLog $pod build 'compiling'
        Set-BuildPodStatus $pod Running 4
        $url = $k8s.Url; $kubectl = $Kubectl; $config = $k8s.KubeConfig
        $writer = Start-ThreadJob {
            Start-Sleep -Seconds 2
            Invoke-RestMethod -Method Post -Uri "$using:url/_standin/logs/default/$using:pod/build" -Body 'BUILD SUCCESSFUL' | Out-Null
            foreach ($c in 'export', 'completion') { Invoke-RestMethod -Method Post -Uri "$using:url/_standin/logs/default/$using:pod/$c" -Body "$c done" | Out-Null }
            $states = @(foreach ($n in 'prepare', 'analyze', 'detect', 'restore', 'build', 'export') { @{ name = $n; state = @{ terminated = @{ exitCode = 0 } } } })
            $status = @{ status = @{ phase = 'Succeeded'; initContainerStatuses = $states; containerStatuses = @(@{ name = 'completion'; state = @{ terminated = @{ exitCode = 0 } } }) } }
            & $using:kubectl --kubeconfig $using:config patch pod $using:pod --subresource=status --type=merge -p ($status | ConvertTo-Json -Depth 8 -Compress) | Out-Null
        }
        try {
            $log = @(Get-LabBuildLog message-image -Follow -WarnAfter 30s)
        } finally { $writer | Wait-Job -Timeout 30 | Remove-Job -Force }
        $log | Should -Be @('===> PREPARE', 'prepare done', '===> ANALYZE', 'analyze done', '===> DETECT', 'detect done', '===> RESTORE', 'restore done',
            '===> BUILD', 'compiling', 'BUILD SUCCESSFUL', '===> EXPORT', 'export done', '===> COMPLETION', 'completion done')
    }

    It 'shows kpack''s printer columns in kubectl get images for what the module applied' {
        $null = New-LabImage -Name columns-image @ecr -Repository ui -Version v1 @git | Publish-LabResource
        $status = @{ status = @{ latestImage = "r.example/ui@sha256:$('ab' * 32)"; conditions = @(@{ type = 'Ready'; status = 'True' }) } }
        $null = & $Kubectl --kubeconfig $k8s.KubeConfig patch image columns-image --subresource=status --type=merge -p ($status | ConvertTo-Json -Depth 6 -Compress)
        $table = @(& $Kubectl --kubeconfig $k8s.KubeConfig get images columns-image)
        $table[0] | Should -Match '^NAME\s+LATESTIMAGE\s+READY\s*$'
        $table[1] | Should -Match ('^columns-image\s+' + [regex]::Escape("r.example/ui@sha256:$('ab' * 32)") + '\s+True\s*$')
    }

    It 'warns with the pod''s reason when a build does not get on (kp says nothing)' {
        $pod = New-BuildPod stuck-image 1
        $status = @{ status = @{ phase = 'Pending'; initContainerStatuses = @(@{ name = 'prepare'; state = @{ waiting = @{ reason = 'ImagePullBackOff'; message = 'Back-off pulling image "lifecycle"' } } }) } }
        $null = & $Kubectl --kubeconfig $k8s.KubeConfig patch pod $pod --subresource=status --type=merge -p ($status | ConvertTo-Json -Depth 8 -Compress)
        $kubectl = $Kubectl; $config = $k8s.KubeConfig
        $ender = Start-ThreadJob {
            Start-Sleep -Seconds 4
            $failed = @{ status = @{ phase = 'Failed' } }
            & $using:kubectl --kubeconfig $using:config patch pod $using:pod --subresource=status --type=merge -p ($failed | ConvertTo-Json -Compress) | Out-Null
        }
        try {
            $null = Get-LabBuildLog stuck-image -Follow -WarnAfter 1s -WarningVariable warned -WarningAction SilentlyContinue
        } finally { $ender | Wait-Job -Timeout 30 | Remove-Job -Force }
        @($warned).Count | Should -BeGreaterOrEqual 1
        ($warned | Select-Object -First 1).Message | Should -Match 'ImagePullBackOff'
        @($warned | Group-Object Message | Where-Object Count -GT 1) | Should -BeNullOrEmpty -Because 'a warning is not repeated'
    }

    It 'shows in Wait-LabImage''s progress the step the build''s pod is in, and says it on time-out' {
        $null = New-LabImage -Name steps-image @ecr -Repository ui -Version v1 @git | Publish-LabResource
        $running = '{"status":{"observedGeneration":1,"buildCounter":1,"latestBuildRef":"steps-image-build-1","conditions":[{"type":"Ready","status":"Unknown","reason":"BuildRunning"}]}}'
        $null = & $Kubectl --kubeconfig $k8s.KubeConfig patch image steps-image --subresource=status --type=merge -p $running
        $pod = New-BuildPod steps-image 1
        Set-BuildPodStatus $pod Pending 2
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$null = Connect-LabCluster -KubeConfig '$($k8s.KubeConfig)'; Wait-LabImage -Name steps-image -Timeout 6s -Verbose")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not ($ps.Streams.Progress | Where-Object StatusDescription -EQ 'step 3 of 7: detect') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            # The build moves on while the wait runs: the bar follows the pod's watch.
            Set-BuildPodStatus $pod Pending 3
            $failure = try { $null = $ps.EndInvoke($handle); $ps.Streams.Error | Select-Object -First 1 } catch { $_.Exception.InnerException.ErrorRecord ?? $_.Exception.ErrorRecord }
            $bars = @($ps.Streams.Progress | Where-Object ParentActivityId -EQ 1 | Where-Object RecordType -EQ Processing)
            $bars.Activity | Select-Object -First 1 | Should -Be "Build 1 of Image default/steps-image (pod $pod)"
            $shown = @($bars.StatusDescription | Select-Object -Unique)
            $shown | Should -Be @('step 3 of 7: detect', 'step 4 of 7: restore')
            @($bars.PercentComplete | Select-Object -Unique) | Should -Be @(28, 42)
            @($ps.Streams.Verbose.Message) | Should -Contain "Build 1 (pod $pod): step 4 of 7: restore"
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
            $failure.Exception.Message | Should -BeLike "*build 1 running (BuildRunning); build 1's pod $($pod): step 4 of 7: restore*"
        } finally { $ps.Dispose() }
    }
}
