param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# The codelab's set-up and teardown: ECR and STS against the AWS stand-in (which checks every SigV4 signature with its
# own implementation), the state store against s3rver (a real S3-compatible server; it checks the access key, not
# SigV4 signatures, which AWSSDK.S3 computes), kops as a
# fake that records its calls and replays output.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $golden = Join-Path $DataFolder 'kubectl'
}

Describe 'New-LabCluster' {
    It 'builds the codelab''s cluster: 3 control-plane groups, one node group of 4, the permissions boundary set' {
        $objects = New-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Zones us-east-1a -MasterZones us-east-1a, us-east-1b, us-east-1c -PermissionsBoundary arn:aws:iam::123456789012:policy/CustomPowerUserBound
        $objects[0] | Should -BeOfType GuestbookLab.Model.KopsCluster
        $objects.Name | Should -Be @('mycoolcluster.k8s.local', 'control-plane-us-east-1a', 'control-plane-us-east-1b', 'control-plane-us-east-1c', 'nodes-us-east-1a')
        $objects[0].Spec.iam.permissionsBoundary | Should -Be 'arn:aws:iam::123456789012:policy/CustomPowerUserBound'
        $objects[0].Spec.networking.flannel.backend | Should -Be 'vxlan'
        $objects[0].Spec.configBase | Should -Be 's3://lab-state/mycoolcluster.k8s.local'
        $nodes = $objects | Where-Object Role -EQ Node
        $nodes.MinSize | Should -Be 4
        $nodes.MachineType | Should -Be 't2.large'
        ($objects | Where-Object Role -EQ Master).MachineType | Should -Be @('t2.medium', 't2.medium', 't2.medium')
        ($objects | Where-Object Role -EQ Master).RootVolumeSize | Should -Be @(20, 20, 20)
    }

    It 'writes kops YAML that reads back as the same objects' {
        $objects = New-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Zones us-east-1a
        $yaml = $objects | ConvertTo-LabYaml
        $yaml | Should -Match 'apiVersion: kops.k8s.io/v1alpha2'
        $again = ConvertFrom-LabYaml $yaml
        $again[0] | Should -BeOfType GuestbookLab.Model.KopsCluster
        $again[1] | Should -BeOfType GuestbookLab.Model.KopsInstanceGroup
        ($again | ConvertTo-LabYaml) | Should -BeExactly $yaml
    }

    It 'reads the SSH public key from a file into an SSHCredential' {
        $key = 'ssh-rsa ' + [Convert]::ToBase64String([byte[]](0, 0, 0, 7) + [Text.Encoding]::ASCII.GetBytes('ssh-rsa') + [byte[]](1, 2, 3)) + ' lab@example'
        Set-Content TestDrive:/id_rsa.pub $key
        $credential = New-LabCluster -Name a.k8s.local -StateStore s3://lab-state -Zones us-east-1a -SshPublicKey TestDrive:/id_rsa.pub | Select-Object -Last 1
        $credential | Should -BeOfType GuestbookLab.Model.KopsSshCredential
        $credential.PublicKey | Should -Be $key
        $credential.Metadata.Labels['kops.k8s.io/cluster'] | Should -Be 'a.k8s.local'
    }

    It 'refuses <Case> before building anything, naming the parameter' -ForEach @(
        @{ Case = 'master zones in another region'; Parameters = @{ MasterZones = 'us-west-2a' }; ErrorId = 'InvalidZone'; Field = '-MasterZone' }
        @{ Case = 'fewer masters than master zones'; Parameters = @{ MasterZones = 'us-east-1a', 'us-east-1b', 'us-east-1c'; MasterCount = 1 }; ErrorId = 'InvalidCount'; Field = '-MasterCount' }
        @{ Case = 'an unfilled ARN'; Parameters = @{ PermissionsBoundary = 'arn:aws:iam::ACCOUNT_ID_HERE:policy/CustomPowerUserBound' }; ErrorId = 'InvalidArn'; Field = '-PermissionsBoundary' }
        @{ Case = 'a bad instance type'; Parameters = @{ NodeSize = 'large' }; ErrorId = 'InvalidInstanceSize'; Field = '-NodeSize' }
        @{ Case = 'a bad state store'; Parameters = @{ StateStore = 'my-bucket' }; ErrorId = 'InvalidStateStore'; Field = '-StateStore' }
        @{ Case = 'a missing key file'; Parameters = @{ SshPublicKey = 'TestDrive:/none.pub' }; ErrorId = 'InvalidSshPublicKey'; Field = '-SshPublicKey' }
    ) {
        $all = @{ Name = 'mycoolcluster.k8s.local'; StateStore = 's3://lab-state'; Zones = 'us-east-1a' }
        foreach ($key in $Parameters.Keys) { $all[$key] = $Parameters[$key] }
        $output = $null
        $err = Get-LabError { $script:output = New-LabCluster @all }
        Should-BeLabError $err $ErrorId $Field
        $output | Should -BeNullOrEmpty
    }

    It 'warns that a name without .k8s.local needs a Route 53 zone' {
        $null = New-LabCluster -Name lab.example.com -StateStore s3://lab-state -Zones us-east-1a -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Match 'Route 53'
    }
}

