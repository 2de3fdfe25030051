param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
}

# The stand-in plays the istio-proxy container: its scripted exec answers are real openssl s_client -showcerts output
# (tests/data/live/s_client-showcerts.txt, captured from openssl s_server serving a chain with a SPIFFE SAN; see
# WorkloadCertificateTests). This proves the plumbing and the parsing, not the mesh.
Describe 'Get-LabWorkloadCertificate against the stand-in''s exec, the sidecar scripted with real s_client output' {
    BeforeAll {
        $standIn = Start-StandIn
        $connection = Connect-LabCluster -KubeConfig $standIn.KubeConfig
        $capture = Join-Path $DataFolder 'live/s_client-showcerts.txt'
        $showcerts = Get-Content -Raw $capture
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: ubuntu, labels: {run: ubuntu}}`nspec: {containers: [{name: ubuntu, image: ubuntu}, {name: istio-proxy, image: proxyv2:1.17.8}]}" | Publish-LabResource
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: Pod`nmetadata: {name: plain, labels: {run: plain}}`nspec: {containers: [{name: ubuntu, image: ubuntu}]}" | Publish-LabResource
        function openssl([string] $Service, [string] $ServerName = ($Service -replace ':[0-9]+$')) { @('openssl', 's_client', '-showcerts', '-connect', $Service, '-servername', $ServerName) }
        $verifyLines = "depth=1 O = cluster.local`nverify error:num=19:self-signed certificate in certificate chain`nverify return:1`n"
        $scripts = @(
            @{ pod = 'ubuntu'; container = 'istio-proxy'; command = @(openssl message-service.default:80); stdout = $showcerts; stderr = $verifyLines; exitCode = 0 }
            @{ pod = 'ubuntu'; container = 'istio-proxy'; command = @(openssl message-service.default:80 outbound_.80_._.message-service.default.svc.cluster.local); stdout = $showcerts; stderr = "$verifyLines" + "40F7:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116`n"; exitCode = 1 }
            @{ pod = 'ubuntu'; container = 'istio-proxy'; command = @(openssl message-service.default:81); stdout = ''; stderr = "40B7E2F1FD7F0000:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:114:calling connect()`n40B7E2F1FD7F0000:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:116:`nconnect:errno=111`n"; exitCode = 1 }
            @{ pod = 'ubuntu'; container = 'istio-proxy'; command = @(openssl plain.default:80); stdout = "CONNECTED(00000003)`n---`nno peer certificate available`n---`nNo client certificate CA names sent`n---`nSSL handshake has read 0 bytes and written 310 bytes`n"; exitCode = 0 }
        )
        $null = Invoke-RestMethod -Method Post -Uri "$($standIn.Url)/_standin/exec" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject $scripts -Depth 5)
    }

    AfterAll {
        Disconnect-LabCluster
        $standIn.Process | Stop-Process -Force -ErrorAction Ignore
        Remove-Item -Recurse -Force $standIn.Folder -ErrorAction Ignore
    }

    It 'runs the codelab''s openssl s_client in the istio-proxy container and shows the SPIFFE ID of the chain''s leaf' {
        $certificate = Get-LabWorkloadCertificate ubuntu -Service message-service.default:80
        $certificate.SpiffeId | Should -Be 'spiffe://cluster.local/ns/default/sa/message-sa'
        if (Test-Path /usr/bin/openssl) {
            # openssl itself, reading the first certificate of the capture, as the oracle for the SAN.
            $san = (& /usr/bin/openssl x509 -noout -ext subjectAltName -in $capture) -join ' '
            $san | Should -Match ([regex]::Escape("URI:$($certificate.SpiffeId)"))
        }
        $certificate.Chain.Count | Should -Be 2
        $certificate.Chain[0] | Should -BeOfType ([Security.Cryptography.X509Certificates.X509Certificate2])
        $certificate.Certificate.Thumbprint | Should -Be $certificate.Chain[0].Thumbprint
        $certificate.Subject | Should -Be ''
        $certificate.Issuer | Should -Be 'O=cluster.local'
        $certificate.Chain[1].Subject | Should -Be 'O=cluster.local'
        $certificate.NotAfter | Should -BeGreaterThan $certificate.NotBefore
        $certificate.Protocol | Should -Be 'TLSv1.3'
        $certificate.Verification | Should -BeLike '19 (self-signed certificate in certificate chain)'
        $certificate.ExitCode | Should -Be 0
        $certificate.Pod, $certificate.Namespace, $certificate.Service, $certificate.ServerName | Should -Be @('ubuntu', 'default', 'message-service.default:80', 'message-service.default')
        $call = (Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls")[-1]
        $call.container | Should -Be 'istio-proxy'
        $call.command | Should -Be @(openssl message-service.default:80)
        $call.stdin | Should -BeNullOrEmpty
    }

    It 'returns the chain when openssl exits 1 after showing it, as under STRICT mutual TLS, and sends -ServerName' {
        $verbose = Get-LabWorkloadCertificate ubuntu -Service message-service.default:80 -ServerName outbound_.80_._.message-service.default.svc.cluster.local -Verbose 4>&1
        $certificate = $verbose | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }
        $certificate.SpiffeId | Should -Be 'spiffe://cluster.local/ns/default/sa/message-sa'
        $certificate.ExitCode | Should -Be 1
        ($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message -join "`n" | Should -BeLike '*exited with 1 after the chain*certificate required*'
    }

    It 'takes pods from Get-LabPod' {
        (Get-LabPod -Selector run=ubuntu | Get-LabWorkloadCertificate -Service message-service.default:80).SpiffeId | Should -Be 'spiffe://cluster.local/ns/default/sa/message-sa'
    }

    It 'says SidecarNotFound for a pod without an istio-proxy container, and runs nothing in it' {
        $before = @(Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls").Count
        $err = Get-LabError { Get-LabWorkloadCertificate plain -Service message-service.default:80 }
        $err.FullyQualifiedErrorId | Should -BeLike 'SidecarNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike '*default/plain has no istio-proxy container (it has ubuntu)*'
        @(Invoke-RestMethod "$($standIn.Url)/_standin/exec/calls").Count | Should -Be $before
        (Get-LabError { Get-LabWorkloadCertificate gone -Service message-service.default:80 }).FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
    }

    It 'says CertificateRequestFailed with openssl''s last lines when it fails without a certificate' {
        $err = Get-LabError { Get-LabWorkloadCertificate ubuntu -Service message-service.default:81 }
        $err.FullyQualifiedErrorId | Should -BeLike 'CertificateRequestFailed,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -BeLike '*default/ubuntu*message-service.default:81*exit code 1*Connection refused*connect:errno=111'
    }

    It 'says NoCertificate when openssl connected and was shown none' {
        $err = Get-LabError { Get-LabWorkloadCertificate ubuntu -Service plain.default:80 }
        $err.FullyQualifiedErrorId | Should -BeLike 'NoCertificate,*'
        $err.Exception.Message | Should -BeLike '*shown no certificate*no peer certificate available*'
    }

    It 'refuses a -Service that is not host:port before it runs anything' {
        $err = Get-LabError { Get-LabWorkloadCertificate ubuntu -Service message-service }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidService,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Get-LabError { Get-LabWorkloadCertificate ubuntu -Service '-quiet:80' }).FullyQualifiedErrorId | Should -BeLike 'InvalidService,*'
    }

    It 'is ExecNotAvailable on a manifest folder' {
        $folder = Connect-LabCluster -Directory (Join-Path (Get-PSDrive TestDrive).Root 'cluster')
        (Get-LabError { Get-LabWorkloadCertificate ubuntu -Service message-service.default:80 -Connection $folder }).FullyQualifiedErrorId | Should -BeLike 'ExecNotAvailable,*'
    }
}
