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

# TLS (issue 16): the stand-in serves HTTPS with a certificate authority made at its start (--tls), for 127.0.0.1 and
# localhost or, with --tls-san, for another name only; --client-ca makes it answer 401 to requests without a client
# certificate its client authority signed. kubectl 1.35 is the oracle that the stand-in's TLS is right.
Describe 'Connect-LabCluster over TLS' {
    BeforeAll {
        function Start-TlsStandIn([string[]] $Options) {
            $folder = Join-Path ([IO.Path]::GetTempPath()) "standin-$([guid]::NewGuid())"
            $null = New-Item -ItemType Directory -Path $folder
            $kubeconfig = Join-Path $folder 'kubeconfig'
            $out = Join-Path $folder 'out.txt'
            $process = Start-Process -FilePath dotnet -ArgumentList (@($StandIn, '--port', '0', '--kubeconfig', $kubeconfig) + $Options) -PassThru -RedirectStandardOutput $out -WorkingDirectory $folder
            for ($i = 0; $i -lt 150 -and -not (Select-String -Path $out -Pattern '^URL ' -Quiet -ErrorAction Ignore); $i++) { Start-Sleep -Milliseconds 100 }
            $url = (Select-String -Path $out -Pattern '^URL (\S+)').Matches[0].Groups[1].Value
            [pscustomobject]@{ Process = $process; Url = $url; KubeConfig = $kubeconfig; Folder = $folder; Text = Get-Content -Raw $kubeconfig }
        }
        function Get-Field([string] $Text, [string] $Name) { [regex]::Match($Text, "(?m)^\s+$([regex]::Escape($Name)): (\S+)$").Groups[1].Value }
        function Write-Variant([string] $Name, [string] $Text) {
            $path = Join-Path $TestDrive "$Name.kubeconfig"
            Set-Content -LiteralPath $path -Value $Text
            $path
        }
        function Get-AllText([scriptblock] $Command) {
            $all = & { try { & $Command } catch { $_ } } *>&1
            (@($all | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { "$_ $($_.Exception) $($_.Exception.InnerException) $($_.TargetObject)" } else { $_ | Out-String } }) +
                @($Error | ForEach-Object { "$_ $($_.Exception)" })) -join "`n"
        }
        function kc([string] $Config) { $output = & $Kubectl --kubeconfig $Config get ns 2>&1; [pscustomobject]@{ Code = $LASTEXITCODE; Text = ($output -join "`n") } }

        # A: the certificate for 127.0.0.1, client certificates required. B: a certificate for wrong.example only, by another authority.
        $a = Start-TlsStandIn '--tls', '--client-ca'
        $b = Start-TlsStandIn '--tls', '--client-ca', '--tls-san', 'wrong.example'
        $key = Get-Field $a.Text 'client-key-data'
        $keyBody = ([Text.Encoding]::ASCII.GetString([Convert]::FromBase64String($key)) -split "`n" | Where-Object { $_ -and $_ -notmatch '^-----' }) -join ''
        $wrongCa = Write-Variant wrong-ca ($a.Text.Replace((Get-Field $a.Text 'certificate-authority-data'), (Get-Field $b.Text 'certificate-authority-data')))
        $noCert = Write-Variant no-cert ($a.Text -replace '(?s)  user:\n.*$', "  user:`n    token: not-a-certificate`n")
        $wrongCert = Write-Variant wrong-cert ($a.Text.Replace((Get-Field $a.Text 'client-certificate-data'), (Get-Field $b.Text 'client-certificate-data')).Replace($key, (Get-Field $b.Text 'client-key-data')))
        $insecure = Write-Variant insecure ($b.Text -replace 'certificate-authority-data: \S+', 'insecure-skip-tls-verify: true')
    }
    AfterAll {
        Disconnect-LabCluster -ErrorAction Ignore
        $a.Process, $b.Process | Stop-Process -Force -ErrorAction Ignore
    }

    It 'kubectl agrees: the kubeconfig works, a wrong authority and a wrong host fail' {
        $a.Url | Should -BeLike 'https://127.0.0.1:*'
        (kc $a.KubeConfig).Code | Should -Be 0
        $wrong = kc $wrongCa
        $wrong.Code | Should -Not -Be 0
        $wrong.Text | Should -Match 'certificate signed by unknown authority'
        $mismatch = kc $b.KubeConfig
        $mismatch.Code | Should -Not -Be 0
        $mismatch.Text | Should -Match "doesn't contain any IP SANs|not valid for"
        (kc $insecure).Code | Should -Be 0
        (kc $noCert).Text | Should -Match 'Unauthorized'
    }

    It 'connects when the server certificate chains to the kubeconfig''s authority, with the client certificate' {
        $connection = Connect-LabCluster -KubeConfig $a.KubeConfig -WarningVariable warnings
        $connection.Target | Should -Be $a.Url
        $warnings | Should -BeNullOrEmpty
        (ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: over-tls}" | Publish-LabResource).Result | Should -Be 'Created'
        (Get-LabResource cm over-tls).Name | Should -Be 'over-tls'
    }

    It 'refuses a server certificate of another authority (ApiTlsFailure), naming the context and the server' {
        $err = Get-LabError { Connect-LabCluster -KubeConfig $wrongCa }
        $err.FullyQualifiedErrorId | Should -BeLike 'ApiTlsFailure,*'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -BeLike "TLS with $($a.Url) (context 'standin') failed: the server's certificate (CN=standin-apiserver, issued by CN=standin-ca) is not signed by the kubeconfig's certificate-authority*"
    }

    It 'refuses a server certificate for another host, which KubernetesClient alone would accept' {
        $err = Get-LabError { Connect-LabCluster -KubeConfig $b.KubeConfig }
        $err.FullyQualifiedErrorId | Should -BeLike 'ApiTlsFailure,*'
        $err.Exception.Message | Should -BeLike "TLS with $($b.Url) (context 'standin') failed: the server's certificate is for wrong.example, not 127.0.0.1*"
    }

    It 'connects with insecure-skip-tls-verify: true, with a warning' {
        $connection = Connect-LabCluster -KubeConfig $insecure -WarningVariable warnings -WarningAction SilentlyContinue
        $connection.Target | Should -Be $b.Url
        "$warnings" | Should -BeLike "*context 'standin' has insecure-skip-tls-verify: true*not checked*"
        (Get-LabResource ns -ErrorAction Stop) | Should -BeNullOrEmpty
    }

    It 'says a missing client certificate is refused (401), and a wrong one too, naming the context' {
        $missing = Get-LabError { Connect-LabCluster -KubeConfig $noCert }
        $missing.FullyQualifiedErrorId | Should -BeLike 'ApiUnauthorized,*'
        $missing.Exception.Message | Should -BeLike "$($a.Url) refused the credentials of context 'standin' (401 Unauthorized)*"
        $wrong = Get-LabError { Connect-LabCluster -KubeConfig $wrongCert }
        $wrong.FullyQualifiedErrorId | Should -BeLike 'ApiUnauthorized,*'
        $wrong.Exception.Message | Should -BeLike "*context 'standin'*its client certificate is not one the server accepts*"
    }

    It 'never shows the client key or the token in any stream or $Error' {
        $Error.Clear()
        $text = Get-AllText {
            Connect-LabCluster -KubeConfig $a.KubeConfig -Verbose -Debug
            Get-LabResource cm -Verbose -Debug | Format-List * | Out-String
            Connect-LabCluster -KubeConfig $wrongCa -Verbose -Debug
            Connect-LabCluster -KubeConfig $noCert -Verbose -Debug
            Connect-LabCluster -KubeConfig $wrongCert -Verbose -Debug
            Connect-LabCluster -KubeConfig $insecure -Verbose -Debug
        }
        $text | Should -Match 'standin' -Because 'the streams were captured'
        $text | Should -Not -Match ([regex]::Escape($key))
        $text | Should -Not -Match ([regex]::Escape($keyBody.Substring(0, 40)))
        $text | Should -Not -Match 'not-a-certificate'
    }
}