Describe 'New-LabRegistrySecret' {
    BeforeAll {
        $token = ConvertTo-SecureString 'TOKEN' -AsPlainText -Force
        $server = 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com'
    }

    It 'builds the Secret kubectl create secret docker-registry builds' {
        $secret = New-LabRegistrySecret -Server $server -Password $token
        $yaml = $secret | ConvertTo-LabYaml -IncludeSecrets
        $mine = ConvertFrom-LabYaml $yaml
        $theirs = ConvertFrom-LabYaml -Path (Join-Path $golden 'create-secret-docker-registry.yaml')
        ($mine | ConvertTo-LabYaml -IncludeSecrets) | Should -BeExactly ($theirs | ConvertTo-LabYaml -IncludeSecrets)
        $json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($mine.Data['.dockerconfigjson'].Reveal()))
        $json | Should -BeExactly (Get-Content -Raw (Join-Path $golden 'create-secret-docker-registry.dockerconfigjson.decoded')).TrimEnd()
    }

    It 'never shows the token unless asked: output, formatting, YAML and exported files' {
        $secret = New-LabRegistrySecret -Server $server -Password (ConvertTo-SecureString 'SUPER-SECRET-TOKEN' -AsPlainText -Force) -Verbose -Debug *>&1
        $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('SUPER-SECRET-TOKEN'))
        $shown = @(
            $secret | Out-String
            $secret | Format-List * | Out-String
            $secret.Data | Out-String
            $secret | ConvertTo-LabYaml
            $secret | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue
            Get-Content -Raw ($secret | Export-LabManifest -Path TestDrive:/secret.yaml)
        ) -join "`n"
        $shown | Should -Not -Match 'SUPER-SECRET-TOKEN'
        $shown | Should -Not -Match ([regex]::Escape($encoded.Substring(0, 12)))
        $shown | Should -Match '<redacted>'
        ($secret | ConvertTo-LabYaml -IncludeSecrets) | Should -Not -Match '<redacted>'
    }

    It 'names the Secret and its namespace as given' {
        $secret = New-LabRegistrySecret -Name pull -Namespace kpack -Server $server -Password $token -Email lab@example.com
        $secret.Namespace | Should -Be 'kpack'
        $json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($secret.Data['.dockerconfigjson'].Reveal()))
        $json | Should -BeLike '*"password":"TOKEN","email":"lab@example.com","auth":"QVdTOlRPS0VO"*'
    }
}

