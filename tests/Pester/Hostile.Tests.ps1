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

# Symbolic links planted in a folder (issue 16): never written through (Connect-LabCluster -Directory,
# Export-LabManifest); a folder read by -Path does not follow links out of it, and says so.
Describe 'Symbolic links in folders' -Skip:$IsWindows {
    BeforeAll {
        $outside = Join-Path $root 'links-outside'
        $null = New-Item -ItemType Directory -Path $outside -Force
        Set-Content -LiteralPath (Join-Path $outside 'victim.yaml') -Value 'keep'
        function Get-Outside { Get-ChildItem -LiteralPath $outside -Recurse -File | ForEach-Object { "$($_.Name)=$((Get-Content -Raw -LiteralPath $_.FullName).Trim())" } }
    }

    It 'Publish-LabResource to a directory target refuses a namespace folder that is a link (UnsafeObjectPath), writing nothing' {
        $folder = Join-Path $root 'links-target'
        $connection = Connect-LabCluster -Directory $folder
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'default') -Target $outside
        $results = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: planted}" | Publish-LabResource -Connection $connection -ErrorVariable problems -ErrorAction SilentlyContinue
        $results | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectPath,*'
        $problems[0].Exception.Message | Should -BeLike '*default is a symbolic link*nothing is written*'
        Get-Outside | Should -Be @('victim.yaml=keep')
    }

    It 'Publish-LabResource refuses to replace a file that is a link' {
        $folder = Join-Path $root 'links-file'
        $connection = Connect-LabCluster -Directory $folder
        $null = New-Item -ItemType Directory -Path (Join-Path $folder 'default')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'default/configmap-victim.yaml') -Target (Join-Path $outside 'victim.yaml')
        $null = ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: victim}" | Publish-LabResource -Connection $connection -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectPath,*'
        (Remove-LabResource -Kind ConfigMap -Name victim -Connection $connection -Confirm:$false -ErrorAction SilentlyContinue).Result | Should -Not -Be 'Deleted' -Because 'a link is not one of the folder''s objects'
        Get-Outside | Should -Be @('victim.yaml=keep')
        (Get-Item (Join-Path $folder 'default/configmap-victim.yaml')).LinkTarget | Should -Not -BeNullOrEmpty -Because 'the link is left as it was'
    }

    It 'Export-LabManifest refuses a folder layout through a link before writing any file' {
        $folder = Join-Path $root 'links-export'
        $null = New-Item -ItemType Directory -Path $folder
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'default') -Target $outside
        $objects = @(
            ConvertFrom-LabYaml "apiVersion: v1`nkind: Namespace`nmetadata: {name: lab}"
            ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: exported, namespace: default}"
        )
        $err = Get-LabError { $objects | Export-LabManifest -Path $folder }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectPath,*'
        Get-ChildItem -LiteralPath $folder -Recurse -File | Should -BeNullOrEmpty
        Get-Outside | Should -Be @('victim.yaml=keep')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'step.yaml') -Target (Join-Path $outside 'victim.yaml')
        (Get-LabError { $objects | Export-LabManifest -Path $folder -Step step }).FullyQualifiedErrorId | Should -BeLike 'UnsafeObjectPath,*'
        Get-Outside | Should -Be @('victim.yaml=keep')
    }

    It 'ConvertFrom-LabYaml -Path FOLDER does not enter a linked folder or read a linked file outside it, and warns for each' {
        $folder = Join-Path $root 'links-read'
        $null = New-Item -ItemType Directory -Path (Join-Path $outside 'deep') -Force
        Set-Content -LiteralPath (Join-Path $outside 'deep/outside.yaml') -Value "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: outside}"
        $null = New-Item -ItemType Directory -Path $folder
        Set-Content -LiteralPath (Join-Path $folder 'own.yaml') -Value "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: own}"
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'linked') -Target (Join-Path $outside 'deep')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'linked.yaml') -Target (Join-Path $outside 'deep/outside.yaml')
        $read = ConvertFrom-LabYaml -Path $folder -WarningVariable warnings -WarningAction SilentlyContinue
        @($read).Name | Should -Be @('own')
        $warnings.Count | Should -Be 2
        "$warnings" | Should -BeLike '*linked is a symbolic link to a folder*not read*'
        "$warnings" | Should -BeLike '*linked.yaml is a symbolic link to a file*outside the folder*'
        (ConvertFrom-LabYaml -Path (Join-Path $folder 'linked')).Name | Should -Be 'outside' -Because 'a link the user names is read'
    }
}

