param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force

    function New-Route([string] $Name = 'reviews') {
        New-MeshVirtualService -Name $Name -Hosts $Name | Add-MeshRoute -Destination $Name
    }
}

Describe 'New-MeshGateway' {
    It 'defaults to the codelab gateway' {
        $gw = New-MeshGateway -Name guestbook-ui-gateway
        $gw | Should -BeOfType GuestbookLab.Model.Gateway
        $gw.Spec.Selector['istio'] | Should -Be 'ingressgateway'
        $gw.Spec.Servers[0].Port.Number | Should -Be 80
        $gw.Spec.Servers[0].Port.Name | Should -Be 'http'
        $gw.Spec.Servers[0].Port.Protocol | Should -Be 'HTTP'
        $gw.Spec.Servers[0].Hosts | Should -Be @('*')
    }

    It 'builds an HTTPS server with a credential' {
        $gw = New-MeshGateway -Name secure -Hosts guestbook.example.com -Port 443 -Protocol https -CredentialName cert
        $gw.Spec.Servers[0].Port.Protocol | Should -Be 'HTTPS'
        $gw.Spec.Servers[0].Port.Name | Should -Be 'https'
        $gw.Spec.Servers[0].Tls.Mode | Should -Be 'SIMPLE'
        $gw.Spec.Servers[0].Tls.CredentialName | Should -Be 'cert'
    }

    It 'binds Name, Namespace and Hosts by property name' {
        $gw = [pscustomobject]@{ Name = 'from-pipe'; Namespace = 'istio-system'; Hosts = 'a.example.com' } | New-MeshGateway
        $gw.Name | Should -Be 'from-pipe'
        $gw.Namespace | Should -Be 'istio-system'
        $gw.Spec.Servers[0].Hosts | Should -Be @('a.example.com')
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a name with dots'; Call = { New-MeshGateway -Name 'a.b' }; Id = 'InvalidName'; Field = '-Name'; Value = 'a.b' }
        @{ Case = 'a bad port'; Call = { New-MeshGateway -Name gw -Port 70000 }; Id = 'InvalidPort'; Field = '-Port'; Value = '70000' }
        @{ Case = 'an unknown protocol'; Call = { New-MeshGateway -Name gw -Protocol HTTPX }; Id = 'InvalidProtocol'; Field = '-Protocol'; Value = 'HTTPX' }
        @{ Case = 'a short host'; Call = { New-MeshGateway -Name gw -Hosts ui }; Id = 'InvalidHost'; Field = 'spec.servers[0].hosts[0]'; Value = 'ui' }
        @{ Case = 'HTTPS without a certificate'; Call = { New-MeshGateway -Name gw -Protocol HTTPS -Port 443 }; Id = 'InvalidTls'; Field = 'spec.servers[0].tls' }
        @{ Case = 'a selector with a wildcard'; Call = { New-MeshGateway -Name gw -Selector @{ istio = '*' } }; Id = 'InvalidSelector'; Field = '-Selector' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'New-MeshVirtualService and Add-MeshRoute' {
    It 'emits a VirtualService that has no routes yet' {
        $vs = New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway
        $vs | Should -BeOfType GuestbookLab.Model.VirtualService
        $vs.Spec.Hosts | Should -Be @('*')
        $vs.Spec.Gateways | Should -Be @('guestbook-ui-gateway')
        $vs.Spec.Http | Should -BeNullOrEmpty
    }

    It 'binds by property name' {
        $vs = [pscustomobject]@{ Name = 'ratings'; Hosts = @('ratings'); Namespace = 'shop' } | New-MeshVirtualService
        $vs.Name | Should -Be 'ratings'
        $vs.Namespace | Should -Be 'shop'
    }

    It 'adds a catch-all route' {
        $vs = New-Route
        $vs.Spec.Http.Count | Should -Be 1
        $vs.Spec.Http[0].Match | Should -BeNullOrEmpty
        $vs.Spec.Http[0].Route[0].Destination.Host | Should -Be 'reviews'
    }

    It 'ANDs the conditions of one call into one match' {
        $vs = New-MeshVirtualService -Name r -Hosts r |
            Add-MeshRoute -Destination r -UriExact /api -Method POST -HeaderExact @{ 'End-User' = 'jason' } -HeaderPrefix @{ cookie = 'session=' }
        $match = $vs.Spec.Http[0].Match
        $match.Count | Should -Be 1
        $match[0].Uri.Exact | Should -Be '/api'
        $match[0].Method.Exact | Should -Be 'POST'
        $match[0].Headers['end-user'].Exact | Should -Be 'jason'
        $match[0].Headers['cookie'].Prefix | Should -Be 'session='
    }

    It 'joins a weighted destination to the last route when the match is the same' {
        $vs = New-MeshVirtualService -Name ui -Hosts ui |
            Add-MeshRoute -Destination ui -Subset v1 -Weight 20 -UriPrefix / |
            Add-MeshRoute -Destination ui -Subset v2 -Weight 80 -UriPrefix /
        $vs.Spec.Http.Count | Should -Be 1
        $vs.Spec.Http[0].Route.Weight | Should -Be @(20, 80)
    }

    It 'appends a new route when the match differs or no weight is given' {
        $vs = New-MeshVirtualService -Name ui -Hosts ui |
            Add-MeshRoute -Destination ui -Subset v2 -UriPrefix / -HeaderRegex @{ 'user-agent' = '.*Chrome.*' } |
            Add-MeshRoute -Destination ui -Subset v1 -UriPrefix /
        $vs.Spec.Http.Count | Should -Be 2
        $vs.Spec.Http[0].Match[0].Headers['user-agent'].Regex | Should -Be '.*Chrome.*'
        $vs.Spec.Http[1].Route[0].Destination.Subset | Should -Be 'v1'
    }

    It 'does not change its input' {
        $original = New-MeshVirtualService -Name r -Hosts r
        $changed = $original | Add-MeshRoute -Destination r
        $original.Spec.Http | Should -BeNullOrEmpty
        $changed.Spec.Http.Count | Should -Be 1
    }

    It 'passes other kinds through and says when no VirtualService came' {
        $dr = New-MeshDestinationRule -Name r -Host r
        $out = $dr | Add-MeshRoute -Destination r -ErrorVariable problems -ErrorAction SilentlyContinue
        $out | Should -Be $dr
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'NoApplicableInput,*'
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a bad name'; Call = { New-MeshVirtualService -Name 'Bad_Name' -Hosts r }; Id = 'InvalidName'; Field = '-Name'; Value = 'Bad_Name' }
        @{ Case = 'the host * without a gateway'; Call = { New-MeshVirtualService -Name r -Hosts '*' }; Id = 'InvalidHost'; Field = 'spec.hosts[0]' }
        @{ Case = 'overlapping hosts'; Call = { New-MeshVirtualService -Name r -Hosts '*.a.com', 'b.a.com' }; Id = 'DuplicateHost'; Field = 'spec.hosts[1]' }
        @{ Case = 'a bad gateway reference'; Call = { New-MeshVirtualService -Name r -Hosts r -Gateways 'a/b/c' }; Id = 'InvalidGatewayReference'; Field = 'spec.gateways[0]' }
        @{ Case = 'a non-RE2 regex'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -UriRegex '(?=x)y' }; Id = 'InvalidRegex'; Field = '-UriRegex'; Value = '(?=x)y' }
        @{ Case = 'a bad header regex'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -HeaderRegex @{ ua = '[' } }; Id = 'InvalidRegex'; Field = '-HeaderRegex[ua]' }
        @{ Case = 'two uri matches'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -UriPrefix / -UriExact /a }; Id = 'InvalidMatch'; Field = '-UriPrefix, -UriExact' }
        @{ Case = 'a negative weight'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -Weight -5 }; Id = 'InvalidWeight'; Field = '-Weight'; Value = '-5' }
        @{ Case = 'a destination of *'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute '*' }; Id = 'InvalidDestination'; Field = '-Destination' }
        @{ Case = 'a bad subset'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -Subset V_1 }; Id = 'InvalidSubset'; Field = '-Subset'; Value = 'V_1' }
        @{ Case = 'a bad port'; Call = { New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -Port 0 }; Id = 'InvalidPort'; Field = '-Port' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Add-MeshFault' {
    It 'aborts with a status' {
        $fault = (New-Route | Add-MeshFault -Abort 503).Spec.Http[0].Fault
        $fault.Abort.HttpStatus | Should -Be 503
        $fault.Abort.Percentage.Value | Should -Be 100
        $fault.Delay | Should -BeNullOrEmpty
    }

    It 'delays by <Delay> written as <Kind>' -ForEach @(
        @{ Kind = 'a quoted string'; Delay = '5s'; Expected = '5s' }
        @{ Kind = 'an unquoted 5s (a [short] to PowerShell)'; Delay = 5s; Expected = '5s' }
        @{ Kind = 'milliseconds'; Delay = '500ms'; Expected = '500ms' }
        @{ Kind = 'a TimeSpan'; Delay = [timespan]::FromSeconds(5); Expected = '5s' }
        @{ Kind = 'a TimeSpan of 1.5 s'; Delay = [timespan]::FromMilliseconds(1500); Expected = '1500ms' }
    ) {
        (New-Route | Add-MeshFault -Delay $Delay).Spec.Http[0].Fault.Delay.FixedDelay | Should -Be $Expected
    }

    It 'combines abort and delay, both at -Percent' {
        $fault = (New-Route | Add-MeshFault -Abort 500 -Delay 1s -Percent 10).Spec.Http[0].Fault
        $fault.Abort.Percentage.Value | Should -Be 10
        $fault.Delay.Percentage.Value | Should -Be 10
    }

    It 'changes the route given by -RouteIndex' {
        $vs = New-MeshVirtualService -Name r -Hosts r | Add-MeshRoute r -UriPrefix /a | Add-MeshRoute r |
            Add-MeshFault -Abort 418 -RouteIndex 0
        $vs.Spec.Http[0].Fault.Abort.HttpStatus | Should -Be 418
        $vs.Spec.Http[1].Fault | Should -BeNullOrEmpty
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a status under 200'; Call = { New-Route | Add-MeshFault -Abort 199 }; Id = 'InvalidAbortStatus'; Field = '-Abort'; Value = '199' }
        @{ Case = 'a status over 600'; Call = { New-Route | Add-MeshFault -Abort 700 }; Id = 'InvalidAbortStatus'; Field = '-Abort'; Value = '700' }
        @{ Case = 'a percentage over 100'; Call = { New-Route | Add-MeshFault -Abort 503 -Percent 101 }; Id = 'InvalidPercentage'; Field = '-Percent'; Value = '101' }
        @{ Case = 'a negative percentage'; Call = { New-Route | Add-MeshFault -Abort 503 -Percent -1 }; Id = 'InvalidPercentage'; Field = '-Percent' }
        @{ Case = 'a delay under 1ms'; Call = { New-Route | Add-MeshFault -Delay 0.5ms }; Id = 'InvalidDuration'; Field = '-Delay'; Value = '0.5ms' }
        @{ Case = 'an unparsable delay'; Call = { New-Route | Add-MeshFault -Delay soon }; Id = 'InvalidDuration'; Field = '-Delay'; Value = 'soon' }
        @{ Case = 'a delay without a unit'; Call = { New-Route | Add-MeshFault -Delay 5 }; Id = 'InvalidDuration'; Field = '-Delay'; Value = '5' }
        @{ Case = 'neither abort nor delay'; Call = { New-Route | Add-MeshFault }; Id = 'InvalidFault'; Field = '-Abort, -Delay' }
        @{ Case = 'a VirtualService without routes'; Call = { New-MeshVirtualService r r | Add-MeshFault -Abort 503 }; Id = 'NoRouteToModify'; Field = 'InputObject' }
        @{ Case = 'a route index out of range'; Call = { New-Route | Add-MeshFault -Abort 503 -RouteIndex 3 }; Id = 'NoRouteToModify'; Field = '-RouteIndex'; Value = '3' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Set-MeshRetryPolicy' {
    It 'sets attempts, per-try timeout and conditions' {
        $retries = (New-Route | Set-MeshRetryPolicy -Attempts 3 -PerTryTimeout 2s -RetryOn '5xx,connect-failure').Spec.Http[0].Retries
        $retries.Attempts | Should -Be 3
        $retries.PerTryTimeout | Should -Be '2s'
        $retries.RetryOn | Should -Be '5xx,connect-failure'
    }

    It 'turns retries off with 0 attempts' {
        (New-Route | Set-MeshRetryPolicy 0).Spec.Http[0].Retries.Attempts | Should -Be 0
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a timeout with zero attempts'; Call = { New-Route | Set-MeshRetryPolicy -Attempts 0 -PerTryTimeout 2s }; Id = 'InvalidRetryPolicy'; Field = '-Attempts' }
        @{ Case = 'negative attempts'; Call = { New-Route | Set-MeshRetryPolicy -Attempts -1 }; Id = 'InvalidRetryPolicy'; Field = '-Attempts'; Value = '-1' }
        @{ Case = 'an unknown condition'; Call = { New-Route | Set-MeshRetryPolicy 3 -RetryOn '5xx,maybe' }; Id = 'InvalidRetryOn'; Field = '-RetryOn'; Value = 'maybe' }
        @{ Case = 'a bad timeout'; Call = { New-Route | Set-MeshRetryPolicy 3 -PerTryTimeout 1500us }; Id = 'InvalidDuration'; Field = '-PerTryTimeout' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Set-MeshMirror' {
    It 'mirrors to a subset at 100% by default' {
        $route = (New-MeshVirtualService message-service message-service |
            Add-MeshRoute message-service -Subset v1 -Weight 100 -UriPrefix / |
            Set-MeshMirror message-service -Subset v2).Spec.Http[0]
        $route.Mirror.Host | Should -Be 'message-service'
        $route.Mirror.Subset | Should -Be 'v2'
        $route.MirrorPercentage.Value | Should -Be 100
    }

    It 'rejects a percentage over 100' {
        Should-BeLabError (Get-LabError { New-Route | Set-MeshMirror reviews -Percent 150 }) 'InvalidPercentage' '-Percent' '150'
    }
}

Describe 'DestinationRules' {
    It 'builds subsets' {
        $dr = New-MeshDestinationRule -Name ui -Host ui | Add-MeshSubset v1 @{ version = '1.0' } | Add-MeshSubset v2 @{ version = '2.0' }
        $dr.Spec.Host | Should -Be 'ui'
        $dr.Spec.Subsets.Name | Should -Be @('v1', 'v2')
        $dr.Spec.Subsets[1].Labels['version'] | Should -Be '2.0'
    }

    It 'sets the codelab circuit breaker' {
        $policy = (New-MeshDestinationRule message-service message-service |
            Set-MeshCircuitBreaker -MaxConnections 100 -MaxRequestsPerConnection 10 -MaxPendingRequests 1024 -Consecutive5xxErrors 7 -Interval 5m -BaseEjectionTime ([timespan]::FromMinutes(15))).Spec.TrafficPolicy
        $policy.ConnectionPool.Tcp.MaxConnections | Should -Be 100
        $policy.ConnectionPool.Http.MaxRequestsPerConnection | Should -Be 10
        $policy.ConnectionPool.Http.Http1MaxPendingRequests | Should -Be 1024
        $policy.OutlierDetection.Consecutive5xxErrors | Should -Be 7
        $policy.OutlierDetection.Interval | Should -Be '5m'
        $policy.OutlierDetection.BaseEjectionTime | Should -Be '15m'
    }

    It 'changes only the given settings' {
        $dr = New-MeshDestinationRule r r | Set-MeshCircuitBreaker -MaxConnections 5 | Set-MeshCircuitBreaker -Consecutive5xxErrors 3
        $dr.Spec.TrafficPolicy.ConnectionPool.Tcp.MaxConnections | Should -Be 5
        $dr.Spec.TrafficPolicy.OutlierDetection.Consecutive5xxErrors | Should -Be 3
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'a duplicate subset'; Call = { New-MeshDestinationRule r r | Add-MeshSubset v1 @{ v = '1' } | Add-MeshSubset v1 @{ v = '2' } }; Id = 'DuplicateSubset'; Field = '-Name'; Value = 'v1' }
        @{ Case = 'a bad label value'; Call = { New-MeshDestinationRule r r | Add-MeshSubset v1 @{ version = 'not ok!' } }; Id = 'InvalidLabel'; Field = '-Label[version]' }
        @{ Case = 'a bad host'; Call = { New-MeshDestinationRule r 'a..b' }; Id = 'InvalidHost'; Field = '-Host' }
        @{ Case = 'no setting'; Call = { New-MeshDestinationRule r r | Set-MeshCircuitBreaker }; Id = 'InvalidTrafficPolicy'; Field = '-MaxConnections' }
        @{ Case = 'a negative limit'; Call = { New-MeshDestinationRule r r | Set-MeshCircuitBreaker -MaxConnections -1 }; Id = 'InvalidTrafficPolicy'; Field = '-MaxConnections'; Value = '-1' }
        @{ Case = 'a bad interval'; Call = { New-MeshDestinationRule r r | Set-MeshCircuitBreaker -Interval 0ms }; Id = 'InvalidDuration'; Field = '-Interval' }
        @{ Case = 'an ejection percent over 100'; Call = { New-MeshDestinationRule r r | Set-MeshCircuitBreaker -MaxEjectionPercent 101 }; Id = 'InvalidPercentage'; Field = '-MaxEjectionPercent' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}

Describe 'Set-MeshTrafficSplit' {
    It 'emits the DestinationRule, then the weighted VirtualService' {
        $out = Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway
        $out.Count | Should -Be 2
        $out[0] | Should -BeOfType GuestbookLab.Model.DestinationRule
        $out[0].Spec.Subsets.Name | Should -Be @('v1', 'v2')
        $out[0].Spec.Subsets.Labels.version | Should -Be @('1.0', '2.0')
        $out[1] | Should -BeOfType GuestbookLab.Model.VirtualService
        $out[1].Spec.Http[0].Match[0].Uri.Prefix | Should -Be '/'
        $out[1].Spec.Http[0].Route.Weight | Should -Be @(20, 80)
        $out[1].Spec.Http[0].Route.Destination.Subset | Should -Be @('v1', 'v2')
    }

    It 'keeps zero-weight subsets in the rule but not in the route' {
        $out = Set-MeshTrafficSplit -Service ui -Weight ([ordered]@{ v1 = 100; v2 = 0 })
        $out[0].Spec.Subsets.Count | Should -Be 2
        $out[1].Spec.Http[0].Route.Count | Should -Be 1
        $out[1].Spec.Http[0].Route[0].Weight | Should -Be 100
        $out[1].Name | Should -Be 'ui'
        $out[1].Spec.Hosts | Should -Be @('ui')
    }

    It 'uses -SubsetLabels for other subset names' {
        $out = Set-MeshTrafficSplit reviews @{ stable = 90; canary = 10 } -SubsetLabels @{ stable = @{ track = 'stable' }; canary = @{ track = 'canary' } }
        ($out[0].Spec.Subsets | Where-Object Name -EQ canary).Labels['track'] | Should -Be 'canary'
    }

    It 'has no match with an empty -UriPrefix' {
        (Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 } -UriPrefix '')[1].Spec.Http[0].Match | Should -BeNullOrEmpty
    }

    It 'rejects <Case>' -ForEach @(
        @{ Case = 'weights not summing to 100'; Call = { Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 70 } }; Id = 'WeightsMustSumTo100'; Field = '-Weight'; Value = 'v1=20, v2=70' }
        @{ Case = 'a fractional weight'; Call = { Set-MeshTrafficSplit ui @{ v1 = 20.5; v2 = 79.5 } }; Id = 'InvalidWeight'; Field = '-Weight[v1]'; Value = '20.5' }
        @{ Case = 'a weight as text'; Call = { Set-MeshTrafficSplit ui @{ v1 = '20'; v2 = 80 } }; Id = 'InvalidWeight'; Field = '-Weight[v1]' }
        @{ Case = 'a weight over 100'; Call = { Set-MeshTrafficSplit ui @{ v1 = 120; v2 = -20 } }; Id = 'InvalidWeight'; Field = '-Weight[v1]' }
        @{ Case = 'a subset name that is not vN, without labels'; Call = { Set-MeshTrafficSplit ui @{ blue = 50; green = 50 } }; Id = 'MissingSubsetLabels'; Field = '-SubsetLabel' }
        @{ Case = 'a bad subset name'; Call = { Set-MeshTrafficSplit ui @{ V_1 = 100 } }; Id = 'InvalidSubset'; Field = '-Weight[V_1]' }
        @{ Case = 'a bad service name'; Call = { Set-MeshTrafficSplit 'UI!' @{ v1 = 100 } }; Id = 'InvalidName'; Field = '-Service' }
    ) {
        Should-BeLabError (Get-LabError $Call) $Id $Field $Value
    }
}
