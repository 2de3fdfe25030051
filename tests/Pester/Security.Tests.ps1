param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force


    $demoToken = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkRIRmJwb0lVcXJZOHQyenBBMnFYZkNtcjVWTzVaRXI0UnpIVV8tZW52dlEiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjQ2ODU5ODk3MDAsImZvbyI6ImJhciIsImlhdCI6MTUzMjM4OTcwMCwiaXNzIjoidGVzdGluZ0BzZWN1cmUuaXN0aW8uaW8iLCJzdWIiOiJ0ZXN0aW5nQHNlY3VyZS5pc3Rpby5pbyJ9.CfNnxWP2tcnR9q0vxyxweaF3ovQYHYZl82hAUsn21bwQd9zP7c-LS9qd_vpdLG4Tn1A15NxfCjp5f7QNBUo-KC9PJqYpgGbaXhaGx7bEdFWjcwv3nZzvc7M__ZpaCERdwU7igUmJqYGBYQ51vr2njU9ZimyKkfDe3axcyiBZde7G6dabliUosJvvKOPcKIWPccCgefSj_GNfwIip3-SsFdlR7BtbVUcqR-yv-XOxJ3Uc1MI0tz3uMiiZcyPV7sNCU4KRnemRIMHVOfuvHsU60_GhGbiSFzgPTAa9WTltbnarTbxudb_YEOx12JiwYToeX0DCPb43W1tzIBxgm8NxUg'
    $deploymentYaml = "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui-v2, namespace: shop}`nspec:`n  template:`n    metadata:`n      labels: {app: ui}`n      annotations: {keep: me}`n    spec:`n      serviceAccountName: ui-sa"
}

