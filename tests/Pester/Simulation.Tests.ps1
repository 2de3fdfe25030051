param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
    $base = @($app; Enable-MeshInjection)
    $gateway = New-MeshGateway guestbook-ui-gateway
    $route = New-MeshVirtualService guestbook-ui '*' -Gateways guestbook-ui-gateway | Add-MeshRoute ui -UriPrefix /
}

Describe 'Test-MeshRequest' {
    It 'returns a result object with every decision explained' {
        $r = @($base; $gateway; $route) | Test-MeshRequest -From ingress -Uri http://guestbook.example.com/
        $r | Should -BeOfType GuestbookLab.Mesh.Simulation.RequestResult
        $r.Outcome | Should -Be 'Delivered'
        $r.Gateway | Should -Be 'default/guestbook-ui-gateway'
        $r.Cluster | Should -Be 'outbound|80||ui.default.svc.cluster.local'
        $r.ClientTls | Should -Be 'ISTIO_MUTUAL'
        $r.PeerPrincipal | Should -Be 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'
        $r.Steps.Stage | Should -Contain 'gateway'
        $r.Explanation | Should -Match 'first route that matches wins'
    }

    It 'converts to JSON with enums as names and the retry policy as an object, and shows the policy as a sentence' {
        $r = @($base; $gateway; $route) | Test-MeshRequest -From ingress -Uri http://guestbook.example.com/
        $json = $r | ConvertTo-Json -Depth 5 | ConvertFrom-Json
        $json.Outcome | Should -Be 'Delivered'
        $json.RetryPolicy.Attempts | Should -Be 2
        $json.RetryPolicy.IsDefault | Should -BeTrue
        $json.RetryPolicy.RetryOn | Should -Contain 'connect-failure'
        $json.RetryPolicy.RetriableStatusCodes | Should -Be @(503)
        ($r | Format-List | Out-String -Width 300) | Should -Match 'RetryPolicy\s*:\s*default: 2 retries on connect-failure'
    }

    It 'reads the configuration from a manifest folder, and adds piped objects to it' {
        $folder = Join-Path (Get-PSDrive TestDrive).Root 'config'
        $null = @($base; $gateway) | Export-LabManifest -Path $folder
        (Test-MeshRequest -Directory $folder -From ingress -Uri http://x/).Status | Should -Be 404
        ($route | Test-MeshRequest -Directory $folder -From ingress -Uri http://x/).Status | Should -Be 200
    }

    It 'samples with -Count and a seed, repeatably' {
        $split = Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 } -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway
        $v2 = ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui-v2}`nspec:`n  template:`n    metadata: {labels: {app: ui, version: '2.0'}}`n    spec: {serviceAccountName: ui-sa}"
        $a = @($base; $gateway; $split; $v2) | Test-MeshRequest -From ingress -Uri http://x/ -Count 500 -Seed 42
        $b = @($base; $gateway; $split; $v2) | Test-MeshRequest -From ingress -Uri http://x/ -Count 500 -Seed 42
        $a | Should -BeOfType GuestbookLab.Mesh.Simulation.RequestSample
        $a.Count | Should -Be 500
        $a.FractionTo('ui/v1') | Should -Be $b.FractionTo('ui/v1')
        ($a.FractionTo('ui/v1') + $a.FractionTo('ui/v2')) | Should -Be 1
        $a.FractionWithStatus(200) | Should -Be 1
    }

    It 'shows a sample as the share of each outcome' {
        $text = @($base; $gateway; $route) | Test-MeshRequest -From ingress -Uri http://x/ -Count 50 -Seed 1 | Out-String -Width 200
        $text | Should -Match 'Outcomes\s*:\s*100[.,]0\s?%\s+Delivered 200 ui'
    }

    It 'completes -From with ingress, kubelet and the connected workloads' {
        $folder = Join-Path (Get-PSDrive TestDrive).Root 'complete'
        $null = Connect-LabCluster -Directory $folder
        try {
            $null = $app | Publish-LabResource
            (TabExpansion2 'Test-MeshRequest -From ' 23).CompletionMatches.CompletionText | Should -Contain 'ingress'
            (TabExpansion2 'Test-MeshRequest -From mes' 26).CompletionMatches.CompletionText | Should -Be @('message-service')
        } finally { Disconnect-LabCluster }
    }

    It 'takes headers, a sidecar override and a service account' {
        $policy = New-MeshAuthorizationPolicy only-ui -Namespace default -Selector @{ app = 'message-service' } -Principals 'cluster.local/ns/default/sa/ui-sa'
        (@($base; $policy) | Test-MeshRequest -From default/debug -Uri http://message-service/hello/x -ServiceAccount ui-sa).Status | Should -Be 200
        (@($base; $policy) | Test-MeshRequest -From default/debug -Uri http://message-service/hello/x).Status | Should -Be 403
        # Without a sidecar the call is plaintext: PERMISSIVE accepts it, but it has no principal, so the policy denies it.
        $plain = @($base; $policy) | Test-MeshRequest -From default/debug -Uri http://message-service/hello/x -ServiceAccount ui-sa -Sidecar:$false
        $plain.ClientTls | Should -Be 'plaintext'
        $plain.PeerPrincipal | Should -BeNullOrEmpty
        $plain.Status | Should -Be 403
    }

    It 'never echoes a token' {
        $token = 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJpIiwic3ViIjoicyJ9.'
        $text = $base | Test-MeshRequest -From ui -Uri http://message-service/ -Token $token -Verbose 4>&1 | Out-String -Width 500
        $text | Should -Not -Match ([regex]::Escape('eyJpc3MiOiJpIiwic3ViIjoicyJ9'))
    }

    It 'presents -ClientCertificate to a MUTUAL gateway server, whose subjectAltNames it must match (gateway_test.go "credential name subject alternative name key and cert tls MUTUAL")' {
        $mutual = New-MeshGateway guestbook-ui-gateway -Port 443 -Protocol HTTPS -CredentialName client-ca
        $mutual.Spec.Servers[0].Tls.Mode = 'MUTUAL'
        $mutual.Spec.Servers[0].Tls.SubjectAltNames = [System.Collections.Generic.List[string]]@('client.example.com')
        $config = @($base; $mutual; $route)
        ($config | Test-MeshRequest -From ingress -Uri https://guestbook.example.com/).Outcome | Should -Be 'ConnectionReset'
        ($config | Test-MeshRequest -From ingress -Uri https://guestbook.example.com/ -ClientCertificate @{ SubjectAltNames = 'other.example.com' }).Outcome | Should -Be 'ConnectionReset'
        $r = $config | Test-MeshRequest -From ingress -Uri https://guestbook.example.com/ -ClientCertificate @{ SubjectAltNames = 'a.example.com', 'client.example.com'; Subject = 'CN=client' }
        $r.Outcome | Should -Be 'Delivered'
        $r.Explanation | Should -Match 'CN=client'
        (Get-Help Test-MeshRequest -Parameter ClientCertificate | Out-String) | Should -Match 'Simulated'
    }

    It 'follows the server Sidecar''s ingress listeners and a client egress listener''s captureMode NONE (sidecar_simulation_test.go TestInboundClusters, listener_test.go captureMode NONE)' {
        $ingress = ConvertFrom-LabYaml "apiVersion: networking.istio.io/v1beta1`nkind: Sidecar`nmetadata: {name: message, namespace: default}`nspec:`n  workloadSelector: {labels: {app: message-service}}`n  ingress:`n  - port: {number: 8080, protocol: HTTP, name: http}`n    defaultEndpoint: 127.0.0.1:8080"
        $r = @($base; $ingress) | Test-MeshRequest -From ui -Uri http://message-service/hello/test
        $r.Outcome | Should -Be 'Delivered'
        $r.InboundCluster | Should -Be 'inbound|8080||'
        $r.Explanation | Should -Match 'localhost, port 8080'
        $elsewhere = ConvertFrom-LabYaml ("apiVersion: networking.istio.io/v1beta1`nkind: Sidecar`nmetadata: {name: message, namespace: default}`nspec:`n  workloadSelector: {labels: {app: message-service}}`n  ingress:`n  - port: {number: 9999, protocol: HTTP, name: http}")
        (@($base; $elsewhere) | Test-MeshRequest -From ui -Uri http://message-service/hello/test).InboundCluster | Should -Be 'InboundPassthroughClusterIpv4'

        $egress = ConvertFrom-LabYaml "apiVersion: networking.istio.io/v1beta1`nkind: Sidecar`nmetadata: {name: ui, namespace: default}`nspec:`n  workloadSelector: {labels: {app: ui}}`n  egress:`n  - port: {number: 80, protocol: HTTP, name: http}`n    captureMode: NONE`n    hosts: ['./*']"
        (@($base; $egress) | Test-MeshRequest -From ui -Uri http://message-service/hello/test).Cluster | Should -Be 'PassthroughCluster'
        (@($base; $egress) | Test-MeshRequest -From ui -Uri http://127.0.0.1/hello/test -Header @{ Host = 'message-service' }).Cluster | Should -Be 'outbound|80||message-service.default.svc.cluster.local'
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'an unknown scheme'; Call = { $base | Test-MeshRequest -From ui -Uri ftp://x/ }; Id = 'InvalidUri'; Field = '-Uri' }
        @{ Case = 'a tcp request without a port'; Call = { $base | Test-MeshRequest -From ui -Uri tcp://redis }; Id = 'InvalidUri'; Field = '-Uri' }
        @{ Case = 'a source that is no workload'; Call = { $base | Test-MeshRequest -From uii -Uri http://ui/ }; Id = 'InvalidSource'; Field = '-From' }
        @{ Case = 'a zero count'; Call = { $base | Test-MeshRequest -From ui -Uri http://ui/ -Count 0 }; Id = 'InvalidCount'; Field = '-Count' }
        @{ Case = 'a missing folder'; Call = { Test-MeshRequest -Directory ./nowhere -From ingress -Uri http://x/ }; Id = 'ManifestNotFound'; Field = 'nowhere' }
        @{ Case = 'a client certificate with an unknown key'; Call = { $base | Test-MeshRequest -From ingress -Uri https://x/ -ClientCertificate @{ Sans = 'x' } }; Id = 'InvalidTls'; Field = '-ClientCertificate' }
    ) {
        $err = Get-LabError $Call
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($Field))*"
    }
}

Describe 'Test-MeshConfiguration' {
    It 'returns analysis messages with code, level and resource' {
        $messages = New-MeshVirtualService reviews reviews | Add-MeshRoute reviews -Subset v2 | Test-MeshConfiguration -FailOn None
        $messages | Should -BeOfType GuestbookLab.Mesh.Analysis.AnalysisMessage
        $messages.Code | Should -Contain 'IST0101'
        ($messages | Where-Object Code -EQ IST0101)[0].Resource | Should -Be 'VirtualService reviews'
        ($messages | Where-Object Code -EQ IST0101)[0].Level | Should -Be 'Error'
    }

    It 'finds nothing wrong in the codelab''s ingress' {
        @($base; $gateway; $route) | Test-MeshConfiguration | Should -BeNullOrEmpty
    }

    It 'gates a script with -FailOn' {
        $err = Get-LabError { New-MeshVirtualService reviews reviews | Add-MeshRoute reviews | Test-MeshConfiguration -FailOn Error }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConfigurationFindings,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        { @($base; $gateway; $route) | Test-MeshConfiguration -FailOn Info } | Should -Not -Throw
    }

    It 'analyzes a manifest folder' {
        $folder = Join-Path (Get-PSDrive TestDrive).Root 'analyze'
        $null = @($base; New-MeshAuthorizationPolicy p -Namespace default -Selector @{ app = 'nothing' }) | Export-LabManifest -Path $folder
        (Test-MeshConfiguration -Directory $folder).Code | Should -Contain 'IST0127'
    }

    It 'writes only findings at -OutputThreshold or above, while -FailOn still weighs every finding' {
        $entry = Add-MeshEgressEntry -Name db -Hosts db.example.com -Port 5432 -Protocol TCP -WarningAction SilentlyContinue
        ($entry | Test-MeshConfiguration).Code | Should -Be 'IST0134'
        $entry | Test-MeshConfiguration -OutputThreshold Error | Should -BeNullOrEmpty
        ($entry | Test-MeshConfiguration -OutputThreshold Warning).Code | Should -Be 'IST0134'
        $err = Get-LabError { $entry | Test-MeshConfiguration -OutputThreshold Error -FailOn Warning }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConfigurationFindings,*'
        { $entry | Test-MeshConfiguration -OutputThreshold Critical } | Should -Throw
    }

    It 'takes the mesh config as a hashtable, an object or a file (istioctl analyze --meshConfigFile)' {
        $policy = New-MeshAuthorizationPolicy -Name deny-all -Namespace istio-config
        ($policy | Test-MeshConfiguration).Code | Should -Be 'IST0127'
        $policy | Test-MeshConfiguration -MeshConfig @{ rootNamespace = 'istio-config' } | Should -BeNullOrEmpty
        $policy | Test-MeshConfiguration -MeshConfig ([pscustomobject]@{ rootNamespace = 'istio-config' }) | Should -BeNullOrEmpty
        $file = Join-Path (Get-PSDrive TestDrive).Root 'mesh.yaml'
        Set-Content -LiteralPath $file -Value "rootNamespace: istio-config`ndefaultConfig:`n  proxyMetadata:`n    ISTIO_META_DNS_CAPTURE: 'true'`n    ISTIO_META_DNS_AUTO_ALLOCATE: 'true'"
        $policy | Test-MeshConfiguration -MeshConfig $file | Should -BeNullOrEmpty
        Add-MeshEgressEntry -Name db -Hosts db.example.com -Port 5432 -Protocol TCP -WarningAction SilentlyContinue | Test-MeshConfiguration -MeshConfig $file | Should -BeNullOrEmpty
    }

    It 'validates a pod''s proxy.istio.io/config as the injector does (IST0125)' {
        $pods = ConvertFrom-LabYaml -Yaml @"
apiVersion: v1
kind: Pod
metadata:
  name: good
  namespace: default
  annotations: {proxy.istio.io/config: 'holdApplicationUntilProxyStarts: true'}
---
apiVersion: v1
kind: Pod
metadata:
  name: bad
  namespace: default
  annotations: {proxy.istio.io/config: '{"drainDuration": "1.5s", "tracing": {"zipkin": {"address": "zipkin"}}}'}
"@
        $found = @($pods | Test-MeshConfiguration -FailOn None | Where-Object Code -EQ 'IST0125')
        $found.Count | Should -Be 1
        $found[0].Resource | Should -Be 'Pod default/bad'
        $found[0].Message | Should -BeLike 'Invalid annotation proxy.istio.io/config: 2 errors occurred: drain time only supports durations to seconds precision; invalid zipkin config: *'
    }

    It 'checks the mesh networks given as a hashtable or a file for unknown service registries (IST0126)' {
        $gateway = New-MeshGateway -Name x
        $networks = @{ networks = @{ network1 = @{ endpoints = @(@{ fromRegistry = 'Kubernetes' }, @{ fromRegistry = 'cluster-2' }) } } }
        $found = $gateway | Test-MeshConfiguration -MeshNetworks $networks -FailOn None | Where-Object Code -EQ 'IST0126'
        $found.Resource | Should -Be 'MeshNetworks istio-system/meshnetworks'
        $found.Message | Should -Be 'Unknown service registry cluster-2 in network network1'
        $file = Join-Path (Get-PSDrive TestDrive).Root 'networks.yaml'
        Set-Content -LiteralPath $file -Value "networks:`n  n1:`n    endpoints:`n    - fromRegistry: Kubernetes"
        $gateway | Test-MeshConfiguration -MeshNetworks $file | Where-Object Code -EQ 'IST0126' | Should -BeNullOrEmpty
        (Get-LabError { $gateway | Test-MeshConfiguration -MeshNetworks 42 }).FullyQualifiedErrorId | Should -BeLike 'InvalidMeshConfig,*'
    }

    It 'refuses a mesh config that is no mapping, cannot be read or is no mesh config document' {
        $gateway = New-MeshGateway -Name x
        $err = Get-LabError { $gateway | Test-MeshConfiguration -MeshConfig 42 }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidMeshConfig,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Get-LabError { $gateway | Test-MeshConfiguration -MeshConfig (Join-Path (Get-PSDrive TestDrive).Root 'none.yaml') }).FullyQualifiedErrorId | Should -BeLike 'ManifestReadFailed,*'
        $list = Join-Path (Get-PSDrive TestDrive).Root 'list.yaml'
        Set-Content -LiteralPath $list -Value "- a`n- b"
        (Get-LabError { $gateway | Test-MeshConfiguration -MeshConfig $list }).FullyQualifiedErrorId | Should -BeLike 'InvalidManifest,*'
    }
}
