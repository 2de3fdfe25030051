#Requires -Version 7.6
#Requires -Modules GuestbookLab
<#
.SYNOPSIS
    Reverses the codelab's set-up: the lab's objects in the cluster, the kops cluster, the ECR repositories, the state
    store bucket.
.DESCRIPTION
    The codelab's clean-up ('kops delete cluster', 'aws s3api delete-bucket', 'aws ecr delete-repository --force'),
    in the order that leaves nothing behind:
      1. resources    every object GuestbookLab applied to the connected cluster (Remove-LabResource -All -Owned), so
                      load balancers the cluster made are released before the cluster goes;
      2. cluster      Remove-LabCluster (kops delete cluster --yes);
      3. registries   Remove-LabRegistry -Force (the repositories and their images);
      4. state-store  Remove-LabStateStore (only once kops has emptied it).
    Every step asks for confirmation (they are ConfirmImpact High; -Confirm:$false answers yes to all, -WhatIf shows
    what would go), and every step is safe to re-run: what is already gone is skipped. One object per step reports it.
.EXAMPLE
    ./GuestbookLab.Teardown.ps1 -ClusterName mycoolcluster.k8s.local -StateBucket your-name-state-store -RepoPrefix your-name -WhatIf
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    [string] $ClusterName = 'mycoolcluster.k8s.local',
    [string] $StateBucket = 'your-name-state-store',
    [string] $RepoPrefix = 'guestbook',
    [string[]] $Repositories = @('ui', 'message', 'guestbook', 'kpack'),
    [string] $Region = 'us-east-1',

    # The teardown steps to run.
    [ValidateSet('resources', 'cluster', 'registries', 'state-store')]
    [string[]] $Step = @('resources', 'cluster', 'registries', 'state-store'),

    # Parameters for every AWS and kops cmdlet (ProfileName, Credential, EndpointUrl, KopsPath).
    [hashtable] $AwsOptions = @{},
    # Overrides for some steps only, e.g. another -EndpointUrl for S3 than for ECR.
    [hashtable] $ClusterOptions = @{},
    [hashtable] $RegistryOptions = @{},
    [hashtable] $StateStoreOptions = @{},

    # The cluster whose lab objects are removed; the session's connection (Connect-LabCluster) by default.
    [GuestbookLab.Model.LabConnection] $Connection
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Merge([hashtable] $Base, [hashtable] $Override, [string[]] $Drop = @()) {
    $merged = @{ Region = $Region }
    foreach ($table in $Base, $Override) { foreach ($key in $table.Keys) { $merged[$key] = $table[$key] } }
    foreach ($key in $Drop) { $merged.Remove($key) }
    $merged
}

# Runs one step; a failure is reported (and written as an error) and the next steps still run: each refuses by itself
# what would be unsafe (the state store is not deleted while kops's files are in it).
function Invoke-TeardownStep([string] $Name, [string] $Target, [scriptblock] $Action) {
    $failure = $null
    try { & $Action } catch { $failure = $_; $PSCmdlet.WriteError($_) }
    [pscustomobject]@{ PSTypeName = 'GuestbookLab.TeardownStep'; Step = $Name; Target = $Target; Succeeded = $null -eq $failure; Error = $failure }
}

if ('resources' -in $Step) {
    Invoke-TeardownStep resources 'objects owned by GuestbookLab in the connected cluster' {
        $on = if ($Connection) { @{ Connection = $Connection } } else { @{} }
        try {
            $removed = @(Remove-LabResource -All @on)
            Write-Verbose "Removed $(@($removed | Where-Object Result -EQ Deleted).Count) object(s) GuestbookLab applied."
        } catch {
            if ($_.FullyQualifiedErrorId -like 'NotConnected,*') { Write-Verbose 'Not connected to a cluster: no lab objects to remove.' } else { throw }
        }
    }
}
if ('cluster' -in $Step) {
    Invoke-TeardownStep cluster "$ClusterName in s3://$StateBucket" {
        $kops = Merge $AwsOptions $ClusterOptions
        Remove-LabCluster -Name $ClusterName -StateStore "s3://$StateBucket" @kops
    }
}
if ('registries' -in $Step) {
    Invoke-TeardownStep registries (($Repositories | ForEach-Object { "$RepoPrefix-$_" }) -join ', ') {
        $ecr = Merge $AwsOptions $RegistryOptions -Drop KopsPath
        Remove-LabRegistry -RepositoryPrefix $RepoPrefix -Name $Repositories -Force @ecr
    }
}
if ('state-store' -in $Step) {
    Invoke-TeardownStep state-store "s3://$StateBucket" {
        $s3 = Merge $AwsOptions $StateStoreOptions -Drop KopsPath
        Remove-LabStateStore -BucketName $StateBucket @s3
    }
}