Describe 'Enable-MeshStrictMtls' {
    It 'emits the codelab''s PeerAuthentication and DestinationRule' {
        $pa, $dr = Enable-MeshStrictMtls
        $pa | Should -BeOfType GuestbookLab.Model.PeerAuthentication
        $pa.Name | Should -Be 'default'
        $pa.Namespace | Should -Be 'default'
        $pa.Spec.Mtls.Mode | Should -Be 'STRICT'
        $dr | Should -BeOfType GuestbookLab.Model.DestinationRule
        $dr.Spec.Host | Should -Be '*.default.svc.cluster.local'
        $dr.Spec.TrafficPolicy.Tls.Mode | Should -Be 'ISTIO_MUTUAL'
    }

    It 'follows -Namespace and -Mode' {
        $pa, $dr = Enable-MeshStrictMtls -Namespace shop -Mode disable
        $pa.Spec.Mtls.Mode | Should -Be 'DISABLE'
        $dr.Spec.Host | Should -Be '*.shop.svc.cluster.local'
        $dr.Spec.TrafficPolicy.Tls.Mode | Should -Be 'DISABLE'
    }

    It 'builds a workload policy with port-level modes and no DestinationRule' {
        $out = @(Enable-MeshStrictMtls -Name ui-strict -Selector @{ app = 'ui' } -PortLevelMtls @{ 9000 = 'permissive' })
        $out.Count | Should -Be 1
        $out[0].Spec.Selector.MatchLabels['app'] | Should -Be 'ui'
        $out[0].Spec.PortLevelMtls['9000'].Mode | Should -Be 'PERMISSIVE'
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'an unknown mode'; Call = { Enable-MeshStrictMtls -Mode STRICTER }; Id = 'InvalidMtlsMode'; Field = '-Mode'; Value = 'STRICTER' }
        @{ Case = 'port-level modes without a selector'; Call = { Enable-MeshStrictMtls -PortLevelMtls @{ 80 = 'DISABLE' } }; Id = 'InvalidPortLevelMtls'; Field = '-PortLevelMtls' }
        @{ Case = 'port 0'; Call = { Enable-MeshStrictMtls -Name p -Selector @{ app = 'ui' } -PortLevelMtls @{ 0 = 'DISABLE' } }; Id = 'InvalidPortLevelMtls'; Field = 'spec.portLevelMtls.0' }
        @{ Case = 'a bad namespace'; Call = { Enable-MeshStrictMtls -Namespace 'My_NS' }; Id = 'InvalidName'; Field = '-Namespace'; Value = 'My_NS' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Set-MeshProbeRewrite' {
    It 'sets the pod-template annotation and keeps the others' {
        $d = ConvertFrom-LabYaml $deploymentYaml | Set-MeshProbeRewrite -Enabled:$false
        $d.Spec.Template.Metadata.Annotations['sidecar.istio.io/rewriteAppHTTPProbers'] | Should -Be 'false'
        $d.Spec.Template.Metadata.Annotations['keep'] | Should -Be 'me'
        ($d | Set-MeshProbeRewrite -Enabled $true).Spec.Template.Metadata.Annotations['sidecar.istio.io/rewriteAppHTTPProbers'] | Should -Be 'true'
    }

    It 'takes StatefulSets and passes other kinds through' {
        $sts = ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: StatefulSet`nmetadata: {name: mysql}" | Set-MeshProbeRewrite -Enabled:$false
        $sts.Spec.Template.Metadata.Annotations.Count | Should -Be 1
        $gw = New-MeshGateway gw
        ($gw | Set-MeshProbeRewrite -Enabled:$false -ErrorAction SilentlyContinue) | Should -Be $gw
    }
}

Describe 'New-MeshAuthorizationPolicy and Add-MeshAuthorizationRule' {
    It 'makes the codelab''s deny-all as spec: {}' {
        $policy = New-MeshAuthorizationPolicy -Name deny-all -Namespace default
        $policy.Spec.Rules | Should -BeNullOrEmpty
        $policy | ConvertTo-LabYaml | Should -Match "(?m)^spec: \{\}$"
    }

    It 'puts the rule parameters of one call into one rule' {
        $rule = (New-MeshAuthorizationPolicy gv -Principals 'cluster.local/ns/default/sa/ui-sa' -Methods GET, POST -Ports 8080 -When @{ 'request.headers[x-env]' = 'prod', 'test' }).Spec.Rules
        $rule.Count | Should -Be 1
        $rule[0].From[0].Source.Principals | Should -Be @('cluster.local/ns/default/sa/ui-sa')
        $rule[0].To[0].Operation.Methods | Should -Be @('GET', 'POST')
        $rule[0].To[0].Operation.Ports | Should -Be @('8080')
        $rule[0].When[0].Key | Should -Be 'request.headers[x-env]'
        $rule[0].When[0].Values | Should -Be @('prod', 'test')
    }

    It 'adds rules that are ORed, and warns once when from and to were split' {
        $policy = New-MeshAuthorizationPolicy redis-tcp-policy -Selector @{ app = 'redis' } -Action ALLOW |
            Add-MeshAuthorizationRule -Principals 'cluster.local/ns/default/sa/ui-sa' -WarningVariable first |
            Add-MeshAuthorizationRule -Ports 6379 -WarningVariable second 3>$null
        $policy.Spec.Rules.Count | Should -Be 2
        $first | Should -BeNullOrEmpty
        @($second).Count | Should -Be 1
        "$($second[0])" | Should -BeLike '*rules are ORed*spec.rules`[1`]*'
    }

    It 'does not warn when from and to are in one rule, and repeats no warning down a chain' {
        $null = New-MeshAuthorizationPolicy p -Action ALLOW |
            Add-MeshAuthorizationRule -Principals a -Ports 6379 -WarningVariable w1 |
            Add-MeshAuthorizationRule -Methods GET -WarningVariable w2
        $w1 | Should -BeNullOrEmpty
        $w2 | Should -BeNullOrEmpty
    }

    It 'adds an empty rule that matches everything' {
        $policy = New-MeshAuthorizationPolicy allow-all -Action ALLOW | Add-MeshAuthorizationRule
        $policy | ConvertTo-LabYaml | Should -Match '(?m)^  - \{\}$'
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a named port'; Call = { New-MeshAuthorizationPolicy p -Ports http }; Id = 'InvalidPort'; Field = '-Port[0]'; Value = 'http' }
        @{ Case = 'a port range'; Call = { New-MeshAuthorizationPolicy p | Add-MeshAuthorizationRule -Ports '1-2' }; Id = 'InvalidPort'; Field = '-Port[0]' }
        @{ Case = 'an unknown action'; Call = { New-MeshAuthorizationPolicy p -Action BLOCK }; Id = 'InvalidAction'; Field = '-Action'; Value = 'BLOCK' }
        @{ Case = 'DENY without rules'; Call = { New-MeshAuthorizationPolicy p -Action DENY }; Id = 'InvalidRule'; Field = 'spec.rules' }
        @{ Case = 'an unknown condition'; Call = { New-MeshAuthorizationPolicy p -When @{ 'destination.namespace' = 'x' } }; Id = 'InvalidCondition'; Field = '-When[destination.namespace]' }
        @{ Case = 'an empty value'; Call = { New-MeshAuthorizationPolicy p -Methods '' }; Id = 'InvalidRule'; Field = '-Method[0]' }
        @{ Case = 'a bad IP block'; Call = { New-MeshAuthorizationPolicy p -IpBlocks 10.0.0.300 }; Id = 'InvalidIpBlock'; Field = '-IpBlock[0]' }
        @{ Case = 'a wildcard selector'; Call = { New-MeshAuthorizationPolicy p -Selector @{ app = '*' } }; Id = 'InvalidSelector'; Field = '-Selector' }
        @{ Case = 'a provider without CUSTOM'; Call = { New-MeshAuthorizationPolicy p -Provider ext }; Id = 'InvalidAction'; Field = 'spec.provider' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Add-MeshJwtRule' {
    It 'creates the codelab''s RequestAuthentication' {
        $ra = Add-MeshJwtRule -Name ui-jwt-auth -Namespace default -Selector @{ app = 'ui' } -Issuer 'testing@secure.istio.io' -JwksUri 'https://example.com/jwks.json'
        $ra | Should -BeOfType GuestbookLab.Model.RequestAuthentication
        $ra.Spec.Selector.MatchLabels['app'] | Should -Be 'ui'
        $ra.Spec.JwtRules[0].Issuer | Should -Be 'testing@secure.istio.io'
        $ra.Spec.JwtRules[0].JwksUri | Should -Be 'https://example.com/jwks.json'
    }

    It 'chains rules onto the same object' {
        $ra = Add-MeshJwtRule api -Issuer a -JwksUri https://a.example/keys |
            Add-MeshJwtRule -Issuer b -Jwks '{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}' -Audiences api -ForwardOriginalToken
        @($ra).Count | Should -Be 1
        $ra.Spec.JwtRules.Issuer | Should -Be @('a', 'b')
        $ra.Spec.JwtRules[1].Audiences | Should -Be @('api')
        $ra.Spec.JwtRules[1].ForwardOriginalToken | Should -BeTrue
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a JWKS URI that is not http(s)'; Call = { Add-MeshJwtRule ra -Issuer a -JwksUri 'ftp://x/keys' }; Id = 'InvalidJwks'; Field = '-JwksUri'; Value = 'ftp://x/keys' }
        @{ Case = 'an inline JWKS that does not parse'; Call = { Add-MeshJwtRule ra -Issuer a -Jwks '{"nokeys":1}' }; Id = 'InvalidJwks'; Field = '-Jwks' }
        @{ Case = 'an empty issuer'; Call = { Add-MeshJwtRule ra -Issuer '' -JwksUri https://x/keys }; Id = 'InvalidJwtRule'; Field = '-Issuer' }
        @{ Case = 'no name and nothing piped'; Call = { Add-MeshJwtRule -Issuer a -JwksUri https://x/keys }; Id = 'NoApplicableInput'; Field = '-Name' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Get-MeshWorkloadIdentity' {
    It 'gives the SPIFFE ID and the principal' {
        $id = Get-MeshWorkloadIdentity -ServiceAccount message-sa
        $id.SpiffeId | Should -Be 'spiffe://cluster.local/ns/default/sa/message-sa'
        $id.Principal | Should -Be 'cluster.local/ns/default/sa/message-sa'
    }

    It 'reads the service account and namespace of a piped workload' {
        (ConvertFrom-LabYaml $deploymentYaml | Get-MeshWorkloadIdentity).Principal | Should -Be 'cluster.local/ns/shop/sa/ui-sa'
    }

    It 'takes another trust domain' {
        (Get-MeshWorkloadIdentity ui-sa -TrustDomain example.org).SpiffeId | Should -Be 'spiffe://example.org/ns/default/sa/ui-sa'
    }

    It 'rejects a bad service account' {
        Should-BeLabError (Get-LabError { Get-MeshWorkloadIdentity 'UI SA' }) 'InvalidName' '-ServiceAccount' 'UI SA'
    }
}

Describe 'Get-MeshJwtPrincipal' {
    It 'decodes the codelab''s token' {
        $p = Get-MeshJwtPrincipal -Token $demoToken
        $p.Issuer | Should -Be 'testing@secure.istio.io'
        $p.Subject | Should -Be 'testing@secure.istio.io'
        $p.RequestPrincipal | Should -Be 'testing@secure.istio.io/testing@secure.istio.io'
        $p.Expires.ToUnixTimeSeconds() | Should -Be 4685989700
        $p.Claims['foo'] | Should -Be 'bar'
    }

    It 'takes tokens from the pipeline and reports a bad one without stopping' {
        $out = 'invalidToken', $demoToken | Get-MeshJwtPrincipal -ErrorVariable problems -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidToken,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'never writes the token to any stream' {
        $streams = @(Get-MeshJwtPrincipal -Token $demoToken -Verbose -Debug *>&1) +
            @(Get-MeshJwtPrincipal -Token "$demoToken.extra" -Verbose -Debug -ErrorAction SilentlyContinue -ErrorVariable problems *>&1)
        $problems | Should -Not -BeNullOrEmpty
        $everything = ($streams | Out-String -Width 1000) + ($problems | Format-List * -Force | Out-String -Width 1000) + ($problems.Exception | Format-List * -Force | Out-String -Width 1000)
        $everything | Should -Not -Match ([regex]::Escape($demoToken.Split('.')[2]))
        $everything | Should -Not -Match ([regex]::Escape($demoToken.Split('.')[1]))
    }
}

Describe 'Add-MeshEgressEntry' {
    It 'makes the codelab''s ubuntu and google entries' {
        $ubuntu = Add-MeshEgressEntry -Name ubuntu -Hosts '*.ubuntu.com' -Port 80 -Protocol HTTP
        $ubuntu.Spec.Hosts | Should -Be @('*.ubuntu.com')
        $ubuntu.Spec.Location | Should -Be 'MESH_EXTERNAL'
        $ubuntu.Spec.Ports[0].Name | Should -Be 'http'
        $ubuntu.Spec.Resolution | Should -BeNullOrEmpty
        $google = Add-MeshEgressEntry google google.com -Port 443 -Protocol https
        $google.Spec.Ports[0].Protocol | Should -Be 'HTTPS'
        $google.Spec.Ports[0].Name | Should -Be 'https'
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a wildcard host resolved by DNS'; Call = { Add-MeshEgressEntry u '*.ubuntu.com' -Port 80 -Protocol HTTP -Resolution DNS }; Id = 'InvalidServiceEntry'; Field = 'spec.hosts[0]' }
        @{ Case = 'the host *'; Call = { Add-MeshEgressEntry all '*' -Port 80 -Protocol HTTP }; Id = 'InvalidHost'; Field = 'spec.hosts[0]' }
        @{ Case = 'an unknown protocol'; Call = { Add-MeshEgressEntry g google.com -Port 443 -Protocol HTTPX }; Id = 'InvalidProtocol'; Field = '-Protocol' }
        @{ Case = 'a bad port'; Call = { Add-MeshEgressEntry g google.com -Port 0 -Protocol HTTPS }; Id = 'InvalidPort'; Field = '-Port' }
        @{ Case = 'an unknown location'; Call = { Add-MeshEgressEntry g google.com -Port 443 -Protocol HTTPS -Location OUTSIDE }; Id = 'InvalidServiceEntry'; Field = '-Location' }
        @{ Case = 'several hosts on a TCP port with DNS'; Call = { Add-MeshEgressEntry db a.com, b.com -Port 5432 -Protocol TCP -Resolution DNS -Addresses 10.0.0.1 }; Id = 'InvalidServiceEntry'; Field = 'spec.ports[0].protocol' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'New-MeshInstallConfig and Set-MeshOutboundPolicy' {
    It 'makes the codelab''s istio.yaml without metadata' {
        $io = New-MeshInstallConfig
        $io.Spec.Profile | Should -Be 'demo'
        $io.Spec.MeshConfig.DefaultConfig.Tracing.Zipkin.Address | Should -Be 'zipkin.istio-system:9411'
        $io | ConvertTo-LabYaml | Should -Not -Match 'metadata'
    }

    It 'sets the outbound policy' {
        (New-MeshInstallConfig | Set-MeshOutboundPolicy -Mode registry_only).Spec.MeshConfig.OutboundTrafficPolicy.Mode | Should -Be 'REGISTRY_ONLY'
        (New-MeshInstallConfig -OutboundTrafficPolicy ALLOW_ANY -ZipkinAddress '').Spec.MeshConfig.DefaultConfig | Should -BeNullOrEmpty
    }

    It 'keeps fields it does not model' {
        $io = ConvertFrom-LabYaml "apiVersion: install.istio.io/v1alpha1`nkind: IstioOperator`nspec:`n  profile: demo`n  components:`n    egressGateways:`n    - {name: istio-egressgateway, enabled: true}`n  meshConfig:`n    accessLogFile: /dev/stdout`n    extensionProviders: [{name: otel}]" |
            Set-MeshOutboundPolicy REGISTRY_ONLY
        $yaml = $io | ConvertTo-LabYaml
        $yaml | Should -Match 'istio-egressgateway'
        $yaml | Should -Match 'extensionProviders'
        $yaml | Should -Match 'accessLogFile: /dev/stdout'
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'an unknown profile'; Call = { New-MeshInstallConfig -Profile demonstration }; Id = 'InvalidInstallConfig'; Field = '-Profile'; Value = 'demonstration' }
        @{ Case = 'a collector without a port'; Call = { New-MeshInstallConfig -ZipkinAddress zipkin.istio-system }; Id = 'InvalidInstallConfig'; Field = '-ZipkinAddress' }
        @{ Case = 'an unknown outbound mode'; Call = { New-MeshInstallConfig | Set-MeshOutboundPolicy BLOCK }; Id = 'InvalidOutboundPolicy'; Field = '-Mode'; Value = 'BLOCK' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Enable-MeshInjection' {
    It 'labels the default namespace' {
        $ns = Enable-MeshInjection
        $ns | Should -BeOfType GuestbookLab.Model.KubernetesNamespace
        $ns.Name | Should -Be 'default'
        $ns.Metadata.Labels['istio-injection'] | Should -Be 'enabled'
    }

    It 'disables, and changes piped namespaces keeping their labels' {
        (Enable-MeshInjection noistio -Disable).Metadata.Labels['istio-injection'] | Should -Be 'disabled'
        $ns = ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata:`n  name: shop`n  labels: {team: web}" | Enable-MeshInjection
        $ns.Metadata.Labels['team'] | Should -Be 'web'
        $ns.Metadata.Labels['istio-injection'] | Should -Be 'enabled'
    }

    It 'rejects a bad namespace name' {
        Should-BeLabError (Get-LabError { Enable-MeshInjection -Namespace 'Shop_1' }) 'InvalidName' '-Namespace' 'Shop_1'
    }
}
