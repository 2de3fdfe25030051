param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# kubeconfig credentials (issue 16): each works or fails with a clear error that names the context and never prints
# a credential. The stand-in checks a bearer token (--token), answering 401 as an API server answers an expired or
# revoked one; the exec plugin is a script in the aws eks get-token style (POSIX shells only).

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
}

Describe 'Connect-LabCluster with the kubeconfig''s credentials' {
    BeforeAll {
        $good = 'good-token-5d1f0e9a'
        $k8s = Start-StandIn -Token $good
        $base = Get-Content -Raw $k8s.KubeConfig
        function Write-KubeConfig([string] $Name, [string] $User) {
            $path = Join-Path $k8s.Folder "$Name.kubeconfig"
            ($base -replace '(?s)users:.*$', "users:`n- name: standin`n  user:`n$User`n") | Set-Content $path
            $path
        }
        function Get-AllText([scriptblock] $Command) {
            $all = & { try { & $Command } catch { $_ } } *>&1
            ($all | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { "$_ $($_.Exception) $($_.TargetObject)" } else { $_ | Out-String } }) -join "`n"
        }
    }
    AfterAll {
        Disconnect-LabCluster -ErrorAction Ignore
        $k8s.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'connects with a token the server accepts' {
        $connection = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $connection.Context | Should -Be 'standin'
        (ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: ok}" | Publish-LabResource).Result | Should -Be 'Created'
    }

    It 'says an expired or revoked token is refused (ApiUnauthorized), naming the context and not the token' {
        $revoked = Write-KubeConfig revoked '    token: revoked-token-77c3b2a1'
        $err = Get-LabError { Connect-LabCluster -KubeConfig $revoked }
        $err.FullyQualifiedErrorId | Should -BeLike 'ApiUnauthorized,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -BeLike "*refused the credentials of context 'standin' (401 Unauthorized)*"
        $null = Connect-LabCluster -KubeConfig $k8s.KubeConfig
        $k8s.Process.Id | Should -BeGreaterThan 0
        $text = Get-AllText { Connect-LabCluster -KubeConfig $revoked -Verbose -Debug; Get-LabResource cm -Verbose -Debug }
        $text | Should -Not -Match 'revoked-token-77c3b2a1'
        $text | Should -Match 'standin' -Because 'the message names the context'
    }

    It 'says which context is missing, and lists the ones there are' {
        $err = Get-LabError { Connect-LabCluster -KubeConfig $k8s.KubeConfig -Context nosuch }
        $err.Exception.Message | Should -Match 'nosuch'
        $err.Exception.Message | Should -Not -Match $good
    }

    It 'gets a token from an exec plugin (aws eks get-token style), and never shows it' -Skip:$IsWindows {
        $plugin = Join-Path $k8s.Folder 'get-token.sh'
        Set-Content $plugin "#!/bin/sh`necho '{""apiVersion"":""client.authentication.k8s.io/v1beta1"",""kind"":""ExecCredential"",""status"":{""token"":""$good""}}'"
        chmod +x $plugin
        $exec = Write-KubeConfig exec "    exec:`n      apiVersion: client.authentication.k8s.io/v1beta1`n      command: $plugin`n      args: [eks, get-token, --cluster-name, guestbook]`n      interactiveMode: Never"
        $text = Get-AllText {
            Connect-LabCluster -KubeConfig $exec -Verbose -Debug
            ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: via-exec}" | Publish-LabResource -Verbose -Debug
            Get-LabResource cm via-exec -Verbose | Format-List * | Out-String
        }
        $text | Should -Match 'via-exec'
        $text | Should -Not -Match $good
        (Get-LabResource cm via-exec).Name | Should -Be 'via-exec'
    }

    It 'says when the exec plugin fails, naming the context' -Skip:$IsWindows {
        $plugin = Join-Path $k8s.Folder 'broken.sh'
        Set-Content $plugin "#!/bin/sh`necho 'Unable to locate credentials. You can configure credentials by running aws configure.' >&2`nexit 255"
        chmod +x $plugin
        $exec = Write-KubeConfig broken "    exec:`n      apiVersion: client.authentication.k8s.io/v1beta1`n      command: $plugin`n      interactiveMode: Never"
        $err = Get-LabError { Connect-LabCluster -KubeConfig $exec }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidKubeConfig,*'
        $err.Exception.Message | Should -BeLike "*exec credential plugin of the kubeconfig's current context gave no credential*run the command*"
        $err.Exception.Message | Should -Not -Match 'JsonException|BytePositionInLine'
        (Get-LabError { Connect-LabCluster -KubeConfig $exec -Context standin }).Exception.Message | Should -BeLike "*plugin of context 'standin'*"
    }
}
