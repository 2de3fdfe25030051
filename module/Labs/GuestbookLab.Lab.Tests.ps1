#Requires -Modules GuestbookLab
<#
.SYNOPSIS
    The codelab's own observations, checked offline against the lab's manifests with Test-MeshRequest, and with -Live
    against a cluster as well.
.DESCRIPTION
    A Pester 5 suite. Each Describe is a codelab section, each It one thing the codelab says you will see. The mesh
    state of each check is the lab's steps applied in order up to a step, less the objects the codelab deletes
    (Get-LabState, from the lab's lab-steps.csv). Run it offline with:
        Invoke-Pester -Container (New-PesterContainer -Path ./GuestbookLab.Lab.Tests.ps1 -Data @{ LabPath = './lab' }) -Output Detailed

    Live (-Live), against the session's cluster (Connect-LabCluster) or -Connection: the suite applies the lab to the
    cluster step by step as it goes (from the Install section on; each step's file, after the codelab's deletions,
    as Get-LabState replays them; the IstioOperator steps with Install-LabIstio, or stored as the configuration with
    -SkipIstioInstall), and at each step where the codelab makes an observation it asks both the simulator
    (Test-MeshRequest) and the cluster (Compare-MeshRequest: Invoke-LabRequest with the same -From, -Uri, -Method,
    -Header, -Token and -Count, from the ingress or by curl in the codelab's client pods, which it starts). A
    disagreement fails the It, naming both answers. The mesh takes a moment to take up a change: a disagreement is
    asked again until -SettleSec has passed. tcp:// requests and the kubelet's probes are not sent live (the suite
    lists them at the end). Before its first step the suite deletes what the later steps apply, so a cluster left at
    the lab's end starts over; at the end the cluster holds the mesh as the codelab leaves it.
        Connect-LabCluster | Out-Null
        Invoke-Pester -Container (New-PesterContainer -Path ./GuestbookLab.Lab.Tests.ps1 -Data @{ LabPath = './lab'; Live = $true }) -Output Detailed
#>
param(
    # The lab script's output folder (NN-step.yaml files).
    [Parameter(Mandatory)] [string] $LabPath,

    # Also asks the cluster, applying the lab to it step by step.
    [switch] $Live,
    # The cluster for -Live; the session's connection (Connect-LabCluster) by default.
    [GuestbookLab.Model.LabConnection] $Connection,
    # The ingress gateway's address (HOST or HOST:PORT, the codelab's INGRESS_IP); by default the load-balancer
    # address of istio-system/istio-ingressgateway, as Get-LabIngressAddress reads it.
    [string] $IngressAddress,
    # How many requests a sampled observation sends live (the simulator's own count stays the codelab's).
    [int] $LiveCount = 100,
    # How long a disagreement is asked again before it fails (the mesh taking up a change).
    [int] $SettleSec = 30,
    # How long each live request may take.
    [int] $RequestTimeoutSec = 10,
    # Waits for each applied step's Deployments and StatefulSets to roll out (Wait-LabRollout).
    [switch] $WaitForRollout,
    [int] $RolloutTimeoutSec = 300,
    # Leaves the cluster's Istio alone: the IstioOperator steps store their configuration as
    # istio-system/installed-state instead of running istioctl install (as the lab script's -SkipIstioInstall).
    [switch] $SkipIstioInstall,
    # Parameters for Install-LabIstio (IstioctlPath, Timeout).
    [hashtable] $IstioOptions = @{}
)

BeforeAll {
    # The mesh as the codelab leaves it after step -Through: the lab's steps in order (lab-steps.csv), each first
    # deleting what the codelab deletes before it, then applying its objects (later ones replacing earlier ones).
    $index = Import-Csv -LiteralPath (Join-Path $LabPath 'lab-steps.csv')
    # The live mode's state: the step the cluster is at, the client pods started, what was not sent.
    $session = @{ Step = $null; Applied = ''; Pods = @{}; NotSent = [System.Collections.Generic.List[string]]::new(); Reset = $false }
    function Get-LabState {
        param([string] $Through)
        $session.Step = $Through
        $state = [System.Collections.Generic.List[object]]::new()
        foreach ($step in $index | Where-Object Step -LE $Through) {
            foreach ($removal in $step.Removes -split ';' | Where-Object { $_ }) {
                $kind, $name = $removal.Split('/')[0], $removal.Split('/')[-1]
                $null = $state.RemoveAll({ param($o) $o.Kind -eq $kind -and $o.Name -eq $name })
            }
            $file = Join-Path $LabPath $step.File
            if (Test-Path -LiteralPath $file) { $state.AddRange([object[]] @(ConvertFrom-LabYaml -LiteralPath $file)) }
        }
        $state
    }

    $on = @{}
    if ($Live) {
        $target = if ($Connection) { $Connection } else { Get-LabConnection }
        if (-not $target -or $target.Kind -ne 'Cluster') {
            throw "-Live needs a cluster: connect with Connect-LabCluster (or give -Connection); the session has $(if ($target) { $target } else { 'no connection' })."
        }
        $on = @{ Connection = $target }
    }
    $meshSections = 'Install', 'Traffic', 'Egress', 'Security'

    # -Live: brings the cluster forward to step -Through, as the lab applies it (the codelab's deletions, then the
    # step's objects). The first time, deletes what the Traffic, Egress and Security steps make, so the mesh starts
    # from the application alone.
    function Sync-LabCluster([string] $Through) {
        if (-not $session.Reset) {
            $seen = @{}
            foreach ($step in $index | Where-Object Section -In 'Traffic', 'Egress', 'Monitoring', 'Security') {
                foreach ($o in @(ConvertFrom-LabYaml -LiteralPath (Join-Path $LabPath $step.File) -ErrorAction Ignore)) {
                    $key = "$($o.Kind)/$($o.Namespace)/$($o.Name)"
                    if ($o.Kind -in 'IstioOperator', 'Namespace' -or $seen[$key]) { continue }
                    $seen[$key] = $true
                    $ns = if ($o.Namespace) { $o.Namespace } else { 'default' }
                    $null = Get-LabResource -Kind $o.Kind -Name $o.Name -Namespace $ns @on -ErrorAction Ignore | Remove-LabResource @on -Confirm:$false
                }
            }
            $session.Reset = $true
        }
        if ($session.Applied -gt $Through) { throw "The live mode applies the lab forward only: the cluster is at $($session.Applied), this observation is at $Through." }
        foreach ($step in $index | Where-Object { $_.Step -gt $session.Applied -and $_.Step -le $Through }) {
            $session.Applied = $step.Step
            if ($step.Section -notin $meshSections) { continue }
            foreach ($removal in $step.Removes -split ';' | Where-Object { $_ }) {
                $parts = $removal.Split('/')
                $ns = if ($parts.Count -eq 3) { $parts[1] } else { 'default' }
                $null = Get-LabResource -Kind $parts[0] -Name $parts[-1] -Namespace $ns @on -ErrorAction Ignore | Remove-LabResource @on -Confirm:$false
            }
            $objects = @(ConvertFrom-LabYaml -LiteralPath (Join-Path $LabPath $step.File) | Where-Object { $_ -isnot [GuestbookLab.Model.KopsResource] })
            $toApply = foreach ($o in $objects) {
                if ($o -isnot [GuestbookLab.Model.IstioOperator]) { $o; continue }
                if (-not $SkipIstioInstall) { $null = $o | Install-LabIstio @on @IstioOptions; continue }
                $stored = ConvertFrom-LabYaml ($o | ConvertTo-LabYaml)
                $stored.Name = 'installed-state'; $stored.Namespace = 'istio-system'
                $stored
            }
            $applied = @($toApply | Publish-LabResource @on -WarningAction SilentlyContinue)
            if ($WaitForRollout) {
                foreach ($r in $applied | Where-Object Kind -In 'Deployment', 'StatefulSet') {
                    $null = Wait-LabRollout -Kind $r.Kind -Name $r.Name -Namespace $r.Namespace -TimeoutSec $RolloutTimeoutSec @on
                }
            }
        }
    }

    # The codelab's throw-away client pods (kubectl run curl / ubuntu), started once.
    function Confirm-ClientPod([string] $From) {
        if ($From -notmatch '^([a-z0-9-]+)/(curl|ubuntu)$' -or $session.Pods[$From]) { return }
        $null = Start-LabClientPod -Name $Matches[2] -Namespace $Matches[1] @on -WarningAction SilentlyContinue
        $session.Pods[$From] = $true
    }

    # What the simulator says of the request over the piped state; with -Live also what the cluster says at the
    # observation's step, a disagreement failing with both answers.
    function Test-Observation {
        param(
            [Parameter(ValueFromPipeline)] [object] $InputObject,
            [Parameter(Mandatory)] [string] $From,
            [Parameter(Mandatory)] [string] $Uri,
            [string] $Method = 'GET',
            [hashtable] $Header,
            [string] $Token,
            [int] $Count = 1,
            [int] $Seed
        )
        begin { $state = [System.Collections.Generic.List[object]]::new() }
        process { if ($null -ne $InputObject) { $state.Add($InputObject) } }
        end {
            $request = @{ From = $From; Uri = $Uri; Method = $Method }
            if ($Header) { $request.Header = $Header }
            if ($Token) { $request.Token = $Token }
            $sampling = @{ Count = $Count }
            if ($PSBoundParameters.ContainsKey('Seed')) { $sampling.Seed = $Seed }
            $prediction = $state | Test-MeshRequest @request @sampling
            if ($Live) {
                $what = "$Method $Uri from $From at $($session.Step)"
                if ($Uri -like 'tcp://*' -or $From -eq 'kubelet') {
                    $session.NotSent.Add($what)
                } else {
                    Sync-LabCluster $session.Step
                    Confirm-ClientPod $From
                    $sending = @{ Count = [Math]::Min($Count, $LiveCount); Timeout = $RequestTimeoutSec }
                    if ($PSBoundParameters.ContainsKey('Seed')) { $sending.Seed = $Seed }
                    if ($IngressAddress) { $sending.IngressAddress = $IngressAddress }
                    $deadline = [DateTime]::UtcNow.AddSeconds($SettleSec)
                    do {
                        $comparison = $state | Compare-MeshRequest @request @sending @on
                        if ($comparison.Agree -or [DateTime]::UtcNow -ge $deadline) { break }
                        Start-Sleep -Seconds 2
                    } while ($true)
                    if (-not $comparison.Agree) {
                        throw "The simulator and the cluster disagree on $($what): the simulator says '$($comparison.Predicted)', the cluster says '$($comparison.Observed)' ($($comparison.Differences -join '; '))."
                    }
                }
            }
            $prediction
        }
    }

    $demoToken = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkRIRmJwb0lVcXJZOHQyenBBMnFYZkNtcjVWTzVaRXI0UnpIVV8tZW52dlEiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjQ2ODU5ODk3MDAsImZvbyI6ImJhciIsImlhdCI6MTUzMjM4OTcwMCwiaXNzIjoidGVzdGluZ0BzZWN1cmUuaXN0aW8uaW8iLCJzdWIiOiJ0ZXN0aW5nQHNlY3VyZS5pc3Rpby5pbyJ9.CfNnxWP2tcnR9q0vxyxweaF3ovQYHYZl82hAUsn21bwQd9zP7c-LS9qd_vpdLG4Tn1A15NxfCjp5f7QNBUo-KC9PJqYpgGbaXhaGx7bEdFWjcwv3nZzvc7M__ZpaCERdwU7igUmJqYGBYQ51vr2njU9ZimyKkfDe3axcyiBZde7G6dabliUosJvvKOPcKIWPccCgefSj_GNfwIip3-SsFdlR7BtbVUcqR-yv-XOxJ3Uc1MI0tz3uMiiZcyPV7sNCU4KRnemRIMHVOfuvHsU60_GhGbiSFzgPTAa9WTltbnarTbxudb_YEOx12JiwYToeX0DCPb43W1tzIBxgm8NxUg'
    $ingress = 'http://a1b2c3.us-east-1.elb.amazonaws.com/'
}

AfterAll {
    if ($Live) {
        foreach ($pod in $session.Pods.Keys) { Stop-LabClientPod -Name $pod.Split('/')[1] -Namespace $pod.Split('/')[0] @on -Confirm:$false -ErrorAction Continue }
        if ($session.NotSent.Count) { Write-Host "Not asked of the cluster (Invoke-LabRequest sends neither tcp:// nor the kubelet's probes):`n  $($session.NotSent -join "`n  ")" }
    }
}

Describe 'Ingress traffic' {
    It 'refuses the connection before the Gateway exists' {
        (Get-LabState 11-app | Test-Observation -From ingress -Uri $ingress).Outcome | Should -Be 'ConnectionRefused'
    }

    It 'answers 404 with the Gateway but no VirtualService' {
        $r = Get-LabState 12-ingress-gateway | Test-Observation -From ingress -Uri $ingress
        $r.Status | Should -Be 404
        $r.ResponseFlag | Should -Be 'NR'
    }

    It 'shows the ui once the VirtualService is bound' {
        $r = Get-LabState 13-ingress-route | Test-Observation -From ingress -Uri $ingress
        $r.Outcome | Should -Be 'Delivered'
        $r.Endpoint | Should -Be 'default/ui'
        $r.VirtualService | Should -Be 'default/guestbook-ui'
    }
}

Describe 'Fault injection' {
    It 'makes guestbook-service answer 503 (fault filter abort)' {
        $r = Get-LabState 14-fault-abort | Test-Observation -From ui -Uri http://guestbook-service/api/messages
        $r.Status | Should -Be 503
        $r.ResponseFlag | Should -Be 'FI'
        $r.Body | Should -Be 'fault filter abort'
    }

    It 'adds 5 seconds to message-service once the abort is deleted' {
        $state = Get-LabState 15-fault-delay
        ($state | Test-Observation -From ui -Uri http://guestbook-service/api/messages).Status | Should -Be 200
        $r = $state | Test-Observation -From ui -Uri http://message-service/hello/test
        $r.Outcome | Should -Be 'Delivered'
        $r.InjectedDelay | Should -Be ([timespan]::FromSeconds(5))
    }
}

Describe 'Retries and circuit breaking' {
    It 'retries message-service 3 times, 2 seconds per try' {
        $r = Get-LabState 17-circuit-breaker | Test-Observation -From ui -Uri http://message-service/hello/test
        $r.RetryPolicy | Should -BeLike '3 attempt(s), 2s per try*'
        $r.RetryPolicy.Attempts | Should -Be 3
        $r.RetryPolicy.PerTryTimeout | Should -Be ([timespan]::FromSeconds(2))
        $r.Status | Should -Be 200
    }
}

Describe 'Traffic splitting and shifting' {
    It 'balances v1 and v2 before any subset is defined' {
        $sample = Get-LabState 18-ui-v2 | Test-Observation -From ingress -Uri $ingress -Count 2000 -Seed 1
        ($sample.Groups | Where-Object Status -EQ 200 | Measure-Object Count -Sum).Sum | Should -Be 2000
    }

    It 'sends all traffic to v1' {
        (Get-LabState 19-all-to-v1 | Test-Observation -From ingress -Uri $ingress -Count 1000 -Seed 2).FractionTo('ui/v1') | Should -Be 1
    }

    It 'shifts 80% of the traffic to v2 (10,000 requests, within sampling error)' {
        $sample = Get-LabState 20-split-20-80 | Test-Observation -From ingress -Uri $ingress -Count 10000 -Seed 3
        $sample.FractionTo('ui/v2') | Should -BeGreaterThan 0.78
        $sample.FractionTo('ui/v2') | Should -BeLessThan 0.82
        ($sample.FractionTo('ui/v1') + $sample.FractionTo('ui/v2')) | Should -Be 1
    }

    It 'sends Chrome to v2 and other browsers to v1' {
        $state = Get-LabState 21-chrome-to-v2
        ($state | Test-Observation -From ingress -Uri $ingress -Header @{ 'User-Agent' = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' }).Subset | Should -Be 'v2'
        ($state | Test-Observation -From ingress -Uri $ingress -Header @{ 'User-Agent' = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0' }).Subset | Should -Be 'v1'
    }
}

Describe 'Traffic mirroring' {
    It 'answers from v1 and sends a copy to v2 with the Host message-service-shadow' {
        $r = Get-LabState 25-mirror | Test-Observation -From ui -Uri http://message-service/hello/test
        $r.Subset | Should -Be 'v1'
        $r.Status | Should -Be 200
        $r.Mirrors.Count | Should -Be 1
        $r.Mirrors[0].Host | Should -Be 'message-service-shadow'
        $r.Mirrors[0].Cluster | Should -Be 'outbound|80|v2|message-service.default.svc.cluster.local'
    }
}

Describe 'Egress traffic' {
    It 'blocks HTTP to archive.ubuntu.com with 502 (block_all) under REGISTRY_ONLY' {
        $r = Get-LabState 26-registry-only | Test-Observation -From default/ubuntu -Uri http://archive.ubuntu.com/ubuntu/dists/focal/InRelease
        $r.Status | Should -Be 502
        $r.Cluster | Should -Be 'BlackHoleCluster'
    }

    It 'lets apt reach *.ubuntu.com after the ServiceEntry, but not ubuntu.com itself' {
        $state = Get-LabState 27-egress-ubuntu
        ($state | Test-Observation -From default/ubuntu -Uri http://archive.ubuntu.com/ubuntu/).Outcome | Should -Be 'Delivered'
        ($state | Test-Observation -From default/ubuntu -Uri http://security.ubuntu.com/ubuntu/).Outcome | Should -Be 'Delivered'
        ($state | Test-Observation -From default/ubuntu -Uri http://ubuntu.com/).Status | Should -Be 502
    }

    It 'resets HTTPS to google.com until its ServiceEntry, matched by SNI' {
        (Get-LabState 27-egress-ubuntu | Test-Observation -From default/ubuntu -Uri https://google.com).Outcome | Should -Be 'ConnectionReset'
        (Get-LabState 28-egress-google | Test-Observation -From default/ubuntu -Uri https://google.com).Outcome | Should -Be 'Delivered'
    }
}

Describe 'Mutual TLS' {
    BeforeAll {
        $state = Get-LabState 34-strict-mtls
        # The codelab's 'kubectl create ns noistio', for its client pod.
        $noistio = Enable-MeshInjection -Namespace noistio -Disable
        if ($Live) { $null = $noistio | Publish-LabResource @on }
    }

    It 'resets plaintext from a pod without a sidecar (noistio)' {
        $r = @($state; $noistio) | Test-Observation -From noistio/ubuntu -Uri http://message-service.default.svc.cluster.local/hello/test
        $r.Outcome | Should -Be 'ConnectionReset'
        $r.ServerMtlsMode | Should -Be 'STRICT'
    }

    It 'answers a pod with a sidecar, whose peer is message-sa''s SPIFFE ID' {
        $r = $state | Test-Observation -From default/ubuntu -Uri http://message-service.default.svc.cluster.local/hello/test
        $r.Status | Should -Be 200
        $r.ClientTls | Should -Be 'ISTIO_MUTUAL'
        $r.ServerIdentity | Should -Be 'spiffe://cluster.local/ns/default/sa/message-sa'
    }

    It 'fails ui-v2''s readiness probe when probe rewriting is off' {
        $r = Get-LabState 35-probe-rewrite-off | Test-Observation -From kubelet -Uri http://ui-v2:8080/
        $r.Outcome | Should -Be 'ConnectionReset'
    }
}

Describe 'Authorization policies' {
    It 'denies everything with deny-all: RBAC: access denied' {
        $r = Get-LabState 37-deny-all | Test-Observation -From ingress -Uri $ingress
        $r.Status | Should -Be 403
        $r.Body | Should -Be 'RBAC: access denied'
    }

    It 'lets GET to the ui through with ui-viewer, but the ui still cannot reach redis' {
        $state = Get-LabState 38-ui-viewer
        ($state | Test-Observation -From ingress -Uri $ingress).Status | Should -Be 200
        ($state | Test-Observation -From ingress -Uri $ingress -Method DELETE).Status | Should -Be 403
        ($state | Test-Observation -From ui -Uri tcp://redis:6379).Outcome | Should -Be 'ConnectionClosed'
    }

    It 'opens redis to the ui with redis-tcp-policy, and (two rules) to every other source too' {
        $state = Get-LabState 39-redis-tcp-policy
        ($state | Test-Observation -From ui -Uri tcp://redis:6379).Outcome | Should -Be 'Delivered'
        $other = $state | Test-Observation -From message-service -Uri tcp://redis:6379
        $other.Outcome | Should -Be 'Delivered'
        $other.Authorization.Rule | Should -Be 1
    }

    It 'lets only the ui GET and POST guestbook-service' {
        $state = Get-LabState 41-guestbook-viewer
        ($state | Test-Observation -From ui -Uri http://guestbook-service/api/messages -Method POST).Status | Should -Be 200
        ($state | Test-Observation -From message-service -Uri http://guestbook-service/api/messages).Status | Should -Be 403
        ($state | Test-Observation -From guestbook-service -Uri tcp://mysql:3306).Outcome | Should -Be 'Delivered'
    }

    It 'lets only the ui GET from message-service' {
        $state = Get-LabState 42-message-viewer
        ($state | Test-Observation -From ui -Uri http://message-service/hello/test).Status | Should -Be 200
        ($state | Test-Observation -From ui -Uri http://message-service/hello/test -Method POST).Status | Should -Be 403
    }
}

Describe 'JWT authorization' {
    It 'rejects an invalid token with 401' {
        (Get-LabState 43-ui-jwt-auth | Test-Observation -From default/curl -Uri http://ui.default.svc.cluster.local/ -Token invalidToken).Status | Should -Be 401
    }

    It 'accepts the codelab''s token (request principal testing@secure.istio.io/testing@secure.istio.io)' {
        $r = Get-LabState 44-ui-viewer-jwt | Test-Observation -From default/curl -Uri http://ui.default.svc.cluster.local/ -Token $demoToken
        $r.Status | Should -Be 200
        $r.RequestPrincipal | Should -Be 'testing@secure.istio.io/testing@secure.istio.io'
    }

    It 'denies a request without a token with 403' {
        (Get-LabState 44-ui-viewer-jwt | Test-Observation -From default/curl -Uri http://ui.default.svc.cluster.local/).Status | Should -Be 403
    }
}

Describe 'The whole lab' {
    It 'has no error in offline analysis' {
        Test-MeshConfiguration -Directory $LabPath -FailOn Error | Should -Not -BeNullOrEmpty
    }
}
