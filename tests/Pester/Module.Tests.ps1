param($ModuleManifest, $SchemaCheck, $StandIn, $Kubectl, $YamlDotNet11, $DataFolder, $AwsStandIn, $FakeKops, $S3rver)

BeforeDiscovery {
    Import-Module $ModuleManifest -Force
    $cmdlets = Get-Command -Module GuestbookLab -CommandType Cmdlet | Sort-Object Name
    $examples = foreach ($c in $cmdlets) {
        $n = 0
        foreach ($example in (Get-Help $c.Name -Examples).examples.example) {
            $n++
            # Examples that need a live cluster, AWS or kops say so ('(Needs …)'); they cannot run here.
            if (($example.remarks.Text -join ' ') -notmatch '\(Needs [^)]+\.\)') {
                @{ Cmdlet = $c.Name; Number = $n; Code = $example.code }
            }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModuleManifest -Force
    $module = Get-Module GuestbookLab
    $moduleBase = $module.ModuleBase

    # The help's syntax and parameters as the MAML file holds them, and the same from the cmdlet itself, as text
    # lines ('-Name <Type> mandatory 0'); a switch is '-Name switch ...', a nullable value type its underlying type.
    function Get-MamlCommand([System.Management.Automation.CommandInfo] $Command) {
        $file = $Command.HelpFile
        if (-not [IO.Path]::IsPathRooted($file)) { $file = Join-Path $moduleBase "en-US/$file" }
        [xml] $maml = Get-Content -Raw -LiteralPath $file
        $ns = [System.Xml.XmlNamespaceManager]::new($maml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        $node = @($maml.SelectNodes("//command:command[command:details/command:name='$($Command.Name)']", $ns))
        $node.Count | Should -Be 1 -Because "$file has one entry for $($Command.Name)"
        @{ Node = $node[0]; Ns = $ns }
    }

    function Get-ShownType([type] $Type) {
        if ($Type -eq [System.Management.Automation.SwitchParameter]) { return 'switch' }
        $underlying = [Nullable]::GetUnderlyingType($Type)
        if ($underlying) { $underlying.Name } else { $Type.Name }
    }

    function Format-SyntaxParameter([string] $Name, [string] $Type, [bool] $Mandatory, [string] $Position) {
        '-{0} {1} {2} {3}' -f $Name, $Type, $(if ($Mandatory) { 'mandatory' } else { 'optional' }), $Position
    }

    # A parameter set as Get-Command shows it: its parameters in the order of its syntax line.
    function Get-CommandSyntax([System.Management.Automation.CommandParameterSetInfo] $Set) {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $names = [regex]::Matches($Set.ToString(), '(?:^|[\s\[])-(\w+)') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -notin $common }
        foreach ($name in $names) {
            $p = $Set.Parameters | Where-Object Name -EQ $name
            Format-SyntaxParameter $p.Name (Get-ShownType $p.ParameterType) $p.IsMandatory $(if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' })
        }
    }

    function Get-MamlSyntax([System.Xml.XmlNode] $Item, [System.Xml.XmlNamespaceManager] $Ns) {
        foreach ($p in $Item.SelectNodes('command:parameter', $Ns)) {
            $value = $p.SelectSingleNode('command:parameterValue', $Ns)
            Format-SyntaxParameter $p.SelectSingleNode('maml:name', $Ns).InnerText $(if ($value) { $value.InnerText } else { 'switch' }) ($p.GetAttribute('required') -eq 'true') $p.GetAttribute('position')
        }
    }
}

Describe 'The laid-out module' {
    It 'is the folder out/GuestbookLab with its manifest' {
        Split-Path $moduleBase -Leaf | Should -Be 'GuestbookLab'
        Test-ModuleManifest $ModuleManifest | Should -Not -BeNullOrEmpty
    }

    It 'targets PowerShell 7.6+ Core, no older PowerShell than the tests run on' {
        # PowerShell 7.4 and 7.5 are not served by the package registries these tests can use, so the manifest
        # promises what is tested: the pinned PowerShell tool (.config/dotnet-tools.json).
        $data = Import-PowerShellDataFile $ModuleManifest
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PowerShellVersion | Should -Be '7.6'
        $PSVersionTable.PSVersion | Should -BeGreaterOrEqual ([version] $data.PowerShellVersion)
        $tool = [version] (Get-Content -Raw (Join-Path $PSScriptRoot '../../.config/dotnet-tools.json') | ConvertFrom-Json).tools.powershell.version
        "$($tool.Major).$($tool.Minor)" | Should -Be $data.PowerShellVersion -Because 'the manifest promises the PowerShell the tests run on'
        $data.RootModule | Should -Be 'GuestbookLab.dll'
    }

    It 'has the version of its assemblies (one version source)' {
        $assembly = [Reflection.AssemblyName]::GetAssemblyName((Join-Path $moduleBase 'GuestbookLab.dll')).Version
        $module.Version | Should -Be ([version]::new($assembly.Major, $assembly.Minor, $assembly.Build))
    }

    It 'does not ship System.Management.Automation.dll' {
        Get-ChildItem $moduleBase -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }

    It 'keeps third-party libraries out of the module root (they load in GuestbookLab''s own load context)' {
        Get-ChildItem $moduleBase -Filter 'YamlDotNet.dll' | Should -BeNullOrEmpty
        Join-Path $moduleBase 'Dependencies/YamlDotNet.dll' | Should -Exist
        Join-Path $moduleBase 'Dependencies/GuestbookLab.Engine.dll' | Should -Exist
    }

    It 'has pipeline types that depend on nothing but .NET' {
        foreach ($name in 'GuestbookLab.Model', 'GuestbookLab.Mesh') {
            $assembly = [Reflection.Assembly]::LoadFile((Join-Path $moduleBase "$name.dll"))
            $references = $assembly.GetReferencedAssemblies().Name | Where-Object { $_ -notmatch '^(System(\..*)?|netstandard|mscorlib|GuestbookLab\.Model)$' }
            $references | Should -BeNullOrEmpty -Because "$name flows through the pipeline"
        }
    }

    It 'exports exactly the cmdlets it implements' {
        $implemented = [Reflection.Assembly]::LoadFile((Join-Path $moduleBase 'GuestbookLab.dll')).GetExportedTypes() |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false); if ($a) { "$($a[0].VerbName)-$($a[0].NounName)" } }
        $exported = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport
        ($exported | Sort-Object) | Should -Be ($implemented | Sort-Object)
        ((Get-Command -Module GuestbookLab).Name | Sort-Object) | Should -Be ($implemented | Sort-Object)
    }
}

Describe 'Cmdlet <Name>' -ForEach ($cmdlets | ForEach-Object { @{ Name = $_.Name } }) {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $command.Verb
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name"
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter it has, and no other' {
        # -WhatIf and -Confirm are documented with the cmdlet's own parameters; the others are <CommonParameters>.
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $actual = $command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        $documented = @($help.parameters.parameter | ForEach-Object name) | Sort-Object
        $documented | Should -Be $actual
        foreach ($p in $help.parameters.parameter) {
            ($p.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
    }

    It 'gives each parameter''s position as the cmdlet declares it' {
        foreach ($p in $help.parameters.parameter) {
            $declared = @($command.Parameters[$p.name].ParameterSets.Values | Where-Object Position -GE 0 | ForEach-Object Position)
            $p.position | Should -Be $(if ($declared.Count) { "$($declared[0])" } else { 'named' }) -Because "-$($p.name)"
        }
    }

    It 'has in its help the syntax Get-Command shows: every parameter set, each parameter''s name, type, mandatory, position, switch or value' {
        $help = Get-MamlCommand $command
        $items = @($help.Node.SelectNodes('command:syntax/command:syntaxItem', $help.Ns))
        $sets = @($command.ParameterSets)
        $items.Count | Should -Be $sets.Count -Because 'the help has one syntax item per parameter set'
        for ($i = 0; $i -lt $sets.Count; $i++) {
            $items[$i].SelectSingleNode('maml:name', $help.Ns).InnerText | Should -Be $Name
            @(Get-MamlSyntax $items[$i] $help.Ns) | Should -Be @(Get-CommandSyntax $sets[$i]) -Because "syntax item $($i + 1) is the parameter set $($sets[$i].Name)"
        }
    }

    It 'renders that syntax in Get-Help, parameter for parameter, with no generic type names' {
        $rendered = (Get-Help $Name).syntax | Out-String -Width 4096
        $rendered | Should -Not -Match '`\d|Nullable'
        $helpLines = @($rendered -split '\r?\n' | Where-Object { $_ -match "^\s*$Name\s" })
        $commandLines = @((Get-Command $Name -Syntax) -split '\r?\n' | Where-Object { $_ -match "^$Name\s" })
        $names = { param($line) @([regex]::Matches($line, '(?:^|[\s\[])-(\w+)') | ForEach-Object { $_.Groups[1].Value }) -join ' ' }
        @($helpLines | ForEach-Object { & $names $_ }) | Should -Be @($commandLines | ForEach-Object { & $names $_ })
    }

    It 'describes each parameter with its real type, and marks as taking wildcards exactly those with [SupportsWildcards]' {
        $help = Get-MamlCommand $command
        foreach ($node in $help.Node.SelectNodes('command:parameters/command:parameter', $help.Ns)) {
            $name = $node.SelectSingleNode('maml:name', $help.Ns).InnerText
            $parameter = $command.Parameters[$name]
            $wildcards = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $node.GetAttribute('globbing') | Should -Be "$wildcards".ToLowerInvariant() -Because "-$name"
            $node.GetAttribute('required') | Should -Be "$(@($parameter.ParameterSets.Values.IsMandatory) -contains $true)".ToLowerInvariant() -Because "-$name"
            $value = $node.SelectSingleNode('command:parameterValue', $help.Ns)
            $(if ($value) { $value.InnerText } else { 'switch' }) | Should -Be (Get-ShownType $parameter.ParameterType) -Because "-$name"
            $type = [Nullable]::GetUnderlyingType($parameter.ParameterType) ?? $parameter.ParameterType
            $node.SelectSingleNode('dev:type/maml:name', $help.Ns).InnerText | Should -Be $type.FullName -Because "-$name"
        }
    }

    It 'has at least one example' {
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }
}

Describe 'Help example <Number> of <Cmdlet>' -ForEach $examples {
    It 'runs without error' {
        Push-Location TestDrive:/
        try {
            $ErrorActionPreference = 'Stop'
            $null = Invoke-Expression $Code
        } finally {
            Pop-Location
        }
    }
}

Describe 'The help generator' {
    BeforeAll {
        # Its text functions, taken from the script itself (running it would generate the module's help).
        $generator = Join-Path $PSScriptRoot '../../src/Build/New-LabHelp.ps1'
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($generator, [ref] $null, [ref] $null)
        foreach ($function in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false)) {
            if ($function.Name -in 'Get-Paragraphs', 'Get-ExampleParagraphs') { . ([scriptblock]::Create($function.Extent.Text)) }
        }
    }

    It 'keeps every paragraph of an example''s text, not only the first' {
        [xml] $doc = "<example><code>Get-Thing</code><para>First paragraph,`n    on two lines.</para>`n<para>Second.`n`nThird.</para>`n<remarks>Fourth.</remarks></example>"
        $paragraphs = Get-ExampleParagraphs $doc.example
        $paragraphs | Should -Be @('First paragraph, on two lines.', 'Second.', 'Third.', 'Fourth.')
    }
}

Describe 'Conceptual help' {
    It 'has an about topic' {
        $about = Get-Help about_GuestbookLab
        ($about | Out-String) | Should -Match 'Test-MeshRequest says what Istio would do'
    }
}

Describe 'Default display' {
    It 'shows a step''s mixed kinds as one kubectl-style table' {
        $text = @(Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } -Gateways gw -Hosts '*'; New-MeshGateway gw) |
            Out-String -Width 250
        ([regex]::Matches($text, '(?m)^KIND\s+NAME\s+NAMESPACE\s+HOSTS\s+DETAILS')).Count | Should -Be 1
        $text | Should -Match '(?m)^DestinationRule\s+ui\s+ui\s+subsets v1,v2'
        $text | Should -Match '(?m)^VirtualService\s+ui\s+\*\s+gateways gw; routes ui/v1 20% \+ ui/v2 80%'
        $text | Should -Match '(?m)^Gateway\s+gw\s+\*\s+selector istio=ingressgateway; ports 80/HTTP'
        $text | Should -Not -Match 'Spec\s+:'
    }

    It 'shows the set-up''s objects in the same table, a Secret without its values' {
        $token = ConvertTo-SecureString 'DISPLAY-TOKEN' -AsPlainText -Force
        $text = @(New-LabCluster -Name a.k8s.local -StateStore s3://lab-state -Zones us-east-1a; New-LabRegistrySecret -Server https://r.example -Password $token) | Out-String -Width 250
        $text | Should -Match '(?m)^Cluster\s+a\.k8s\.local\s+kops v1\.26\.6; state s3://lab-state; zones us-east-1a; networking flannel'
        $text | Should -Match '(?m)^InstanceGroup\s+nodes-us-east-1a\s+Node 4x t2\.large in us-east-1a; root 20 GiB'
        $text | Should -Match '(?m)^Secret\s+ecr-secret\s+kubernetes\.io/dockerconfigjson; data \.dockerconfigjson'
        $text | Should -Not -Match 'DISPLAY-TOKEN'
    }

    It 'shows validation issues as a table' {
        $text = New-MeshVirtualService -Name x -Hosts x | Test-MeshResource | Out-String -Width 250
        $text | Should -Match 'SEVERITY\s+RESOURCE\s+FIELD\s+ERRORID\s+MESSAGE'
        $text | Should -Match 'Error\s+VirtualService x\s+spec\s+MissingRoutes'
    }
}
