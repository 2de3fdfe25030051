param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

# Bad and hostile input at the prompt (issue 16): each refusal is the module's own error, with its ErrorId and
# category, quickly; nothing is written outside the folder given.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $root = (Get-PSDrive TestDrive).Root
    $lines = foreach ($i in 1..9) { "  a${i}: &a${i} [" + ((1..10 | ForEach-Object { "*a$($i - 1)" }) -join ', ') + ']' }
    $laughs = "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: lol}`ndata:`n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]`n" + ($lines -join "`n") + "`n"
}

Describe 'Hostile manifests' {
    It 'refuses an alias expansion bomb as ManifestLimitExceeded, within seconds' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $err = Get-LabError { ConvertFrom-LabYaml $laughs }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $err.FullyQualifiedErrorId | Should -BeLike 'ManifestLimitExceeded,*'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.Exception.Message | Should -BeLike '*alias*100,000*'
        $err.Exception.Limit | Should -Be 'MaxAliasNodes'
    }

    It 'refuses a document nested 5000 levels deep' {
        $err = Get-LabError { ConvertFrom-LabYaml ("a: " + ('[' * 5000) + (']' * 5000)) }
        $err.FullyQualifiedErrorId | Should -BeLike 'ManifestLimitExceeded,*'
        $err.Exception.Message | Should -BeLike '*200 levels*'
    }

    It 'refuses a file over 16 MiB by -Path, and Publish-LabResource applies nothing' {
        $big = Join-Path $root 'big.yaml'
        $stream = [IO.File]::Create($big); $stream.SetLength(16MB + 1); $stream.Dispose()
        $err = Get-LabError { ConvertFrom-LabYaml -Path $big }
        $err.FullyQualifiedErrorId | Should -BeLike 'ManifestLimitExceeded,*'
        $err.Exception.Message | Should -BeLike "*big.yaml*16 MiB*"
        $target = Join-Path $root 'applied'
        (Get-LabError { Publish-LabResource -Path $big -Connection (Connect-LabCluster -Directory $target) }).FullyQualifiedErrorId | Should -BeLike 'ManifestLimitExceeded,*'
        Get-ChildItem -LiteralPath $target -Recurse -File -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a binary file as InvalidManifest and goes on with the next file' {
        $binary = Join-Path $root 'logo.yaml'
        [IO.File]::WriteAllBytes($binary, [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D))
        Set-Content -LiteralPath (Join-Path $root 'fine.yaml') -Value "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: fine}"
        $objects = ConvertFrom-LabYaml -LiteralPath $binary, (Join-Path $root 'fine.yaml') -ErrorVariable problems -ErrorAction SilentlyContinue
        @($objects).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidManifest,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].Exception.Message | Should -BeLike '*logo.yaml*not a text file*'
    }

    It 'refuses -Uri schemes other than http(s) before any download' {
        $err = Get-LabError { ConvertFrom-LabYaml -Uri 'ftp://127.0.0.1/lab.yaml' }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidUri,*'
        (Get-LabError { Publish-LabResource -Uri 'file:///etc/passwd' -Connection (Connect-LabCluster -Directory (Join-Path $root 'uri')) }).FullyQualifiedErrorId | Should -BeLike 'InvalidUri,*'
    }
}

Describe 'Names that would escape the folder' {
    BeforeAll {
        $outer = Join-Path $root 'outer'
        $folder = Join-Path $outer 'lab'
        $null = New-Item -ItemType Directory -Path $folder -Force
        function Get-Outside { Get-ChildItem -LiteralPath $outer -Recurse -File | Where-Object { -not $_.FullName.StartsWith($folder + [IO.Path]::DirectorySeparatorChar) } }
    }

    It 'Export-LabManifest -SkipValidation writes nothing for <Shown>' -ForEach @(
        @{ Name = '../../escaped'; Namespace = 'default'; Shown = 'name ../../escaped' }
        @{ Name = 'escaped'; Namespace = '../..'; Shown = 'namespace ../..' }
        @{ Name = '/tmp/escaped'; Namespace = 'default'; Shown = 'name /tmp/escaped' }
        @{ Name = 'escaped'; Namespace = 'con'; Shown = 'namespace con' }
        @{ Name = "esc`0aped"; Namespace = 'default'; Shown = 'a name with NUL' }
    ) {
        $object = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: fine, namespace: default}"
        $object.Metadata.Name = $Name
        $object.Metadata.Namespace = $Namespace
        $err = Get-LabError { $object | Export-LabManifest -Path $folder -SkipValidation }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectPath,*'
        Get-Outside | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath $folder -Recurse -File | Should -BeNullOrEmpty
    }

    It 'Export-LabManifest without -SkipValidation refuses the name by the naming rule' {
        $object = ConvertFrom-LabYaml "apiVersion: networking.istio.io/v1beta1`nkind: Gateway`nmetadata: {name: fine}"
        $object.Metadata.Name = '../escaped'
        $object | Export-LabManifest -Path $folder -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -BeGreaterThan 0
        Get-Outside | Should -BeNullOrEmpty
    }

    It 'Publish-LabResource to a directory target writes nothing outside it' {
        $connection = Connect-LabCluster -Directory $folder
        $object = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: fine}"
        $object.Metadata.Namespace = '../../..'
        $null = Publish-LabResource -InputObject $object -Connection $connection -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -BeGreaterThan 0
        Get-Outside | Should -BeNullOrEmpty
    }
}
