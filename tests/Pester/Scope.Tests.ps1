param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# Ownership and scope (issue 16): the lab removes only what it applied, and applies only where it was connected.
# Against the API stand-in, with kubectl 1.35 writing the foreign objects as a user would.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
}

Describe 'Teardown with foreign objects present' {
    BeforeAll {
        $k8s = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        function kc { & $Kubectl --kubeconfig $k8s.KubeConfig @args 2>&1 }
        $lab = @(
            ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: settings, namespace: default}`ndata: {a: '1'}"
            ConvertFrom-LabYaml "apiVersion: v1`nkind: Service`nmetadata: {name: ui, namespace: default}`nspec: {ports: [{port: 80}], selector: {app: ui}}"
        )
        $null = $lab | Publish-LabResource
        # Written by kubectl apply (client-side, JSON; the stand-in does not speak kubectl create's protobuf).
        $foreign = Join-Path $k8s.Folder 'foreign.yaml'
        Set-Content $foreign (@(
            "apiVersion: v1`nkind: Namespace`nmetadata: {name: other}"
            "apiVersion: v1`nkind: Namespace`nmetadata: {name: kube-system}"
            "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: settings, namespace: other}`ndata: {a: '2'}"
            "apiVersion: v1`nkind: Service`nmetadata: {name: ui, namespace: other}`nspec: {ports: [{port: 80}], selector: {app: ui}}"
            "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: coredns, namespace: kube-system}`ndata: {Corefile: x}"
            "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: impostor`n  namespace: default`n  labels: {app.kubernetes.io/managed-by: guestbooklab}`ndata: {a: '3'}"
        ) -join "`n---`n")
        $applied = kc apply --validate=false -f $foreign
        ($applied -join "`n") | Should -Match 'configmap/impostor created'
    }
    AfterAll {
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'removes only what the lab applied, and says what it left that carries the lab''s label' {
        $removed = Remove-LabResource -All -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -Verbose 4>&1 |
            Where-Object { $_ -is [GuestbookLab.Model.RemoveResult] -or ($_ -is [System.Management.Automation.VerboseRecord] -and ($script:said = $_.Message) -and $false) }
        @($removed | ForEach-Object { "$($_.Kind) $($_.Namespace)/$($_.Name) $($_.Result)" } | Sort-Object) | Should -Be @('ConfigMap default/settings Deleted', 'Service default/ui Deleted')
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike '*Left ConfigMap default/impostor*managed-by=guestbooklab*kubectl-client-side-apply wrote it, not the lab*'
        (kc -n other get configmap settings -o name) | Should -Be 'configmap/settings'
        (kc -n other get service ui -o name) | Should -Be 'service/ui'
        (kc -n kube-system get configmap coredns -o name) | Should -Be 'configmap/coredns'
        (kc -n default get configmap impostor -o name) | Should -Be 'configmap/impostor'
        (kc -n default get configmap settings -o name 2>&1) -join ' ' | Should -Match 'NotFound'
    }

    It 'counts the lab''s object by its field manager even when another manager changed it later' {
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: shared, namespace: default}`ndata: {a: '1'}" | Publish-LabResource
        (kc -n default label configmap shared extra=yes) | Should -Match 'labeled'
        $managers = (& $Kubectl --kubeconfig $k8s.KubeConfig -n default get configmap shared -o json --show-managed-fields | ConvertFrom-Json).metadata.managedFields.manager
        $managers | Should -Contain 'kubectl-label'
        $managers | Should -Contain 'guestbooklab'
        $removed = Remove-LabResource -All -Confirm:$false -WarningAction SilentlyContinue
        $removed.Name | Should -Be 'shared'
    }
}

Describe 'An apply goes only to the connection it was given' {
    BeforeAll {
        $a = Start-StandIn
        $b = Start-StandIn
        $renamed = Join-Path $b.Folder 'renamed.kubeconfig'
        (Get-Content -Raw $b.KubeConfig) -replace 'standin', 'standin-b' | Set-Content $renamed
        $merged = Join-Path $a.Folder 'merged.kubeconfig'
        $env:KUBECONFIG_SAVED = $env:KUBECONFIG
        $env:KUBECONFIG = "$($a.KubeConfig)$([IO.Path]::PathSeparator)$renamed"
        & $Kubectl config view --flatten | Set-Content $merged
        $env:KUBECONFIG = $env:KUBECONFIG_SAVED
    }
    AfterAll {
        Disconnect-LabCluster
        $a.Process, $b.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'keeps applying to the context it connected to after the kubeconfig''s current context changes' {
        $connection = Connect-LabCluster -KubeConfig $merged
        $connection.Context | Should -Be 'standin'
        & $Kubectl --kubeconfig $merged config use-context standin-b | Out-Null
        (& $Kubectl --kubeconfig $merged config current-context) | Should -Be 'standin-b'
        $result = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: placed, namespace: default}" | Publish-LabResource
        $result.Location | Should -BeLike "$($a.Url)*"
        (& $Kubectl --kubeconfig $a.KubeConfig -n default get configmap placed -o name 2>&1) | Should -Be 'configmap/placed'
        (& $Kubectl --kubeconfig $b.KubeConfig -n default get configmap placed -o name 2>&1) -join ' ' | Should -Match 'NotFound'
        (Get-LabResource cm placed).Name | Should -Be 'placed' -Because 'reads use the same connection'
        $later = Connect-LabCluster -KubeConfig $merged
        $later.Context | Should -Be 'standin-b' -Because 'a new Connect-LabCluster reads the kubeconfig afresh'
    }
}

# Names before URL paths (issue 16): an object's name or namespace goes into the API server's URL path only when it
# keeps to Kubernetes' naming rule, so '/', '..', '%', '?' or NUL can never address another object. The stand-in
# counts the API requests it gets: a refused name sends none.
Describe 'Names and namespaces are checked before they go into a URL' {
    BeforeAll {
        $k8s = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: victim, namespace: default}" | Publish-LabResource
        function Get-Requests { (Invoke-RestMethod "$($k8s.Url)/_standin/faults").requests }
        function New-ConfigMap([string] $Name, [string] $Namespace = 'default') {
            $object = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: placeholder, namespace: default}"
            $object.Metadata.Name = $Name
            $object.Metadata.Namespace = $Namespace
            $object
        }
    }
    AfterAll {
        Disconnect-LabCluster
        $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'Remove-LabResource -Name <Shown> is UnsafeObjectName naming metadata.name, and sends nothing' -ForEach @(
        @{ Name = '../victim'; Shown = '../victim' }
        @{ Name = 'a/../../victim'; Shown = 'a/../../victim' }
        @{ Name = '..'; Shown = '..' }
        @{ Name = 'victim%2F..'; Shown = 'victim%2F..' }
        @{ Name = 'victim?dryRun=All'; Shown = 'victim?dryRun=All' }
        @{ Name = "vic`0tim"; Shown = 'a name with NUL' }
    ) {
        $before = Get-Requests
        $err = Get-LabError { Remove-LabResource -Kind ConfigMap -Name $Name -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectName,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -BeLike 'metadata.name: *nothing is sent to*'
        Get-Requests | Should -Be $before
        (Get-LabResource cm victim).Name | Should -Be 'victim'
    }

    It 'Get-LabResource -Namespace ../kube-system is refused naming metadata.namespace, and sends nothing' {
        $before = Get-Requests
        $err = Get-LabError { Get-LabResource cm victim -Namespace '../kube-system' }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectName,*'
        $err.Exception.Message | Should -BeLike 'metadata.namespace: *not a DNS-1123 label*'
        Get-Requests | Should -Be $before
    }

    It 'Publish-LabResource refuses such objects by the naming rule (InvalidName, the field named) before anything is sent' {
        $version = (Get-LabResource cm victim).Metadata.ResourceVersion
        $before = Get-Requests
        $results = @(New-ConfigMap 'fine'; New-ConfigMap '../victim'; New-ConfigMap 'escaped' '..') |
            Publish-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $results | Should -BeNullOrEmpty -Because 'nothing is applied when one object is invalid'
        $problems.Count | Should -Be 2
        $problems.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'InvalidName,*' }
        $problems[0].Exception.Message | Should -BeLike "*metadata.name: '../victim' is not a valid name*"
        $problems[1].Exception.Message | Should -BeLike "*metadata.namespace: '..' is not a valid namespace*"
        Get-Requests | Should -Be $before
        (Get-LabResource cm victim).Metadata.ResourceVersion | Should -Be $version
    }

    It 'Remove-LabResource of piped objects refuses each bad one on its own (UnsafeObjectName), sends nothing for it, and goes on' {
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: doomed, namespace: default}" | Publish-LabResource
        $before = Get-Requests
        $removed = @(New-ConfigMap '../victim'; New-ConfigMap 'doomed'; New-ConfigMap 'victim' '../default') |
            Remove-LabResource -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        @($removed | Where-Object Result -EQ 'Deleted').Name | Should -Be @('doomed')
        $problems.Count | Should -Be 2
        $problems.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'UnsafeObjectName,*' }
        $problems[0].Exception.Message | Should -BeLike 'metadata.name: *'
        $problems[1].Exception.Message | Should -BeLike 'metadata.namespace: *'
        ((Get-Requests) - $before) | Should -BeLessOrEqual 2 -Because 'only doomed was sent (a delete, maybe a discovery)'
        (Get-LabResource cm victim).Name | Should -Be 'victim'
    }
}
