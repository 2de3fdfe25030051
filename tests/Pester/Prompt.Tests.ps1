param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# What kubectl and istioctl users expect at the prompt (issue 17): each test is one thing a new user typed.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $repoRoot = Split-Path (Split-Path $DataFolder)
}

Describe 'The README''s stand-in steps' {
    It 'work when pasted, in order, from the repository''s folder' {
        $readme = Get-Content -Raw (Join-Path $repoRoot 'README.md')
        $shell = [regex]::Match($readme, '(?ms)^```sh\r?\n(dotnet run [^\r\n]*--project tests/StandIn[^\r\n]*)\r?\n```').Groups[1].Value
        $shell | Should -Not -BeNullOrEmpty
        $session = [regex]::Match($readme.Substring($readme.IndexOf($shell)), '(?ms)^```powershell\r?\n(.*?)^```').Groups[1].Value
        $session | Should -Match 'Connect-LabCluster -KubeConfig'
        $words = @(($shell -replace '#.*$', '').Trim() -split '\s+')
        $kubeconfig = Join-Path $repoRoot ($words[[array]::IndexOf($words, '--kubeconfig') + 1])
        Remove-Item $kubeconfig -ErrorAction Ignore
        $log = Join-Path (Get-PSDrive TestDrive).Root 'standin-readme.txt'
        # As typed in a terminal at the repository's root.
        $process = Start-Process -FilePath $words[0] -ArgumentList $words[1..($words.Count - 1)] -WorkingDirectory $repoRoot -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        try {
            for ($i = 0; $i -lt 1200 -and -not (Select-String -Path $log -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
            Select-String -Path $log -Pattern '^URL ' -Quiet | Should -BeTrue -Because "the stand-in started: $(Get-Content $log, "$log.err" -Raw -ErrorAction Ignore)"
            $kubeconfig | Should -Exist -Because 'a relative --kubeconfig is where the user ran the command'
            $result = Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'; Set-Location '$repoRoot'`n$session"
            $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
            $text = $result.Output -join "`n"
            $text | Should -Match 'guestbook-service'
            $text | Should -Match 'guestbook-ui-gateway'
        } finally {
            # dotnet run starts the stand-in as its child: end both.
            $process.Kill($true)
            $process.WaitForExit()
        }
    }
}

Describe 'Kinds as kubectl get takes them (item 2)' {
    BeforeAll {
        $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
    }

    Context 'in a folder' {
        BeforeEach {
            $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
            $null = @($app; New-MeshGateway gw) | Publish-LabResource
        }

        It 'refuses a misspelled kind with the nearest kinds, before writing anything' {
            $err = Get-LabError { Get-LabResource -Kind deploy, VirtualSrvice }
            $err.FullyQualifiedErrorId | Should -BeLike 'UnknownResourceType,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*resource type "virtualsrvice"*did you mean*virtualservice*'
            $output = @(); $caught = $null
            try { Get-LabResource -Kind deploy, VirtualSrvice | ForEach-Object { $output += $_ } } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $output | Should -BeNullOrEmpty
        }

        It 'takes kind/name, several kinds at once, and all' {
            (Get-LabResource deploy/ui).Name | Should -Be 'ui'
            $both = Get-LabResource -Kind deploy, svc
            ($both.Kind | Sort-Object -Unique) | Should -Be @('Deployment', 'Service')
            $all = Get-LabResource all
            ($all.Kind | Sort-Object -Unique) | Should -Be @('Deployment', 'Service', 'StatefulSet')
            (Get-LabResource deploy/nothing -ErrorAction SilentlyContinue -ErrorVariable missing) | Should -BeNullOrEmpty
            $missing[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
        }
    }

    Context 'on the API stand-in' {
        BeforeAll {
            $standIn = Start-StandIn
            $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
            $null = $app | Publish-LabResource
        }
        AfterAll {
            Disconnect-LabCluster
            $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        }

        It 'refuses a kind the server does not serve, with the nearest it does' {
            $err = Get-LabError { Get-LabResource -Kind deploymnt }
            $err.FullyQualifiedErrorId | Should -BeLike 'UnknownResourceType,*'
            $err.Exception.Message | Should -BeLike '*"deploymnt"*did you mean*deployment*'
            # Istio's kinds are unknown until their CRDs are applied, as on a cluster without Istio.
            (Get-LabError { Get-LabResource vs }).FullyQualifiedErrorId | Should -BeLike 'UnknownResourceType,*'
        }

        It 'takes kind/name, several kinds and all' {
            (Get-LabResource deploy/redis).Name | Should -Be 'redis'
            (Get-LabResource -Kind deploy, svc | Where-Object Name -EQ redis).Kind | Sort-Object | Should -Be @('Deployment', 'Service')
            (Get-LabResource all).Kind | Should -Contain 'StatefulSet'
        }
    }
}

Describe 'Label selectors in their full syntax, and -Name wildcards (item 7)' {
    BeforeAll {
        $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
        $cases = @(
            @{ Selector = 'app in (ui,redis)'; Expected = @('redis', 'ui') }
            @{ Selector = 'app notin (ui,redis,mysql),app'; Expected = @('guestbook-service', 'message-service') }
            @{ Selector = 'app=ui,version!=2.0'; Expected = @('ui') }
            @{ Selector = 'app==redis'; Expected = @('redis') }
            @{ Selector = '!app'; Expected = @() }
        )
    }

    It 'evaluates them in a folder as the API server (and kubectl) does on the stand-in' {
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $null = $app | Publish-LabResource
        $folder = foreach ($case in $cases) { (@((Get-LabResource deploy -Selector $case.Selector).Name | Sort-Object)) -join ',' }
        $standIn = Start-StandIn
        try {
            $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
            $null = $app | Publish-LabResource
            for ($i = 0; $i -lt $cases.Count; $i++) {
                $case = $cases[$i]
                $expected = $case.Expected -join ','
                $cluster = @((Get-LabResource deploy -Selector $case.Selector).Name | Sort-Object) -join ','
                $viaKubectl = @(@(& $Kubectl --kubeconfig $standIn.KubeConfig get deploy -l $case.Selector -o 'jsonpath={.items[*].metadata.name}' 2>&1) -join ' ' -split ' ' | Where-Object { $_ } | Sort-Object) -join ','
                $LASTEXITCODE | Should -Be 0
                $cluster | Should -Be $expected -Because "the stand-in, for $($case.Selector)"
                $viaKubectl | Should -Be $expected -Because "kubectl, for $($case.Selector)"
                @($folder)[$i] | Should -Be $expected -Because "the folder, for $($case.Selector)"
            }
        } finally {
            Disconnect-LabCluster
            $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        }
    }

    It 'takes a hashtable of labels as the equality selector, on Get-LabResource and Get-LabPod alike' {
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $null = $app | Publish-LabResource
        (Get-LabResource deploy -Selector @{ app = 'redis' }).Name | Should -Be 'redis'
        (Get-Command Get-LabPod).Parameters['Selector'].ParameterType | Should -Be (Get-Command Get-LabResource).Parameters['Selector'].ParameterType
    }

    It 'takes the same -Selector on the mesh cmdlets, labels only, since Istio''s workload selector is matchLabels' {
        $byText = New-MeshAuthorizationPolicy ui -Selector 'app=ui,version=v1'
        $byTable = New-MeshAuthorizationPolicy ui -Selector @{ app = 'ui'; version = 'v1' }
        ($byText | ConvertTo-LabYaml) | Should -Be ($byTable | ConvertTo-LabYaml)
        $byText.Spec.Selector.MatchLabels['version'] | Should -Be 'v1'
        (Enable-MeshStrictMtls -Selector app=message).Spec.Selector.MatchLabels['app'] | Should -Be 'message'
        (New-MeshGateway gw -Selector istio=egressgateway).Spec.Selector['istio'] | Should -Be 'egressgateway'
        (New-MeshGateway gw).Spec.Selector['istio'] | Should -Be 'ingressgateway'
        $err = Get-LabError { New-MeshAuthorizationPolicy ui -Selector 'app in (ui,redis)' }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError,*'
        $err.Exception.Message | Should -BeLike '*-Selector*not a workload selector*matchLabels*labels only*'
    }

    It 'takes wildcards in -Name where it lists' {
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $null = $app | Publish-LabResource
        (Get-LabResource deploy -Name '*-service').Name | Sort-Object | Should -Be @('guestbook-service', 'message-service')
    }
}

Describe 'Pipelines that bind (item 4)' {
    BeforeAll {
        $rolledOut = "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, generation: 1}`nspec: {replicas: 1, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: ui:1}]}}}`nstatus: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: 'True'}]}"
        $pod = "apiVersion: v1`nkind: Pod`nmetadata: {name: ui-1, labels: {app: ui}}`nspec: {containers: [{name: ui, image: ui:1}]}`nstatus: {phase: Running}"
    }
    BeforeEach {
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $null = @((ConvertFrom-LabYaml $rolledOut), (ConvertFrom-LabYaml $pod)) | Publish-LabResource
    }

    It 'pipes Get-LabResource into Wait-LabRollout and Wait-LabResource, by Kind, Name and Namespace' {
        (Get-LabResource deploy ui | Wait-LabRollout).Name | Should -Be 'ui'
        (Get-LabResource deploy ui | Wait-LabResource -Condition Available).Name | Should -Be 'ui'
    }

    It 'takes short names and plurals in Wait-LabRollout as elsewhere' {
        (Wait-LabRollout deploy ui).Name | Should -Be 'ui'
        (Wait-LabRollout deployments ui).Name | Should -Be 'ui'
        $null = Get-LabResource svc, deploy | Wait-LabRollout -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems | Should -BeNullOrEmpty
        $null = New-MeshGateway gw | Publish-LabResource
        $out = Get-LabResource gw, deploy | Wait-LabRollout -ErrorVariable problems -ErrorAction SilentlyContinue
        $out.Name | Should -Be 'ui'
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'NotARolloutKind,*'
    }

    It 'pipes Get-LabPod into ConvertTo-LabYaml and Remove-LabResource' {
        Get-LabPod | ConvertTo-LabYaml | Should -BeLike '*kind: Pod*name: ui-1*'
        $null = Get-LabPod | Remove-LabResource -Confirm:$false
        Get-LabPod | Should -BeNullOrEmpty
    }

    It 'pipes Publish-LabResource''s results into ConvertTo-LabYaml and Remove-LabResource' {
        New-MeshGateway gw | Publish-LabResource | ConvertTo-LabYaml | Should -BeLike '*kind: Gateway*'
        $null = Get-LabResource deploy ui | Publish-LabResource | Remove-LabResource -Confirm:$false
        Get-LabResource deploy -Name ui -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'The kubeconfig context''s namespace (item 5)' {
    BeforeAll {
        $standIn = Start-StandIn
        $labConfig = Join-Path $standIn.Folder 'lab.kubeconfig'
        (Get-Content -Raw $standIn.KubeConfig) -replace 'namespace: default', 'namespace: lab' | Set-Content $labConfig
        $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        $null = @(Enable-MeshInjection lab; ConvertFrom-LabYaml -Path (Join-Path $DataFolder 'crds/gateway.crd.yaml')) | Publish-LabResource
    }
    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'applies objects without a namespace to it and reads from it, as kubectl does' {
        $connection = Connect-LabCluster -KubeConfig $labConfig
        $connection.DefaultNamespace | Should -Be 'lab'
        ($connection | Format-Table | Out-String) | Should -Match 'CONTEXT\s+NAMESPACE[\s\S]*standin\s+lab'
        (New-MeshGateway guestbook-ui-gateway | Publish-LabResource).Namespace | Should -Be 'lab'
        (Get-LabResource gw).Namespace | Should -Be 'lab'
        $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        Get-LabResource gw | Should -BeNullOrEmpty
        # kubectl with the same kubeconfig sees it in its namespace too.
        & $Kubectl --kubeconfig $labConfig get gateways.networking.istio.io guestbook-ui-gateway -o name | Should -Be 'gateway.networking.istio.io/guestbook-ui-gateway'
        $null = Connect-LabCluster -KubeConfig $labConfig
        (Remove-LabResource gw guestbook-ui-gateway -Confirm:$false) | Out-Null
        & $Kubectl --kubeconfig $labConfig get gateways.networking.istio.io -o name | Should -BeNullOrEmpty
    }
}

Describe 'Remove-LabResource as kubectl delete (item 6)' {
    BeforeEach {
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $null = @(New-MeshGateway gw; New-MeshDestinationRule ui ui) | Publish-LabResource
    }

    It 'takes -All alone, without prompting for -Owned' {
        $all = (Get-Command Remove-LabResource).ParameterSets | Where-Object Name -EQ 'Owned'
        @($all.Parameters | Where-Object IsMandatory | ForEach-Object Name) | Should -Be @('All')
        $removed = Remove-LabResource -All -Confirm:$false
        ($removed | ForEach-Object ToString) | Should -Be @('DestinationRule default/ui deleted', 'Gateway default/gw deleted')
    }

    It 'writes one result per removal: deleted, and not found (no error) for what is already gone' {
        $gw = Get-LabResource gw gw
        $first = $gw | Remove-LabResource -Confirm:$false
        $first.Result | Should -Be 'Deleted'
        $again = $gw | Remove-LabResource -Confirm:$false -ErrorVariable problems
        $again.Result | Should -Be 'NotFound'
        $problems | Should -BeNullOrEmpty
        $byName = Remove-LabResource gw/gw -Confirm:$false -ErrorVariable problems
        $byName.Result | Should -Be 'NotFound'
        $? | Should -BeTrue
        ($byName | Format-Table | Out-String) | Should -Match 'Gateway\s+gw\s+default\s+not found'
        (Remove-LabResource dr ui -Confirm:$false).ToString() | Should -Be 'DestinationRule default/ui deleted'
    }

    It 'says in its help what it does with objects already gone' {
        (Get-Help Remove-LabResource).Description.Text -join ' ' | Should -Match 'NotFound for an object that\s+is already gone'
    }
}

Describe 'Tables that tell the truth (item 3)' {
    BeforeAll {
        function Get-Details($Resource) {
            $lines = @(($Resource | Format-Table -View GuestbookLab.Resources -Wrap | Out-String -Width 400) -split "`n" | Where-Object { $_.Trim() })
            $lines[-1]
        }
    }

    It 'shows a VirtualService''s fault, retries and mirror only when a route has them' {
        $plain = New-MeshVirtualService ui ui | Add-MeshRoute ui -Subset v1 -UriPrefix /v1 | Add-MeshRoute ui -Subset v2
        $details = Get-Details $plain
        $details | Should -Match 'routes ui/v1 \| ui/v2'
        $details | Should -Not -Match 'fault|retries|mirror'
        Get-Details ($plain | Add-MeshFault -Abort 503) | Should -Match 'routes ui/v1 \| ui/v2; fault$'
        Get-Details ($plain | Set-MeshRetryPolicy 3) | Should -Match '; retries$'
        Get-Details ($plain | Set-MeshMirror ui -Subset v3) | Should -Match '; mirror ui/v3$'
        Get-Details (New-MeshVirtualService ui ui -Gateways gw | Add-MeshRoute ui) | Should -Match '^.*gateways gw; routes ui$'
    }

    It 'shows a workload read back from a target with kubectl get deploy''s READY, UP-TO-DATE, AVAILABLE and AGE' {
        $created = [DateTimeOffset]::UtcNow.AddMinutes(-5).ToString('yyyy-MM-ddTHH:mm:ssZ')
        $deploy = "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, namespace: default, creationTimestamp: '$created'}`nspec: {replicas: 3, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: ui:1}]}}}`nstatus: {replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1}"
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $null = ConvertFrom-LabYaml $deploy | Publish-LabResource
        $read = Get-LabResource deploy ui
        $kubectl = ($read | Format-Table -View Workloads | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() }
        $kubectl[0] | Should -Match '^NAME\s+NAMESPACE\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$'
        $kubectl[2] | Should -Match '^ui\s+default\s+1/3\s+2\s+1\s+5m(\d+s)?$'
        Get-Details $read | Should -Match 'ready 1/3; up-to-date 2; available 1; age 5m(\d+s)?; ui:1$'
        $built = ConvertFrom-LabYaml ($deploy -replace '(?s)\nstatus:.*$', '')
        Get-Details $built | Should -Match 'replicas 3; ui:1$' -Because 'an object that is not read back has no status to show'
        (@($built; New-MeshGateway gw) | Format-Table | Out-String -Width 200) | Should -Match 'KIND\s+NAME[\s\S]*Deployment[\s\S]*Gateway\s+gw' -Because 'a step''s mixed objects stay one table'
        Disconnect-LabCluster
    }

    It 'Format-List shows a spec''s fields in YAML''s flow style, which reads back as the same object' {
        $gw = New-MeshGateway gw -Hosts '*', 'guestbook.example.com' -Namespace default
        $list = $gw | Format-List | Out-String -Width 300
        $list | Should -Match 'Spec\s+: \{selector: \{istio: ingressgateway\}, servers: \[\{port: \{number: 80, protocol: HTTP, name: http\}, hosts: \[''\*'', guestbook.example.com\]\}\]\}'
        $list | Should -Match 'Metadata\s+: \{name: gw, namespace: default\}'
        $list | Should -Not -Match 'GuestbookLab\.Model\.'
        $objects = @(
            $gw
            Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway
            New-MeshVirtualService ui ui | Add-MeshRoute ui -HeaderRegex @{ 'user-agent' = '.*Chrome.*' } | Add-MeshFault -Delay 5s -Percent 50
            Add-MeshEgressEntry -Name google -Hosts google.com -Port 443 -Protocol HTTPS
            New-MeshAuthorizationPolicy ui -Selector @{ app = 'ui' } -Principal cluster.local/ns/default/sa/ui-sa
        )
        foreach ($object in $objects) {
            $again = ConvertFrom-LabYaml "apiVersion: $($object.ApiVersion)`nkind: $($object.Kind)`nmetadata: $($object.Metadata)`nspec: $($object.Spec)"
            ($again | ConvertTo-LabYaml) | Should -Be ($object | ConvertTo-LabYaml) -Because "$($object.DisplayName): spec: $($object.Spec)"
        }
    }

    It 'never writes an empty segment, with or without each feature' {
        $objects = @(
            New-MeshVirtualService ui ui | Add-MeshRoute ui
            New-MeshDestinationRule ui ui
            New-MeshDestinationRule ui ui | Add-MeshSubset v1 -Label @{ version = '1' } | Set-MeshCircuitBreaker -MaxConnections 1
            Add-MeshEgressEntry -Name google -Hosts google.com -Port 443 -Protocol HTTPS
            Enable-MeshStrictMtls
            New-MeshAuthorizationPolicy deny-all
            New-MeshAuthorizationPolicy ui -Selector @{ app = 'ui' } -Principal cluster.local/ns/default/sa/ui-sa
            New-MeshInstallConfig
        )
        foreach ($object in $objects) {
            $details = Get-Details $object
            $details | Should -Not -Match ';\s*;|;\s*$|^\s*;' -Because "$($object.DisplayName): $details"
        }
    }
}

Describe 'Test-MeshConfiguration''s findings at the prompt (item 3)' {
    It 'prints one finding a line as istioctl analyze does, Kind namespace/name, never breaking a word' {
        $vs = New-MeshVirtualService guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway -Namespace default | Add-MeshRoute ui
        $findings = $vs | Test-MeshConfiguration -FailOn None
        $text = ($findings | Out-String -Width 200).Trim()
        $text | Should -Match '(?m)^Error \[IST0101\] \(VirtualService default/guestbook-ui\) '
        ($text -replace '\s+', ' ') | Should -Match '^Error \[IST0101\] \(VirtualService default/guestbook-ui\) Referenced host not found: "ui" '
        $text | Should -Not -Match '\n\s*\n' -Because 'findings follow each other without blank lines'
        $narrow = ($findings | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() }
        $window = try { $Host.UI.RawUI.BufferSize.Width } catch { 0 }
        if ($window -le 40) { $window = 121 }
        foreach ($line in $narrow) { $line.TrimEnd().Length | Should -BeLessThan $window -Because "the view wraps at the window's width: '$line'" }
        $words = ($findings | ForEach-Object { $_.ToString() }) -split '\s+'
        $printed = ($findings | Out-String) -split '\s+'
        foreach ($word in $words) { $printed | Should -Contain $word -Because 'a wrapped line breaks between words' }
        ($findings | Format-Table | Out-String -Width 200) | Should -Match 'LEVEL\s+CODE\s+RESOURCE\s+MESSAGE'
    }
}

Describe 'Test-MeshConfiguration signals Error findings as istioctl analyze does (Missing)' {
    BeforeAll {
        $broken = { New-MeshVirtualService reviews reviews | Add-MeshRoute reviews -Subset v2 }
    }

    It 'writes the findings, then a non-terminating error: $? is false and -ErrorAction Stop stops' {
        $messages = & $broken | Test-MeshConfiguration -ErrorVariable problems -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $messages.Code | Should -Contain 'IST0101'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ConfigurationErrorFindings,*'
        $problems[0].Exception.Message | Should -BeLike '*IST0101*-FailOn None*'
        $seen = @(); $stopped = $null
        try { & $broken | Test-MeshConfiguration -ErrorAction Stop | ForEach-Object { $seen += $_ } } catch { $stopped = $_ }
        $stopped.FullyQualifiedErrorId | Should -BeLike 'ConfigurationErrorFindings,*'
        $seen.Code | Should -Contain 'IST0101'
    }

    It 'opts out with -FailOn None, and keeps -FailOn for a terminating error at another level' {
        $null = & $broken | Test-MeshConfiguration -FailOn None -ErrorVariable problems
        $? | Should -BeTrue
        $problems | Should -BeNullOrEmpty
        (Get-LabError { & $broken | Test-MeshConfiguration -FailOn Warning }).FullyQualifiedErrorId | Should -BeLike 'ConfigurationFindings,*'
        $null = New-MeshGateway gw | Test-MeshConfiguration -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
    }

    It 'lets the lab''s own analysis pass: no Error finding in the lab''s output' {
        $lab = Join-Path (Get-PSDrive TestDrive).Root 'lab'
        $null = & (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1') -OutputPath $lab -WarningAction SilentlyContinue
        $null = Test-MeshConfiguration -Path $lab -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        $folder = Join-Path (Get-PSDrive TestDrive).Root 'labcluster'
        $null = Connect-LabCluster -Directory $folder
        $null = & (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1') -OutputPath $lab -Apply -WarningAction SilentlyContinue
        $null = Test-MeshConfiguration -ErrorVariable problems
        $problems | Should -BeNullOrEmpty -Because 'the Lab task ends with Test-MeshConfiguration of the target'
    }
}

Describe 'ConvertTo-LabYaml -AsJson: the Kubernetes JSON form (Missing)' {
    It 'writes camelCase manifest fields as kubectl -o json, one object as itself and several as a List' {
        $split = New-MeshVirtualService ui ui | Add-MeshRoute ui -Subset v1 -Weight 20 | Add-MeshRoute ui -Subset v2 -Weight 80
        $json = $split | ConvertTo-LabYaml -AsJson
        $json | Should -Match '^\{\n    "apiVersion": "networking.istio.io/v1beta1",\n    "kind": "VirtualService",\n    "metadata"'
        $json | Should -Not -MatchExactly '"Spec"|"Http"|"Destination"'
        $object = $json | ConvertFrom-Json
        $object.spec.http[0].route[1].destination.subset | Should -Be 'v2'
        $object.spec.http[0].route[1].weight | Should -Be 80
        $list = @(New-MeshGateway gw; $split) | ConvertTo-LabYaml -AsJson | ConvertFrom-Json
        $list.kind | Should -Be 'List'
        $list.items.kind | Should -Be @('Gateway', 'VirtualService')
        # What it writes reads back as the same objects.
        (ConvertFrom-LabYaml $json | ConvertTo-LabYaml) | Should -Be ($split | ConvertTo-LabYaml)
    }

    It 'keeps Secret values redacted unless -IncludeSecrets' {
        $secret = ConvertFrom-LabYaml "apiVersion: v1`nkind: Secret`nmetadata: {name: s}`nstringData: {token: hunter2}"
        $secret | ConvertTo-LabYaml -AsJson | Should -Not -Match 'hunter2'
    }
}

Describe 'Objects read back from a server (item 8)' {
    BeforeAll {
        $standIn = Start-StandIn
        $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        $null = @(ConvertFrom-LabYaml -Path (Join-Path $DataFolder 'crds/gateway.crd.yaml')) | Publish-LabResource
        $null = New-MeshGateway guestbook-ui-gateway | Publish-LabResource
    }
    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'leaves managedFields out unless -ShowManagedFields, as kubectl get -o yaml' {
        $read = Get-LabResource gw guestbook-ui-gateway
        $read.Metadata.AdditionalFields.Keys | Should -Contain 'managedFields'
        $yaml = $read | ConvertTo-LabYaml
        $yaml | Should -Not -Match 'managedFields'
        $read | ConvertTo-LabYaml -AsJson | Should -Not -Match 'managedFields'
        $read | ConvertTo-LabYaml -ShowManagedFields | Should -Match '(?m)^  managedFields:'
        $read | ConvertTo-LabYaml -AsJson -ShowManagedFields | Should -Match '"managedFields"'
        $file = $read | Export-LabManifest -Path (Join-Path (Get-PSDrive TestDrive).Root 'read-back.yaml')
        Get-Content -Raw $file | Should -Not -Match 'managedFields'
        $file = $read | Export-LabManifest -Path (Join-Path (Get-PSDrive TestDrive).Root 'read-back-all.yaml') -ShowManagedFields
        Get-Content -Raw $file | Should -Match 'managedFields'
    }

    It 'quotes timestamps, which YAML 1.1 would read as dates, as kubectl does' {
        $yaml = Get-LabResource gw guestbook-ui-gateway | ConvertTo-LabYaml -ShowManagedFields
        $yaml | Should -Match '(?m)^  creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$'
        $yaml | Should -Match '(?m)^    time: "\d{4}-\d\d-\d\dT'
        # kubectl's own output of the same object quotes the same fields.
        $kubectl = (& $Kubectl --kubeconfig $standIn.KubeConfig get gateways.networking.istio.io guestbook-ui-gateway -o yaml --show-managed-fields) -join "`n"
        $kubectl | Should -Match '(?m)^  creationTimestamp: "'
        $odd = New-MeshGateway gw
        $odd.Metadata.Annotations = [System.Collections.Generic.Dictionary[string, string]]::new()
        $odd.Metadata.Annotations['when'] = '2026-12-02'
        $odd.Metadata.Annotations['sexagesimal'] = '1:20'
        $odd.Metadata.Annotations['plain'] = 'v1.2'
        $odd | ConvertTo-LabYaml | Should -Match '(?m)^    sexagesimal: "1:20"\r?\n    when: "2026-12-02"$'
        $odd | ConvertTo-LabYaml | Should -Match '(?m)^    plain: v1.2$'
        ($odd | ConvertTo-LabYaml | ConvertFrom-LabYaml).Metadata.Annotations['when'] | Should -Be '2026-12-02'
    }
}

Describe 'Smaller things (item 11)' {
    It 'Get-LabLog reads the default container as kubectl 1.35: the annotation, else the first' {
        $standIn = Start-StandIn
        try {
            $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
            $pod = @'
apiVersion: v1
kind: Pod
metadata: { name: two, namespace: default }
spec:
  containers:
  - { name: app, image: app }
  - { name: istio-proxy, image: proxy }
'@
            $annotated = $pod -replace 'name: two, namespace: default', 'name: annotated, namespace: default, annotations: { kubectl.kubernetes.io/default-container: istio-proxy }'
            $null = @($pod | ConvertFrom-LabYaml; $annotated | ConvertFrom-LabYaml) | Publish-LabResource
            foreach ($name in 'two', 'annotated') {
                foreach ($container in 'app', 'istio-proxy') {
                    $body = "$name $container line"
                    $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/logs/default/$name/$container" -Body $body -SkipCertificateCheck
                }
            }
            $verbose = Get-LabLog two -Verbose 4>&1
            @($verbose | Where-Object { $_ -is [string] }) | Should -Be @('two app line')
            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'Defaulted container "app" out of: app, istio-proxy'
            Get-LabLog annotated | Should -Be 'annotated istio-proxy line'
            Get-LabLog annotated -Container app | Should -Be 'annotated app line'
            # kubectl picks the same containers.
            & $Kubectl --kubeconfig $standIn.KubeConfig logs two 2>$null | Should -Be 'two app line'
            & $Kubectl --kubeconfig $standIn.KubeConfig logs annotated 2>$null | Should -Be 'annotated istio-proxy line'
        } finally {
            Disconnect-LabCluster
            $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        }
    }

    It 'Export-LabManifest says each file''s size, objects and path' {
        $root = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
        $file = @(New-MeshGateway gw; New-MeshDestinationRule ui ui) | Export-LabManifest -Path $root -Step 01-two
        $file.Objects | Should -Be 2
        $file.Contents | Should -Be @('Gateway gw', 'DestinationRule ui')
        $file.Length | Should -Be (Get-Item $file.Path).Length
        $file.FullName | Should -Be $file.Path
        $file.Name | Should -Be '01-two.yaml'
        ($file | Format-Table | Out-String -Width 300) | Should -Match ('OBJECTS\s+SIZE\s+PATH[\s\S]*\s2\s+\d+ B\s+' + [regex]::Escape($file.Path))
        Get-Content -Raw $file | Should -Match 'kind: Gateway'
    }

    It 'Export-LabManifest does not repeat a warning the cmdlet that built the object showed' {
        $root = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
        # A route after a catch-all route can never match: Add-MeshRoute warns about it, once.
        $built = New-MeshVirtualService ui ui | Add-MeshRoute ui -Subset v1 | Add-MeshRoute ui -Subset v2 -WarningVariable first -WarningAction SilentlyContinue
        @($first).Count | Should -Be 1
        $first[0].Message | Should -Match 'spec.http\[1\]'
        $null = $built | Export-LabManifest -Path $root -WarningVariable again -WarningAction SilentlyContinue
        @($again) | Should -BeNullOrEmpty
        # An object nobody has warned about yet (read from text) is warned about.
        $read = $built | ConvertTo-LabYaml | ConvertFrom-LabYaml
        $null = $read | Export-LabManifest -Path $root -WarningVariable fresh -WarningAction SilentlyContinue
        @($fresh).Count | Should -Be 1
        $fresh[0].Message | Should -Be $first[0].Message
    }

    It 'a missing kubeconfig is KubeConfigNotFound naming only what was given' {
        $missing = Join-Path (Get-PSDrive TestDrive).Root 'no.kubeconfig'
        $err = Get-LabError { Connect-LabCluster -KubeConfig $missing }
        $err.FullyQualifiedErrorId | Should -BeLike 'KubeConfigNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike "-KubeConfig: there is no kubeconfig file $missing*"
        $err.Exception.Message | Should -Not -Match '-Context'
        $saved = $env:KUBECONFIG
        try {
            $env:KUBECONFIG = $missing
            $err = Get-LabError { Connect-LabCluster }
            $err.FullyQualifiedErrorId | Should -BeLike 'KubeConfigNotFound,*'
            $err.Exception.Message | Should -BeLike '$env:KUBECONFIG: *'
        } finally { $env:KUBECONFIG = $saved }
    }

    It 'a wildcard -Path that matches nothing is silent, as PowerShell''s own cmdlets are; a plain missing path is not' {
        Push-Location (Get-PSDrive TestDrive).Root
        try {
            $result = ConvertFrom-LabYaml -Path ./no*.yaml -ErrorVariable problems
            $? | Should -BeTrue
            $result | Should -BeNullOrEmpty
            $problems | Should -BeNullOrEmpty
            @(Get-Item -Path ./no*.yaml -ErrorVariable native) | Should -BeNullOrEmpty
            $native | Should -BeNullOrEmpty
            (Get-LabError { ConvertFrom-LabYaml -Path ./nothing.yaml }).FullyQualifiedErrorId | Should -BeLike 'ManifestNotFound,*'
        } finally { Pop-Location }
    }
}

Describe 'A host nothing resolves (item 10)' {
    BeforeAll {
        $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
        $config = @($app; Enable-MeshInjection)
    }

    It 'fails the DNS lookup from a pod, as curl exits 6, before any proxy sees it' {
        $r = $config | Test-MeshRequest -From ui -Uri http://nosuch/
        $r.Outcome | Should -Be 'HostNotResolved'
        $r.Status | Should -BeNullOrEmpty
        $r.Cluster | Should -BeNullOrEmpty
        $r.Steps[0].Stage | Should -Be 'dns'
        $r.Explanation | Should -Match 'resolves nosuch from namespace default.*exit code 6'
        ($config | Test-MeshRequest -From ui -Uri http://nosuch.default/).Outcome | Should -Be 'HostNotResolved'
        ($config | Test-MeshRequest -From ui -Uri http://nosuch.default.svc.cluster.local/).Outcome | Should -Be 'HostNotResolved'
        ($config | Test-MeshRequest -From default/curl -Sidecar:$false -Uri http://nosuch/).Outcome | Should -Be 'HostNotResolved'
    }

    It 'resolves Services as the pod''s search path writes them, IP addresses, public names, and what the user says resolves' {
        ($config | Test-MeshRequest -From ui -Uri http://message-service/hello/x).Outcome | Should -Be 'Delivered'
        ($config | Test-MeshRequest -From ui -Uri http://message-service.default.svc.cluster.local/hello/x).Outcome | Should -Be 'Delivered'
        $public = $config | Test-MeshRequest -From ui -Uri http://www.example.com/
        $public.Outcome | Should -Be 'Delivered'
        $public.Cluster | Should -Be 'PassthroughCluster'
        ($config | Test-MeshRequest -From ui -Uri http://10.1.2.3/).Cluster | Should -Be 'PassthroughCluster'
        $assumed = $config | Test-MeshRequest -From ui -Uri http://nosuch/ -AssumeResolved
        $assumed.Outcome | Should -Be 'Delivered'
        $assumed.Cluster | Should -Be 'PassthroughCluster'
        # From outside, the Host header is not looked up: the gateway answers.
        ($config | Test-MeshRequest -From ingress -Uri http://nosuch/).Outcome | Should -Not -Be 'HostNotResolved'
    }
}

Describe 'Results built for scripts (item 9)' {
    BeforeAll {
        $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
        $config = @($app; Enable-MeshInjection)
    }

    It '-Count groups carry the response flag and body, under the Outcomes the view shows' {
        $fault = New-MeshVirtualService message message-service | Add-MeshRoute message-service | Add-MeshFault -Abort 503 -Percent 50
        $sample = @($config; $fault) | Test-MeshRequest -From ui -Uri http://message-service/hello/x -Count 200 -Seed 7
        $sample.Outcomes.Count | Should -Be 2
        $aborted = $sample.Outcomes | Where-Object Status -EQ 503
        $aborted.ResponseFlag | Should -Be 'FI'
        $aborted.Body | Should -Be 'fault filter abort'
        ($sample.Outcomes | Where-Object Status -EQ 200).ResponseFlag | Should -BeNullOrEmpty
        $sample.Groups.Count | Should -Be 2
        $text = $sample | Format-List | Out-String -Width 200
        $text | Should -Match 'Outcomes\s*:\s*\d+\.\d %\s+(ProxyResponse 503 FI|Delivered 200)'
        ($sample | ConvertTo-Json -Depth 4 | ConvertFrom-Json).Outcomes[0].PSObject.Properties.Name | Should -Contain 'ResponseFlag'
    }

    It 'writes enums by name in ConvertTo-Json, as the views show them' {
        $refused = New-MeshVirtualService ui ui | Test-MeshRequest -From ingress -Uri http://x/
        ($refused | ConvertTo-Json -Depth 1 | ConvertFrom-Json).Outcome | Should -Be 'ConnectionRefused'
        $refused.Outcome -eq 'ConnectionRefused' | Should -BeTrue -Because 'the property is still the enum'
        $findings = New-MeshVirtualService reviews reviews | Add-MeshRoute reviews | Test-MeshConfiguration -FailOn None
        ($findings | ConvertTo-Json | ConvertFrom-Json).Level | Should -Contain 'Error'
        $issues = @(New-MeshVirtualService ui ui | Test-MeshResource)
        $issues.Count | Should -BeGreaterThan 0 -Because 'a VirtualService without routes is invalid'
        ($issues | ConvertTo-Json -Depth 1 | ConvertFrom-Json)[0].Severity | Should -Be 'Error'
        $enums = [GuestbookLab.Mesh.Simulation.RequestOutcome], [GuestbookLab.Mesh.Analysis.AnalysisLevel],
            [GuestbookLab.Mesh.Validation.IssueSeverity], [GuestbookLab.Model.ApplyOutcome], [GuestbookLab.Model.RemoveOutcome]
        foreach ($enum in $enums) { [Enum]::GetUnderlyingType($enum) | Should -Be ([long]) -Because "$enum is written by name only when it is long-based" }
    }

    It 'names the resource of every step, and no step repeats another' {
        $deny = New-MeshAuthorizationPolicy deny-all -Namespace default
        $denied = @($config; $deny) | Test-MeshRequest -From ui -Uri http://message-service/hello/x
        $denied.Steps | ForEach-Object { $_.Resource | Should -Not -BeNullOrEmpty -Because "$($_.Stage): $($_.Detail)" }
        ($denied.Steps | Where-Object Stage -EQ 'authorization').Resource | Should -Be 'AuthorizationPolicy default/deny-all'
        ($denied.Steps | ForEach-Object Detail | Group-Object | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        ($denied.Steps | Where-Object Stage -EQ 'server mTLS').Resource | Should -Match 'mesh default'
        $strict = @($config; Enable-MeshStrictMtls) | Test-MeshRequest -From ui -Uri http://message-service/hello/x
        ($strict.Steps | Where-Object Stage -EQ 'server mTLS').Resource | Should -Match '^PeerAuthentication '
        $plain = $config | Test-MeshRequest -From default/curl -Sidecar:$false -Uri http://message-service/hello/x
        $plain.Steps[0].Detail | Should -Not -Match 'no sidecar\) has no sidecar'
        $plain.Steps[0].Detail | Should -BeLike 'default/curl has no sidecar*'
        $split = Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 80 } -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway
        $routed = @($config; New-MeshGateway guestbook-ui-gateway; $split) | Test-MeshRequest -From ingress -Uri http://x/ -Seed 1
        ($routed.Steps | Where-Object Stage -EQ 'route').Resource | Should -Be 'VirtualService default/guestbook-ui'
    }
}

Describe 'A diff before applying: Compare-LabResource, as kubectl diff (Missing)' {
    It 'on a folder: what Publish-LabResource would do, the fields, a unified diff, and nothing written' {
        $folder = Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid())
        $null = Connect-LabCluster -Directory $folder
        $null = Set-MeshTrafficSplit ui @{ v1 = 20; v2 = 80 } | Publish-LabResource
        $before = Get-ChildItem -Recurse -File $folder | ForEach-Object { Get-Content -Raw $_.FullName }
        $diff = Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 } | Compare-LabResource
        $diff.Result | Should -Be @('Unchanged', 'Configured')
        $diff[0].Fields | Should -BeNullOrEmpty
        $diff[0].Diff | Should -BeNullOrEmpty
        @($diff[1].Fields | ForEach-Object { "$_" }) | Should -Be @('~spec.http[0].route[0].weight: 20 -> 50', '~spec.http[0].route[1].weight: 80 -> 50')
        $diff[1].Diff[0..1] | Should -Be @('--- LIVE VirtualService default/ui', '+++ APPLIED VirtualService default/ui')
        ($diff[1].Diff | Where-Object { $_ -match '^[-+] ' }) | Should -Be @('-      weight: 20', '+      weight: 50', '-      weight: 80', '+      weight: 50')
        (Get-ChildItem -Recurse -File $folder | ForEach-Object { Get-Content -Raw $_.FullName }) | Should -Be $before -Because 'a comparison writes nothing'
        $unified = Set-MeshTrafficSplit ui @{ v1 = 50; v2 = 50 } | Compare-LabResource -Unified
        $unified | Should -Be $diff[1].Diff
        (New-MeshGateway gw | Compare-LabResource).Result | Should -Be 'Created'
        ($diff | Format-Table | Out-String -Width 200) | Should -Match 'VirtualService\s+ui\s+default\s+configured\s+~spec\.http\[0\]\.route\[0\]\.weight: 20 -> 50'
        Disconnect-LabCluster
    }

    It 'refuses an invalid object before comparing anything, as Publish-LabResource does' {
        $null = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root ([guid]::NewGuid()))
        $out = New-MeshVirtualService ui ui | Compare-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'MissingRoutes,*'
        Disconnect-LabCluster
    }

    Context 'on the API stand-in' {
        BeforeAll {
            $standIn = Start-StandIn
            $null = Connect-LabCluster -KubeConfig $standIn.KubeConfig
            $deploy = "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, namespace: default}`nspec: {replicas: 1, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: 'ui:1'}]}}}"
            $null = ConvertFrom-LabYaml $deploy | Publish-LabResource
        }
        AfterAll {
            Disconnect-LabCluster
            $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        }

        It 'asks the server for a dry run, changes nothing, and agrees with kubectl diff --server-side' {
            $version = (Get-LabResource deploy ui).Metadata.AdditionalFields['resourceVersion']
            $changed = $deploy -replace 'replicas: 1', 'replicas: 3' -replace "'ui:1'", "'ui:2'"
            $diff = ConvertFrom-LabYaml $changed | Compare-LabResource
            $diff.Result | Should -Be 'Configured'
            @($diff.Fields | ForEach-Object { "$_" }) | Should -Be @('~spec.replicas: 1 -> 3', "~spec.template.spec.containers[0].image: 'ui:1' -> 'ui:2'")
            $diff.Location | Should -BeLike "$($standIn.Url)*/apis/apps/v1/namespaces/default/deployments/ui"
            $now = Get-LabResource deploy ui
            $now.Metadata.AdditionalFields['resourceVersion'] | Should -Be $version -Because 'a dry run stores nothing'
            $now.Spec.Replicas | Should -Be 1
            $file = Join-Path $standIn.Folder 'changed.yaml'
            Set-Content -Path $file -Value $changed
            $kubectlDiff = & $Kubectl --kubeconfig $standIn.KubeConfig diff --server-side --force-conflicts -f $file 2>&1
            $LASTEXITCODE | Should -Be 1 -Because "kubectl diff exits 1 when there are differences: $kubectlDiff"
            $theirs = @($kubectlDiff | Where-Object { $_ -match '^[-+] ' -and $_ -notmatch 'generation:' })
            $ours = @($diff.Diff | Where-Object { $_ -match '^[-+] ' })
            $ours | Should -Be $theirs
            (ConvertFrom-LabYaml $deploy | Compare-LabResource).Result | Should -Be 'Unchanged'
        }

        It 'hides Secret values while saying which changed' {
            $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Secret`nmetadata: {name: token}`nstringData: {token: hunter2, kept: same}" | Publish-LabResource
            $diff = ConvertFrom-LabYaml "apiVersion: v1`nkind: Secret`nmetadata: {name: token}`nstringData: {token: swordfish, kept: same}" | Compare-LabResource
            $diff.Result | Should -Be 'Configured'
            @($diff.Fields | ForEach-Object { "$_" }) | Should -Be @('~data.token: (hidden) -> (hidden)')
            ($diff.Diff | Where-Object { $_ -match '^[-+] ' }) | Should -Be @("-  token: '*** (before)'", "+  token: '*** (after)'") -Because 'kubectl diff masks a Secret''s values so'
            $diff.Diff | Should -Contain '   kept: ''***'''
            $text = ($diff | Format-List * | Out-String -Width 400) + ($diff.Diff -join "`n") + ($diff | ConvertTo-Json -Depth 6)
            foreach ($value in 'hunter2', 'swordfish', [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('hunter2')), [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('swordfish'))) {
                $text | Should -Not -Match ([regex]::Escape($value))
            }
        }

        It 'reports an object the server cannot preview as a non-terminating error, and compares the others' {
            $gateway = New-MeshGateway gw
            $out = @($gateway; ConvertFrom-LabYaml $deploy) | Compare-LabResource -ErrorVariable problems -ErrorAction SilentlyContinue
            $problems.Count | Should -Be 1
            $problems[0].TargetObject.Kind | Should -Be 'Gateway'
            $out.Kind | Should -Be 'Deployment'
        }
    }
}
