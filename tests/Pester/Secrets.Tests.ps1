param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# Secrets never reach output, logs or exported files (issue 16): one sweep runs every cmdlet that touches a Secret, a
# registry password, a kubeconfig credential or a JWT in a runspace of its own, with every stream kept (output,
# error, warning, verbose, debug, information, progress), a transcript, and $Error; then looks for each secret value,
# plain and base64-encoded, in all of it, in Export-LabManifest's file and in the directory target's files.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'The secret sweep' {
    BeforeAll {
        $k8s = Start-StandIn
        $work = Join-Path (Get-PSDrive TestDrive).Root 'sweep'
        $null = New-Item -ItemType Directory -Path $work
        # A JWT: its signature is what makes it a credential (the claims are shown, as Get-MeshJwtPrincipal's job).
        $jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkRIRmJwb0lVcXJZOHQyenBBMnFYZkNtcjVWTzVaRXI0UnpIVV8tZW52dlEiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjQ2ODU5ODk3MDAsImZvbyI6ImJhciIsImlhdCI6MTUzMjM4OTcwMCwiaXNzIjoidGVzdGluZ0BzZWN1cmUuaXN0aW8uaW8iLCJzdWIiOiJ0ZXN0aW5nQHNlY3VyZS5pc3Rpby5pbyJ9.CfNnxWP2tcnR9q0vxyxweaF3ovQYHYZl82hAUsn21bwQd9zP7c-LS9qd_vpdLG4Tn1A15NxfCjp5f7QNBUo-KC9PJqYpgGbaXhaGx7bEdFWjcwv3nZzvc7M__ZpaCERdwU7igUmJqYGBYQ51vr2njU9ZimyKkfDe3axcyiBZde7G6dabliUosJvvKOPcKIWPccCgefSj_GNfwIip3-SsFdlR7BtbVUcqR-yv-XOxJ3Uc1MI0tz3uMiiZcyPV7sNCU4KRnemRIMHVOfuvHsU60_GhGbiSFzgPTAa9WTltbnarTbxudb_YEOx12JiwYToeX0DCPb43W1tzIBxgm8NxUg'
        $secrets = @{
            RegistryPassword = 'SWEEP-REGISTRY-PASSWORD-7f3a9e'
            StringData       = 'SWEEP-STRINGDATA-91c2d4'
            KubeconfigToken  = 'standin-token'
            JwtSignature     = $jwt.Split('.')[2]
        }
        $script = {
            param($Module, $KubeConfig, $Work, $Secrets, $Jwt)
            $ErrorActionPreference = 'Continue'
            $VerbosePreference = 'Continue'
            $DebugPreference = 'Continue'
            $InformationPreference = 'Continue'
            Start-Transcript -Path (Join-Path $Work 'transcript.txt') | Out-Null
            Import-Module $Module
            $connection = Connect-LabCluster -KubeConfig $KubeConfig
            $connection
            $connection | Format-List * | Out-String
            $registry = New-LabRegistrySecret -Server https://123456789012.dkr.ecr.us-east-1.amazonaws.com -Password (ConvertTo-SecureString $Secrets.RegistryPassword -AsPlainText -Force)
            $plain = ConvertFrom-LabYaml "apiVersion: v1`nkind: Secret`nmetadata: {name: app-secret, namespace: default}`nstringData: {password: $($Secrets.StringData)}"
            foreach ($secret in $registry, $plain) {
                $secret
                $secret | Format-List * | Out-String
                $secret | ConvertTo-Json -Depth 8 -WarningAction SilentlyContinue
                $secret | ConvertTo-LabYaml
                $secret | ConvertTo-LabYaml -AsJson
                $secret | Test-MeshResource
            }
            @($registry, $plain) | Export-LabManifest -Path (Join-Path $Work 'exported.yaml')
            @($registry, $plain) | Publish-LabResource
            @($registry, $plain) | Publish-LabResource
            @($registry, $plain) | Compare-LabResource
            @($registry, $plain) | Compare-LabResource -Unified
            Get-LabResource secret | Format-List * | Out-String
            Get-LabResource secret | ConvertTo-LabYaml
            Get-LabResource secret app-secret | ConvertTo-LabYaml -ShowManagedFields
            ConvertFrom-LabYaml "apiVersion: v1`nkind: Secret`nmetadata: {name: app-secret, namespace: default}`nstringData: {password: $($Secrets.StringData)-changed}" | Compare-LabResource
            Remove-LabResource secret app-secret -WhatIf
            $folder = Connect-LabCluster -Directory (Join-Path $Work 'cluster')
            @($registry, $plain) | Publish-LabResource -Connection $folder
            Get-LabResource secret -Connection $folder | ConvertTo-LabYaml
            Get-MeshJwtPrincipal -Token $Jwt
            Get-MeshJwtPrincipal -Token $Jwt | Format-List * | Out-String
            Get-MeshJwtPrincipal -Token ($Jwt + 'x') -ErrorAction Continue
            Get-LabResource secret nosuch -ErrorAction Continue
            Stop-Transcript | Out-Null
            $Error | ForEach-Object { "ERROR RECORD: $_ | $($_.Exception) | $($_.TargetObject)" }
        }
        $shell = [powershell]::Create()
        $null = $shell.AddScript($script.ToString()).AddArgument($ModuleManifest).AddArgument($k8s.KubeConfig).AddArgument($work).AddArgument($secrets).AddArgument($jwt)
        $output = $shell.Invoke()
        $streams = $shell.Streams
        $text = [Text.StringBuilder]::new()
        foreach ($item in $output) { $null = $text.AppendLine(($item | Out-String -Width 400)); $null = $text.AppendLine("$item") }
        foreach ($record in $streams.Error) { $null = $text.AppendLine("$record | $($record.Exception) | $($record.TargetObject) | $($record.ErrorDetails)") }
        foreach ($record in @($streams.Warning) + @($streams.Verbose) + @($streams.Debug)) { $null = $text.AppendLine($record.Message) }
        foreach ($record in $streams.Information) { $null = $text.AppendLine("$($record.MessageData)") }
        foreach ($record in $streams.Progress) { $null = $text.AppendLine("$($record.Activity) $($record.StatusDescription) $($record.CurrentOperation)") }
        $shell.Dispose()
        $files = Get-ChildItem -Recurse -File $work
        $searched = $text.ToString() + (($files | ForEach-Object { Get-Content -Raw $_.FullName }) -join "`n")
    }
    AfterAll {
        $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'ran every command: output, each stream, the exported file, the folder target and the transcript are there' {
        $streamsSeen = $text.ToString()
        $streamsSeen | Should -Match 'Secret default/app-secret'
        $streamsSeen | Should -Match '<redacted>'
        $streamsSeen | Should -Match 'configured|Configured'
        ($files.Name) | Should -Contain 'exported.yaml'
        ($files.Name) | Should -Contain 'transcript.txt'
        @($files | Where-Object FullName -Like '*cluster*').Count | Should -BeGreaterOrEqual 2
        $streamsSeen | Should -Match 'testing@secure.istio.io' -Because 'the JWT''s claims are shown'
    }

    It 'finds no <Name> anywhere, plain or base64-encoded' -ForEach @(
        @{ Name = 'RegistryPassword' }, @{ Name = 'StringData' }, @{ Name = 'KubeconfigToken' }, @{ Name = 'JwtSignature' }
    ) {
        $value = $secrets[$Name]
        $searched | Should -Not -Match ([regex]::Escape($value))
        $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($value))
        $searched | Should -Not -Match ([regex]::Escape($encoded.Substring(0, [Math]::Min(16, $encoded.Length))))
        if ($Name -eq 'RegistryPassword') {
            $auth = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("AWS:$value"))
            $searched | Should -Not -Match ([regex]::Escape($auth.Substring(0, 16)))
        }
    }

    It 'would see a leak: the same search finds the values where they are asked for (-IncludeSecrets)' {
        Import-Module $ModuleManifest
        $revealed = ConvertFrom-LabYaml "apiVersion: v1`nkind: Secret`nmetadata: {name: s}`nstringData: {password: $($secrets.StringData)}" | ConvertTo-LabYaml -IncludeSecrets
        $revealed | Should -Match ([regex]::Escape($secrets.StringData))
        $registry = New-LabRegistrySecret -Server https://123456789012.dkr.ecr.us-east-1.amazonaws.com -Password (ConvertTo-SecureString $secrets.RegistryPassword -AsPlainText -Force) | ConvertTo-LabYaml -IncludeSecrets
        $config = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(($registry | ConvertFrom-LabYaml).Data['.dockerconfigjson'].Reveal()))
        $config | Should -Match ([regex]::Escape($secrets.RegistryPassword))
        (Get-Content -Raw $k8s.KubeConfig) | Should -Match ([regex]::Escape($secrets.KubeconfigToken)) -Because 'the token the sweep looks for is the kubeconfig''s'
    }

    It 'stored the real values on the cluster, where they belong' {
        $stored = & $Kubectl --kubeconfig $k8s.KubeConfig -n default get secret app-secret -o jsonpath='{.data.password}'
        [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($stored)) | Should -Be $secrets.StringData
    }
}