# The limits (issue 16), changed by the preference variable $GuestbookLabManifestLimits in PowerShell's scopes.
Describe 'Manifest limits set by $GuestbookLabManifestLimits' {
    It 'a raised MaxBytes reads what the default refuses; a lowered one refuses what the default reads' {
        $big = "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: big}`ndata: {a: '$('x' * 17MB)'}"
        (Get-LabError { ConvertFrom-LabYaml $big }).Exception.Limit | Should -Be 'MaxBytes'
        & {
            $GuestbookLabManifestLimits = @{ MaxBytes = 32MB }
            (ConvertFrom-LabYaml $big).Name | Should -Be 'big'
        }
        & {
            $GuestbookLabManifestLimits = @{ MaxDepth = 3 }
            $err = Get-LabError { ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: deep}`ndata: {a: '1'}`nx: {y: {z: {w: 1}}}" }
            $err.FullyQualifiedErrorId | Should -BeLike 'ManifestLimitExceeded,*'
            $err.Exception.Limit | Should -Be 'MaxDepth'
        }
        (ConvertFrom-LabYaml "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: deep}`nx: {y: {z: {w: 1}}}").Name | Should -Be 'deep' -Because 'the variable held only in its scope'
    }

    It 'holds a folder read by -Path to MaxFolderFiles and MaxFolderBytes, for Publish-LabResource and Test-MeshConfiguration too' {
        $folder = Join-Path $root 'limits-folder'
        $null = New-Item -ItemType Directory -Path $folder
        foreach ($i in 1..3) { Set-Content -LiteralPath (Join-Path $folder "cm$i.yaml") -Value "apiVersion: v1`nkind: ConfigMap`nmetadata: {name: cm$i}" }
        @(ConvertFrom-LabYaml -Path $folder).Count | Should -Be 3
        $GuestbookLabManifestLimits = [GuestbookLab.Model.ManifestLimits]::Default.With('MaxFolderFiles', 2)
        $err = Get-LabError { ConvertFrom-LabYaml -Path $folder }
        $err.FullyQualifiedErrorId | Should -BeLike 'ManifestLimitExceeded,*'
        $err.Exception.Limit | Should -Be 'MaxFolderFiles'
        $err.Exception.Message | Should -BeLike '*more than 2 manifest files*'
        $target = Join-Path $root 'limits-applied'
        (Get-LabError { Publish-LabResource -Path $folder -Connection (Connect-LabCluster -Directory $target) }).Exception.Limit | Should -Be 'MaxFolderFiles'
        (Get-LabError { Test-MeshConfiguration -Path $folder }).Exception.Limit | Should -Be 'MaxFolderFiles'
        $GuestbookLabManifestLimits = @{ MaxFolderBytes = 100 }
        (Get-LabError { ConvertFrom-LabYaml -Path $folder }).Exception.Message | Should -BeLike '*more than the 100 bytes*'
        Remove-Variable GuestbookLabManifestLimits
        @(ConvertFrom-LabYaml -Path $folder).Count | Should -Be 3
    }

    It 'refuses an unknown limit or an unusable value as InvalidManifestLimits, naming the limits there are' {
        $GuestbookLabManifestLimits = @{ MaxSize = 1MB }
        $err = Get-LabError { ConvertFrom-LabYaml "a: 1" }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidManifestLimits,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "*`$GuestbookLabManifestLimits: 'MaxSize' is not a manifest limit: the limits are MaxBytes, MaxDepth*MaxFolderBytes*"
        $GuestbookLabManifestLimits = @{ MaxDepth = -1 }
        (Get-LabError { ConvertFrom-LabYaml "a: 1" }).Exception.Message | Should -BeLike '*MaxDepth*not a whole number*'
        $GuestbookLabManifestLimits = 'big'
        (Get-LabError { ConvertFrom-LabYaml "a: 1" }).FullyQualifiedErrorId | Should -BeLike 'InvalidManifestLimits,*'
        Remove-Variable GuestbookLabManifestLimits
    }
}