Describe 'AWS calls (the AWS stand-in checks every signature)' {
    BeforeAll {
        $aws = Start-AwsStandIn
        $credential = New-TestAwsCredential
        $on = @{ Region = 'us-east-1'; Credential = $credential; EndpointUrl = $aws.Url }
    }
    AfterAll { $aws.Process | Stop-Process -ErrorAction Ignore }
    AfterEach {
        foreach ($v in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE') { Remove-Item "env:$v" -ErrorAction Ignore }
    }

    It 'checks signatures as AWS does (its published SigV4 test vector get-vanilla)' {
        $output = & dotnet $AwsStandIn --self-test
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be 'SIGV4 OK 5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'
    }

    It 'tells who the credentials are, and where they came from (never the secret)' {
        $all = Get-LabAwsIdentity @on -Debug 5>&1
        $identity = $all | Where-Object { $_ -is [GuestbookLab.Model.LabAwsIdentity] }
        $identity.Account | Should -Be '111122223333'
        $identity.Arn | Should -Be 'arn:aws:iam::111122223333:user/lab-user'
        $identity.CredentialSource | Should -BeLike '-Credential*'
        ($all | Out-String) | Should -Match 'AWS credentials: -Credential'
        ($all | Out-String) | Should -Not -Match 'Secret\+Key'
        (Get-AwsStandInRequest $aws.Url)[-1].accessKey | Should -Be 'LABKEYGUESTBOOK0001'
    }

    It 'finds session credentials and the region in the environment' {
        $env:AWS_ACCESS_KEY_ID = 'LABSESSIONGUEST0002'
        $env:AWS_SECRET_ACCESS_KEY = 'guestbooklab/Session+Secret/0002'
        $env:AWS_SESSION_TOKEN = 'session-token-0002'
        $env:AWS_REGION = 'eu-west-1'
        $identity = Get-LabAwsIdentity -EndpointUrl $aws.Url
        $identity.Arn | Should -Be 'arn:aws:sts::111122223333:assumed-role/lab-session'
        $identity.Region | Should -Be 'eu-west-1'
        $identity.CredentialSource | Should -BeLike 'environment variables AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN*'
        (Get-AwsStandInRequest $aws.Url)[-1].region | Should -Be 'eu-west-1'
    }

    It 'reads a named profile from a shared credentials file' {
        Set-Content TestDrive:/credentials "[lab]`naws_access_key_id = LABKEYGUESTBOOK0001`naws_secret_access_key = guestbooklab/Secret+Key/0001`nregion = us-west-2"
        $identity = Get-LabAwsIdentity -ProfileName lab -ProfileLocation TestDrive:/credentials -EndpointUrl $aws.Url
        $identity.CredentialSource | Should -BeLike "profile 'lab'*"
        $identity.Region | Should -Be 'us-west-2'
    }

    It 'says how to give credentials when there are none' {
        $err = Get-LabError { Get-LabAwsIdentity -Region us-east-1 -EndpointUrl $aws.Url }
        $err.FullyQualifiedErrorId | Should -BeLike 'AwsCredentialsNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match '-Credential'
    }

    It 'says how to give a region when there is none' {
        $err = Get-LabError { Get-LabAwsIdentity -Credential $credential -EndpointUrl $aws.Url }
        $err.FullyQualifiedErrorId | Should -BeLike 'AwsRegionNotFound,*'
        $err.Exception.Message | Should -Match '-Region'
    }

    It 'reports <Case> as <ErrorId>' -ForEach @(
        @{ Case = 'an expired session token'; Key = 'LABEXPIREDGUEST0003'; Secret = 'guestbooklab/Expired+Secret/0003'; Token = 'expired-token-0003'; ErrorId = 'AwsTokenExpired'; Category = 'AuthenticationError' }
        @{ Case = 'a wrong secret key'; Key = 'LABKEYGUESTBOOK0001'; Secret = 'wrong'; Token = $null; ErrorId = 'AwsInvalidCredentials'; Category = 'AuthenticationError' }
        @{ Case = 'an unknown access key'; Key = 'LABUNKNOWNKEY00000'; Secret = 'unknown/secret/key'; Token = $null; ErrorId = 'AwsInvalidCredentials'; Category = 'AuthenticationError' }
    ) {
        $env:AWS_ACCESS_KEY_ID = $Key
        $env:AWS_SECRET_ACCESS_KEY = $Secret
        if ($Token) { $env:AWS_SESSION_TOKEN = $Token }
        foreach ($command in { New-LabRegistry -Name lab-x -Region us-east-1 -EndpointUrl $aws.Url }, { Get-LabAwsIdentity -Region us-east-1 -EndpointUrl $aws.Url }) {
            $err = Get-LabError $command
            $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $err.CategoryInfo.Category | Should -Be $Category
            $err.Exception.Message | Should -Not -Match ([regex]::Escape($Secret))
        }
    }

    It 'creates the codelab''s repositories, and returns existing ones on a re-run' {
        $created = New-LabRegistry -RepositoryPrefix lab1 -Name ui, message, guestbook, kpack -ScanOnPush @on
        $created.Name | Should -Be @('lab1-ui', 'lab1-message', 'lab1-guestbook', 'lab1-kpack')
        $created[0].Uri | Should -Be '111122223333.dkr.ecr.us-east-1.amazonaws.com/lab1-ui'
        $created[0].Server | Should -Be '111122223333.dkr.ecr.us-east-1.amazonaws.com'
        $created.ScanOnPush | Should -Be @($true, $true, $true, $true)
        $again = New-LabRegistry -RepositoryPrefix lab1 -Name ui, message, guestbook, kpack -ScanOnPush @on -ErrorVariable errors -WarningVariable warnings
        $errors | Should -BeNullOrEmpty
        $warnings | Should -BeNullOrEmpty
        $null = New-LabRegistry -RepositoryPrefix lab1 -Name ui @on -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Match 'lab1-ui has scan on push True'
        $again.Arn | Should -Be $created.Arn
        $again[0].CreatedAt | Should -Be $created[0].CreatedAt
    }

    It 'lists repositories across pages, by prefix and name, and reports missing names' {
        $null = New-LabRegistry -RepositoryPrefix lab2 -Name ui, message, guestbook, kpack @on
        (Get-LabRegistry -RepositoryPrefix lab2 @on).Name | Should -Be @('lab2-guestbook', 'lab2-kpack', 'lab2-message', 'lab2-ui')
        (Get-LabRegistry -RepositoryPrefix lab2 -Name 'm*' @on).Name | Should -Be 'lab2-message'
        $err = Get-LabError { Get-LabRegistry -RepositoryPrefix lab2 -Name nothing @on }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses to delete a repository with images without -Force, deletes it with -Force, and skips it once gone' {
        $null = New-LabRegistry -Name lab3-ui @on
        Invoke-RestMethod -Method Post "$($aws.Url)/_standin/images/lab3-ui?count=2"
        $err = Get-LabError { Remove-LabRegistry -Name lab3-ui @on -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryNotEmpty,*'
        $err.Exception.Message | Should -Match '-Force'
        (Get-LabRegistry -Name lab3-ui @on).Name | Should -Be 'lab3-ui'
        Get-LabRegistry -Name lab3-ui @on | Remove-LabRegistry -Force @on -Confirm:$false
        Get-LabRegistry -Name lab3-* @on | Should -BeNullOrEmpty
        { Remove-LabRegistry -Name lab3-ui -Force @on -Confirm:$false -ErrorAction Stop } | Should -Not -Throw
    }

    It 'sends nothing with -WhatIf' {
        $before = @(Get-AwsStandInRequest $aws.Url).Count
        New-LabRegistry -Name lab4-ui @on -WhatIf
        Remove-LabRegistry -Name lab4-ui @on -WhatIf
        @(Get-AwsStandInRequest $aws.Url | Where-Object operation -In CreateRepository, DeleteRepository).Count |
            Should -Be @(Get-AwsStandInRequest $aws.Url | Select-Object -First $before | Where-Object operation -In CreateRepository, DeleteRepository).Count
    }

    It 'refuses <Case> before any call' -ForEach @(
        @{ Case = 'an upper-case repository name'; Command = { New-LabRegistry -Name Lab-UI @on }; ErrorId = 'InvalidRepositoryName'; Field = '-Name' }
        @{ Case = 'a one-letter repository name'; Command = { Remove-LabRegistry -Name u @on -Confirm:$false }; ErrorId = 'InvalidRepositoryName'; Field = '-Name' }
        @{ Case = 'a region that is not one'; Command = { New-LabRegistry -Name lab-ui -Region useast1 -Credential $credential -EndpointUrl $aws.Url }; ErrorId = 'InvalidRegion'; Field = '-Region' }
        @{ Case = 'an endpoint that is not a URL'; Command = { Get-LabAwsIdentity -Region us-east-1 -Credential $credential -EndpointUrl 'localhost:4566' }; ErrorId = 'InvalidEndpoint'; Field = '-EndpointUrl' }
    ) {
        $before = @(Get-AwsStandInRequest $aws.Url).Count
        Should-BeLabError (Get-LabError $Command) $ErrorId $Field
        @(Get-AwsStandInRequest $aws.Url).Count | Should -Be $before
    }

    It 'builds the pull secret from a fresh ECR token, which appears in no stream' {
        $password = Invoke-RestMethod "$($aws.Url)/_standin/ecr-password"
        $all = New-LabRegistrySecret @on -Verbose -Debug *>&1
        $secret = $all | Where-Object { $_ -is [GuestbookLab.Model.KubernetesSecret] }
        $secret.Name | Should -Be 'ecr-secret'
        $config = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($secret.Data['.dockerconfigjson'].Reveal())) | ConvertFrom-Json -AsHashtable
        $entry = $config.auths['https://111122223333.dkr.ecr.us-east-1.amazonaws.com']
        $entry.username | Should -Be 'AWS'
        $entry.password | Should -BeExactly $password
        $entry.auth | Should -Be ([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("AWS:$password")))
        ($all | Out-String) + ($secret | ConvertTo-LabYaml) | Should -Not -Match ([regex]::Escape($password.Substring(0, 20)))
        ($all | Out-String) | Should -Match 'expires at'
    }

    It 'applies the pull secret to a cluster with its real value' {
        $k8s = Start-StandIn
        try {
            $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
            $password = Invoke-RestMethod "$($aws.Url)/_standin/ecr-password"
            (New-LabRegistrySecret @on | Publish-LabResource -Connection $connection).Result | Should -Be 'Created'
            $read = Get-LabResource Secret ecr-secret -Connection $connection
            $read | Should -BeOfType GuestbookLab.Model.KubernetesSecret
            ($read | Out-String) | Should -Not -Match ([regex]::Escape($password.Substring(0, 20)))
            $json = & $Kubectl --kubeconfig $k8s.KubeConfig get secret ecr-secret -o 'jsonpath={.data.\.dockerconfigjson}'
            [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($json)) | Should -BeLike "*`"password`":`"$password`"*"
        } finally {
            Disconnect-LabCluster
            $k8s.Process | Stop-Process -ErrorAction Ignore
        }
    }
}

Describe 'The state store (s3rver, an S3-compatible server)' {
    BeforeAll {
        $s3 = Start-S3rver
        $on = @{ Region = 'us-east-1'; Credential = $s3.Credential; EndpointUrl = $s3.Url }
    }
    AfterAll { $s3.Process | Stop-Process -ErrorAction Ignore }

    It 'creates the bucket, and finds it already yours on a re-run' {
        $store = New-LabStateStore -BucketName lab-state-1 @on
        $store.Created | Should -BeTrue
        $store.Uri | Should -Be 's3://lab-state-1'
        (New-LabStateStore -BucketName lab-state-1 @on).Created | Should -BeFalse
    }

    It 'feeds New-LabCluster''s -StateStore from the pipeline' {
        $cluster = New-LabStateStore -BucketName lab-state-2 @on | New-LabCluster -Name lab.k8s.local -Zones us-east-1a | Select-Object -First 1
        $cluster.StateStore | Should -Be 's3://lab-state-2'
    }

    It 'refuses to delete a bucket kops still uses, unless -Force' {
        $null = New-LabStateStore -BucketName lab-state-3 @on
        Invoke-RestMethod -Method Put -Uri "$($s3.Url)/lab-state-3/mycoolcluster.k8s.local/config" -Body 'kind: Cluster'
        $err = Get-LabError { Remove-LabStateStore -BucketName lab-state-3 @on -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'BucketNotEmpty,*'
        $err.Exception.Message | Should -Match 'mycoolcluster.k8s.local/config'
        (New-LabStateStore -BucketName lab-state-3 @on).Created | Should -BeFalse
        Remove-LabStateStore -BucketName lab-state-3 -Force @on -Confirm:$false
        (New-LabStateStore -BucketName lab-state-3 @on -WhatIf) | Should -BeNullOrEmpty
        Invoke-WebRequest -Method Head "$($s3.Url)/lab-state-3" -SkipHttpErrorCheck | ForEach-Object StatusCode | Should -Be 404
    }

    It 'is safe to re-run: a bucket that is gone is not an error' {
        { Remove-LabStateStore -BucketName lab-state-gone @on -Confirm:$false -ErrorAction Stop } | Should -Not -Throw
    }

    It 'refuses a bad bucket name before any call' {
        Should-BeLabError (Get-LabError { New-LabStateStore -BucketName 'Lab_State' @on }) InvalidBucketName '-BucketName' 'Lab_State'
    }

    It 'reports an access key the server does not know as AwsInvalidCredentials' {
        $err = Get-LabError { New-LabStateStore -BucketName lab-state-4 -Region us-east-1 -EndpointUrl $s3.Url -Credential (New-TestAwsCredential 'LABUNKNOWNKEY00000' 'wrong') }
        $err.FullyQualifiedErrorId | Should -BeLike 'AwsInvalidCredentials,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}

Describe 'The cluster''s lifecycle (a fake kops)' {
    BeforeAll {
        $spec = New-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Zones us-east-1a -MasterZones us-east-1a, us-east-1b, us-east-1c
        $notFound = @{ stderr = @('Error: cluster not found "mycoolcluster.k8s.local"'); exit = 1 }
        $validJson = '{"failures":[],"nodes":[{"name":"i-01","zone":"us-east-1a","role":"control-plane","hostname":"i-01","status":"True"},{"name":"i-02","zone":"us-east-1a","role":"node","hostname":"i-02","status":"True"}]}'
    }
    BeforeEach { $kops = New-FakeKops }

    It 'creates the spec with kops create -f, then runs kops update cluster --yes --admin' {
        Set-FakeKopsScript $kops @{ 'get cluster' = $notFound; 'create' = @{ stdout = @('Created cluster/mycoolcluster.k8s.local') } }
        $state = $spec | Publish-LabCluster -KopsPath $kops.Path -Verbose 4>&1
        $result = $state | Where-Object { $_ -is [GuestbookLab.Model.LabClusterState] }
        $result.State | Should -Be 'Created'
        $result.Context | Should -Be 'mycoolcluster.k8s.local'
        ($state | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'Created cluster/mycoolcluster.k8s.local'
        $calls = Get-FakeKopsCall $kops
        $calls[0].args | Should -Be @('get', 'cluster', '--name', 'mycoolcluster.k8s.local', '--state', 's3://lab-state')
        $calls[1].args[0..1] | Should -Be @('create', '-f')
        $calls[1].args[3..4] | Should -Be @('--state', 's3://lab-state')
        (ConvertFrom-LabYaml $calls[1].file | ConvertTo-LabYaml) | Should -BeExactly ($spec | ConvertTo-LabYaml)
        $calls[2].args | Should -Be @('update', 'cluster', '--name', 'mycoolcluster.k8s.local', '--state', 's3://lab-state', '--yes', '--admin=18h0m0s')
        Test-Path $calls[1].args[2] | Should -BeFalse -Because 'the spec file is removed afterwards'
    }

    It 'points the spec''s configBase at the -StateStore it is published to' {
        Set-FakeKopsScript $kops @{ 'get cluster' = $notFound }
        $null = $spec | Publish-LabCluster -StateStore s3://other-state -KopsPath $kops.Path -WarningAction SilentlyContinue
        $calls = Get-FakeKopsCall $kops
        $calls[1].args[4] | Should -Be 's3://other-state'
        (ConvertFrom-LabYaml $calls[1].file)[0].Spec.configBase | Should -Be 's3://other-state/mycoolcluster.k8s.local'
        $spec[0].Spec.configBase | Should -Be 's3://lab-state/mycoolcluster.k8s.local' -Because 'the input is not changed'
    }

    It 'replaces the spec when the cluster is already in the state store (a re-run)' {
        $null = $spec | Publish-LabCluster -KopsPath $kops.Path
        (Get-FakeKopsCall $kops)[1].args[0] | Should -Be 'replace'
    }

    It 'passes the AWS parameters to kops as its environment, never as arguments' {
        Set-FakeKopsScript $kops @{ 'get cluster' = $notFound }
        $null = $spec | Publish-LabCluster -KopsPath $kops.Path -Region eu-west-1 -ProfileName lab
        $calls = Get-FakeKopsCall $kops
        $calls[0].env.AWS_REGION | Should -Be 'eu-west-1'
        $calls[0].env.AWS_PROFILE | Should -Be 'lab'
        $calls.args | Should -Not -Contain 'lab'
    }

    It 'runs nothing with -WhatIf' {
        $spec | Publish-LabCluster -KopsPath $kops.Path -WhatIf
        Remove-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -KopsPath $kops.Path -WhatIf
        Get-FakeKopsCall $kops | Should -BeNullOrEmpty
    }

    It 'turns a failing kops into KopsFailed with its last lines' {
        Set-FakeKopsScript $kops @{ 'get cluster' = $notFound; 'create' = @{ stderr = @('I1130 loading', 'Error: error creating cluster: AccessDenied: not authorized'); exit = 1 } }
        $err = Get-LabError { $spec | Publish-LabCluster -KopsPath $kops.Path }
        $err.FullyQualifiedErrorId | Should -BeLike 'KopsFailed,*'
        $err.Exception.Message | Should -Match 'exit code 1'
        $err.Exception.Message | Should -Match 'AccessDenied: not authorized'
        @(Get-FakeKopsCall $kops).Count | Should -Be 2 -Because 'kops update must not run after a failed create'
    }

    It 'says how to install kops when it is missing' {
        $err = Get-LabError { $spec | Publish-LabCluster -KopsPath TestDrive:/no/kops }
        $err.FullyQualifiedErrorId | Should -BeLike 'KopsNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'github.com/kubernetes/kops/releases'
        $path = $env:PATH
        try {
            $env:PATH = (Get-PSDrive TestDrive).Root
            (Get-LabError { Remove-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Confirm:$false }).FullyQualifiedErrorId | Should -BeLike 'KopsNotFound,*'
        } finally { $env:PATH = $path }
    }

    It 'finds kops on PATH' {
        $path = $env:PATH
        try {
            $env:PATH = $kops.Folder + [IO.Path]::PathSeparator + $path
            Remove-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Confirm:$false
        } finally { $env:PATH = $path }
        (Get-FakeKopsCall $kops)[-1].args | Should -Be @('delete', 'cluster', '--name', 'mycoolcluster.k8s.local', '--state', 's3://lab-state', '--yes')
    }

    It 'refuses spec objects without their Cluster, and objects that are not kops''s' {
        Should-BeLabError (Get-LabError { $spec[1..2] | Publish-LabCluster -KopsPath $kops.Path }) InvalidClusterSpec 'exactly one is needed'
        (Get-LabError { New-MeshGateway gw | Publish-LabCluster -KopsPath $kops.Path }).FullyQualifiedErrorId | Should -BeLike 'InvalidResource,*'
        Get-FakeKopsCall $kops | Should -BeNullOrEmpty
    }

    It 'waits with kops validate cluster --wait, showing its progress' {
        # kops -o json writes one result per attempt, with nothing between them; its log lines go to stderr.
        $notYet = '{"failures":[{"type":"Node","name":"i-02","message":"node \"i-02\" of role \"node\" is not ready"}],"nodes":[]}'
        Set-FakeKopsScript $kops @{ 'validate cluster' = @{ stderr = @('W1130 (will retry): cluster not yet healthy', 'Validation failed: pod kube-flannel not ready'); stdout = @($notYet + $validJson) } }
        $all = Wait-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Timeout 10m -KopsPath $kops.Path -Verbose 4>&1
        $result = $all | Where-Object { $_ -is [GuestbookLab.Model.LabClusterValidation] }
        $result.Ready | Should -BeTrue
        $result.Nodes.Name | Should -Be @('i-01', 'i-02')
        $verbose = ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain 'Validation failed: pod kube-flannel not ready'
        $verbose | Should -Contain 'kops validate: 1 failure(s): Node i-02: node "i-02" of role "node" is not ready'
        $verbose | Should -Contain 'kops validate: 2 node(s), no failures'
        (Get-FakeKopsCall $kops)[0].args | Should -Be @('validate', 'cluster', '--name', 'mycoolcluster.k8s.local', '--state', 's3://lab-state', '--wait', '10m0s', '-o', 'json')
    }

    It 'reports a cluster that does not validate in time as ClusterNotReady, naming the failures' {
        Set-FakeKopsScript $kops @{ 'validate cluster' = @{ stdout = @('{"failures":[{"type":"Node","name":"i-02","message":"node \"i-02\" of role \"node\" is not ready"}],"nodes":[]}'); exit = 2 } }
        $err = Get-LabError { Wait-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -Timeout 1m -KopsPath $kops.Path }
        $err.FullyQualifiedErrorId | Should -BeLike 'ClusterNotReady,*'
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.Exception.Message | Should -Match 'Node i-02'
        $err.TargetObject.Failures.Count | Should -Be 1
    }

    It 'binds Publish-LabCluster''s result to Wait-LabCluster' {
        Set-FakeKopsScript $kops @{ 'get cluster' = $notFound; 'validate cluster' = @{ stdout = @($validJson) } }
        ($spec | Publish-LabCluster -KopsPath $kops.Path | Wait-LabCluster -KopsPath $kops.Path).Ready | Should -BeTrue
    }

    It 'stops kops when the command is stopped (Ctrl+C)' {
        Set-FakeKopsScript $kops @{ 'validate cluster' = @{ stderr = @('waiting'); sleepMs = 60000 } }
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$env:FAKEKOPS_LOG = '$($kops.Log)'; `$env:FAKEKOPS_SCRIPT = '$($kops.Script)'; Wait-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -KopsPath '$($kops.Path)'")
        $handle = $ps.BeginInvoke()
        for ($i = 0; $i -lt 100 -and @(Get-FakeKopsCall $kops).Count -eq 0; $i++) { Start-Sleep -Milliseconds 100 }
        $kopsPid = (Get-FakeKopsCall $kops)[0].pid
        Get-Process -Id $kopsPid -ErrorAction Ignore | Should -Not -BeNullOrEmpty
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 20
        for ($i = 0; $i -lt 50 -and (Get-Process -Id $kopsPid -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
        Get-Process -Id $kopsPid -ErrorAction Ignore | Should -BeNullOrEmpty
        $ps.Dispose()
    }

    It 'deletes the cluster with kops delete cluster --yes, and skips one that is not there' {
        Remove-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -KopsPath $kops.Path -Confirm:$false
        (Get-FakeKopsCall $kops)[-1].args | Should -Be @('delete', 'cluster', '--name', 'mycoolcluster.k8s.local', '--state', 's3://lab-state', '--yes')
        Set-FakeKopsScript $kops @{ 'get cluster' = $notFound }
        $before = @(Get-FakeKopsCall $kops).Count
        Remove-LabCluster -Name mycoolcluster.k8s.local -StateStore s3://lab-state -KopsPath $kops.Path -Confirm:$false -ErrorAction Stop
        @(Get-FakeKopsCall $kops).Count | Should -Be ($before + 1) -Because 'only kops get cluster runs'
    }

    It 'asks before deleting (ConfirmImpact High)' -ForEach @(
        @{ Command = 'Remove-LabCluster' }, @{ Command = 'Remove-LabRegistry' }, @{ Command = 'Remove-LabStateStore' }
    ) {
        $type = (Get-Command $Command).ImplementingType
        $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'The lab''s Setup section against AWS (-Aws)' {
    BeforeAll {
        $aws = Start-AwsStandIn
        $s3 = Start-S3rver
        $k8s = Start-StandIn
        $labScript = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Lab.ps1'
    }
    AfterAll { $aws.Process, $s3.Process, $k8s.Process | Stop-Process -ErrorAction Ignore }

    It 'creates the state store, the cluster, the repositories and the pull secret with no manual edit' {
        $kops = New-FakeKops
        Set-FakeKopsScript $kops @{ 'get cluster' = @{ stderr = @('cluster not found'); exit = 1 }; 'validate cluster' = @{ stdout = @('{"failures":[],"nodes":[]}') } }
        $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        try {
            $steps = & $labScript -OutputPath (Join-Path (Get-PSDrive TestDrive).Root 'aws-lab') -Section Setup -Aws -Apply -Connection $connection `
                -StateBucket aws-lab-state -RepoPrefix awslab `
                -AwsOptions @{ Credential = (New-TestAwsCredential); EndpointUrl = $aws.Url; KopsPath = $kops.Path } `
                -StateStoreOptions @{ Credential = $s3.Credential; EndpointUrl = $s3.Url } -WarningAction SilentlyContinue
            $steps.Step | Should -Be @('01-cluster-spec', '02-registry-secret')
            # The account comes from STS, so the permissions boundary needs no edit.
            $steps[0].Objects[0].PermissionsBoundary | Should -Be 'arn:aws:iam::111122223333:policy/CustomPowerUserBound'
            (Get-FakeKopsCall $kops) | ForEach-Object { $_.args[0] } | Should -Be @('get', 'create', 'update', 'validate')
            Invoke-WebRequest -Method Head "$($s3.Url)/aws-lab-state" -SkipHttpErrorCheck | ForEach-Object StatusCode | Should -Be 200
            (Get-LabRegistry -RepositoryPrefix awslab -Region us-east-1 -Credential (New-TestAwsCredential) -EndpointUrl $aws.Url).Name | Should -Be @('awslab-guestbook', 'awslab-kpack', 'awslab-message', 'awslab-ui')
            $steps[1].Applied.Result | Should -Be 'Created'
            $json = & $Kubectl --kubeconfig $k8s.KubeConfig get secret ecr-secret -o 'jsonpath={.data.\.dockerconfigjson}'
            [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($json)) | Should -BeLike '*https://111122223333.dkr.ecr.us-east-1.amazonaws.com*'
            Get-Content -Raw $steps[1].File | Should -Match '<redacted>'
        } finally {
            Disconnect-LabCluster
        }
    }
}

Describe 'The teardown script' {
    BeforeAll {
        $aws = Start-AwsStandIn
        $s3 = Start-S3rver
        $teardown = Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/GuestbookLab.Teardown.ps1'
    }
    AfterAll {
        $aws.Process, $s3.Process | Stop-Process -ErrorAction Ignore
    }

    It 'removes the lab''s objects, the cluster, the repositories and the bucket, and is safe to re-run' {
        $kops = New-FakeKops
        $k8s = Start-StandIn
        try {
            $ecr = @{ Region = 'us-east-1'; Credential = (New-TestAwsCredential); EndpointUrl = $aws.Url }
            $store = @{ Region = 'us-east-1'; Credential = $s3.Credential; EndpointUrl = $s3.Url }
            $null = New-LabRegistry -RepositoryPrefix teardown -Name ui, message, guestbook, kpack @ecr
            Invoke-RestMethod -Method Post "$($aws.Url)/_standin/images/teardown-ui?count=3"
            $null = New-LabStateStore -BucketName teardown-state @store
            $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
            $null = Enable-MeshInjection -Namespace lab | Publish-LabResource
            $arguments = @{
                ClusterName = 'mycoolcluster.k8s.local'; StateBucket = 'teardown-state'; RepoPrefix = 'teardown'
                ClusterOptions = @{ KopsPath = $kops.Path }; RegistryOptions = $ecr; StateStoreOptions = $store
            }
            $steps = & $teardown @arguments -Confirm:$false
            $steps.Step | Should -Be @('resources', 'cluster', 'registries', 'state-store')
            $steps.Succeeded | Should -Be @($true, $true, $true, $true)
            Get-LabResource Namespace lab -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-FakeKopsCall $kops)[-1].args[0..1] | Should -Be @('delete', 'cluster')
            Get-LabRegistry -RepositoryPrefix teardown @ecr | Should -BeNullOrEmpty
            Invoke-WebRequest -Method Head "$($s3.Url)/teardown-state" -SkipHttpErrorCheck | ForEach-Object StatusCode | Should -Be 404

            Set-FakeKopsScript $kops @{ 'get cluster' = @{ stderr = @('cluster not found'); exit = 1 } }
            $again = & $teardown @arguments -Confirm:$false -ErrorVariable errors
            $again.Succeeded | Should -Be @($true, $true, $true, $true)
            $errors | Should -BeNullOrEmpty
        } finally {
            Disconnect-LabCluster
            $k8s.Process | Stop-Process -ErrorAction Ignore
        }
    }

    It 'shows what would go with -WhatIf, and removes nothing' {
        $kops = New-FakeKops
        $ecr = @{ Region = 'us-east-1'; Credential = (New-TestAwsCredential); EndpointUrl = $aws.Url }
        $null = New-LabRegistry -RepositoryPrefix whatif -Name ui @ecr
        $null = & $teardown -RepoPrefix whatif -Repositories ui -Step cluster, registries -ClusterOptions @{ KopsPath = $kops.Path } -RegistryOptions $ecr -WhatIf
        Get-FakeKopsCall $kops | Should -BeNullOrEmpty
        (Get-LabRegistry -RepositoryPrefix whatif @ecr).Name | Should -Be 'whatif-ui'
    }
}
