#Requires -Version 7.4
#Requires -Modules GuestbookLab
<#
.SYNOPSIS
    The Istio guestbook codelab, step by step, as GuestbookLab cmdlets.
.DESCRIPTION
    Each step builds the resources the codelab applies at that point, validates them and writes them to
    OUTPUTPATH/NN-step.yaml (kubectl apply -f ready). The script is re-runnable: every run writes the same files.
    It emits one object per step (Step, Title, Resources, File, Objects) so that a Pester test or a later
    pipeline can check or apply what each step made.

    This release covers the codelab's traffic-management sections: ingress, fault injection, retries and circuit
    breaking, traffic splitting and mirroring.
.EXAMPLE
    ./GuestbookLab.Lab.ps1 -OutputPath ./lab | Format-Table Step, Title, Resources
#>
[CmdletBinding()]
param(
    # The folder that receives one manifest file per step.
    [string] $OutputPath = (Join-Path (Get-Location) 'lab'),

    # The codelab sections to run.
    [ValidateSet('Traffic')]
    [string[]] $Section = @('Traffic')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$steps = [System.Collections.Generic.List[object]]::new()
function Step([string] $Section, [string] $Name, [string] $Title, [scriptblock] $Build) {
    $steps.Add([pscustomobject]@{ Section = $Section; Name = $Name; Title = $Title; Build = $Build })
}

# ------------------------------------------------------------------ Ingress Traffic
Step Traffic ingress-gateway 'Bind a Gateway to the Istio ingress (port 80, every host)' {
    New-MeshGateway -Name guestbook-ui-gateway
}
Step Traffic ingress-route 'Route every request through the gateway to the ui service' {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -UriPrefix /
}

# ------------------------------------------------------------------ Fault Injection
Step Traffic fault-abort 'guestbook-service answers 503 to every request (delete it afterwards)' {
    New-MeshVirtualService -Name guestbook-service -Hosts guestbook-service |
        Add-MeshRoute -Destination guestbook-service |
        Add-MeshFault -Abort 503 -Percent 100
}
Step Traffic fault-delay 'message-service answers 5 seconds late (delete it afterwards)' {
    New-MeshVirtualService -Name message-service -Hosts message-service |
        Add-MeshRoute -Destination message-service |
        Add-MeshFault -Delay 5s -Percent 100
}

# ------------------------------------------------------------------ Retries & Circuit Breaking
Step Traffic retries 'Retry message-service up to 3 times, 2 seconds per try' {
    New-MeshVirtualService -Name message-service -Hosts message-service |
        Add-MeshRoute -Destination message-service |
        Set-MeshRetryPolicy -Attempts 3 -PerTryTimeout 2s
}
Step Traffic circuit-breaker 'Limit connections to message-service and eject failing pods' {
    New-MeshDestinationRule -Name message-service -Host message-service |
        Set-MeshCircuitBreaker -MaxConnections 100 -MaxRequestsPerConnection 10 -MaxPendingRequests 1024 `
            -Consecutive5xxErrors 7 -Interval 5m -BaseEjectionTime 15m
}

# ------------------------------------------------------------------ Traffic Splitting / Shifting
$ui = @{ Service = 'ui'; Name = 'guestbook-ui'; Hosts = '*'; Gateways = 'guestbook-ui-gateway' }
Step Traffic all-to-v1 'Define the ui subsets v1 and v2, and shift all ui traffic to v1' {
    Set-MeshTrafficSplit @ui -Weight ([ordered]@{ v1 = 100; v2 = 0 })
}
Step Traffic split-20-80 'Shift 80% of the ui traffic to v2' {
    Set-MeshTrafficSplit @ui -Weight ([ordered]@{ v1 = 20; v2 = 80 })
}
Step Traffic chrome-to-v2 'Send Chrome users to v2, everyone else to v1' {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -Subset v2 -UriPrefix / -HeaderRegex @{ 'user-agent' = '.*Chrome.*' } |
        Add-MeshRoute -Destination ui -Subset v1 -UriPrefix /
}
Step Traffic reset-ui-route 'Reset the ui route (after deleting ui-v2 and the ui DestinationRule)' {
    New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
        Add-MeshRoute -Destination ui -UriPrefix /
}

# ------------------------------------------------------------------ Traffic Mirroring
Step Traffic mirror-subsets 'Define the message-service subsets v1 and v2' {
    New-MeshDestinationRule -Name message-service -Host message-service |
        Add-MeshSubset -Name v1 -Labels @{ version = '1.0' } |
        Add-MeshSubset -Name v2 -Labels @{ version = '2.0' }
}
Step Traffic mirror 'Answer from message-service v1 and mirror every request to v2' {
    New-MeshVirtualService -Name message-service -Hosts message-service |
        Add-MeshRoute -Destination message-service -Subset v1 -Weight 100 -UriPrefix / |
        Set-MeshMirror -Destination message-service -Subset v2 -Percent 100
}

$number = 0
foreach ($step in $steps | Where-Object Section -In $Section) {
    $number++
    $id = '{0:D2}-{1}' -f $number, $step.Name
    $objects = @(& $step.Build)
    $file = $objects | Export-LabManifest -Path $OutputPath -Step $id
    [pscustomobject]@{
        PSTypeName = 'GuestbookLab.LabStep'
        Step       = $id
        Section    = $step.Section
        Title      = $step.Title
        Resources  = ($objects | ForEach-Object DisplayName) -join ', '
        File       = $file.FullName
        Objects    = $objects
    }
}
