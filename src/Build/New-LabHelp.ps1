#Requires -Version 7.6
<#
.SYNOPSIS
    Generates GuestbookLab's MAML help from its one source: the cmdlets' C# XML documentation comments.
.DESCRIPTION
    Imports the laid-out module, reads every exported cmdlet's parameters, sets and output types from the cmdlet
    itself, and its synopsis (summary), description (remarks), parameter descriptions (property summaries) and
    examples (example/code, and every paragraph of the example's para and remarks text) from the XML documentation
    file the compiler wrote. The build fails when a cmdlet or a parameter has no description, or a cmdlet has no
    example, so published help cannot fall behind.

    The syntax is the cmdlet's own, as Get-Command reports it: every parameter set with its parameters (-WhatIf and
    -Confirm included; the other common parameters are <CommonParameters>), whether each is mandatory, its position,
    and its type as Get-Command shows it (a nullable value type as its underlying type: Int32, not Nullable`1).
    A parameter is marked as accepting wildcards when it carries [SupportsWildcards], never because of its name.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $DocumentationXml,
    [Parameter(Mandatory)] [string] $OutputFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModuleManifest -PassThru -Force
[xml] $docs = Get-Content -Raw -LiteralPath $DocumentationXml
$members = @{}
foreach ($member in $docs.doc.members.member) { $members[$member.name] = $member }

# Get-Help writes these as [<CommonParameters>]; -WhatIf and -Confirm (the optional ones) are part of the syntax.
$commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters
$shouldProcessParameters = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
$problems = [System.Collections.Generic.List[string]]::new()

function Get-Paragraphs([System.Xml.XmlNode] $node) {
    if ($null -eq $node) { return @() }
    $text = $node.InnerText -replace '\r', ''
    $lines = $text -split "`n" | ForEach-Object { $_.Trim() }
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $lines) {
        if ($line -eq '') {
            if ($current.Count) { $paragraphs.Add(($current -join ' ')); $current.Clear() }
        } else { $current.Add($line) }
    }
    if ($current.Count) { $paragraphs.Add(($current -join ' ')) }
    , $paragraphs.ToArray()
}

# Every paragraph of an example's text besides its code: each <para> (and text in <remarks> or loose in the example),
# split at blank lines.
function Get-ExampleParagraphs([System.Xml.XmlNode] $node) {
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    foreach ($child in $node.ChildNodes) {
        if ($child.NodeType -eq [System.Xml.XmlNodeType]::Element -and $child.LocalName -eq 'code') { continue }
        if ($child.NodeType -eq [System.Xml.XmlNodeType]::Element -and $child.LocalName -eq 'remarks') {
            foreach ($p in (Get-ExampleParagraphs $child)) { $paragraphs.Add($p) }
            continue
        }
        foreach ($p in (Get-Paragraphs $child)) { $paragraphs.Add($p) }
    }
    , $paragraphs.ToArray()
}

# A parameter's type as Get-Command's syntax shows it: a nullable value type as its underlying type.
function Get-ParameterType([type] $type) {
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { $underlying } else { $type }
}

function Get-DocNode([System.Xml.XmlNode] $node, [string] $name) {
    if ($null -eq $node) { return $null }
    $node.SelectSingleNode($name)
}

function Get-CodeText([System.Xml.XmlNode] $node) {
    $lines = ($node.InnerText -replace '\r', '') -split "`n"
    # The compiler keeps the comment's indentation; remove the common indentation of continuation lines.
    $first = $lines[0].Trim()
    $rest = @($lines | Select-Object -Skip 1 | Where-Object { $_.Trim() -ne '' })
    if ($rest.Count -eq 0) { return $first }
    $indent = ($rest | ForEach-Object { $_.Length - $_.TrimStart().Length } | Measure-Object -Minimum).Minimum
    $base = [Math]::Max(0, $indent - 4)
    (@($first) + ($rest | ForEach-Object { $_.Substring([Math]::Min($base, $_.Length - $_.TrimStart().Length)).TrimEnd() })) -join "`n"
}

function Get-PropertyDoc([System.Reflection.PropertyInfo] $property) {
    $key = "P:$($property.DeclaringType.FullName -replace '`1', '`1').$($property.Name)"
    if ($property.DeclaringType.IsGenericType) {
        $key = "P:$($property.DeclaringType.Namespace).$($property.DeclaringType.Name).$($property.Name)"
    }
    $members[$key]
}

function Format-Default($value) {
    switch ($value) {
        { $null -eq $_ } { return 'None' }
        { $_ -is [System.Collections.IDictionary] } { return '@{' + (($_.GetEnumerator() | ForEach-Object { "$($_.Key)='$($_.Value)'" }) -join '; ') + '}' }
        { $_ -is [array] } { return ($_ | ForEach-Object { "'$_'" }) -join ', ' }
        { $_ -is [System.Management.Automation.SwitchParameter] } { return 'False' }
        { $_ -is [string] } { return $(if ($_ -eq '') { "''" } else { "'$_'" }) }
        default { return "$_" }
    }
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputFile)
$writer = [System.Xml.XmlWriter]::Create($OutputFile, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Write-Para([string[]] $paragraphs) {
    foreach ($p in $paragraphs) { $writer.WriteElementString('maml', 'para', $maml, $p) }
}

function Write-Type([string] $name) {
    $writer.WriteStartElement('dev', 'type', $dev)
    $writer.WriteElementString('maml', 'name', $maml, $name)
    $writer.WriteEndElement()
}

$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')

$cmdlets = Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name
foreach ($cmd in $cmdlets) {
    $type = $cmd.ImplementingType
    $typeDoc = $members["T:$($type.FullName)"]
    $synopsis = Get-Paragraphs (Get-DocNode $typeDoc 'summary')
    $description = Get-Paragraphs (Get-DocNode $typeDoc 'remarks')
    $examples = @(if ($typeDoc) { $typeDoc.SelectNodes('example') })
    if (-not $synopsis) { $problems.Add("$($cmd.Name): no <summary> (synopsis)") }
    if (-not $description) { $problems.Add("$($cmd.Name): no <remarks> (description)") }
    if ($examples.Count -eq 0) { $problems.Add("$($cmd.Name): no <example>") }

    $instance = [Activator]::CreateInstance($type)
    $parameters = $cmd.Parameters.Values | Where-Object { $_.Name -notin $commonParameters }

    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'command', $null, $command)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)

    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('command', 'name', $command, $cmd.Name)
    $writer.WriteElementString('command', 'verb', $command, $cmd.Verb)
    $writer.WriteElementString('command', 'noun', $command, $cmd.Noun)
    $writer.WriteStartElement('maml', 'description', $maml); Write-Para $synopsis; $writer.WriteEndElement()
    $writer.WriteEndElement()

    $writer.WriteStartElement('maml', 'description', $maml); Write-Para $description; $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('maml', 'name', $maml, $cmd.Name)
        # In Get-Command's order: positional parameters by position, then the mandatory named ones, then the rest.
        $inSet = @($set.Parameters | Where-Object { $_.Name -notin $commonParameters })
        $ordered = $inSet | Sort-Object -Stable @{ Expression = { if ($_.Position -ge 0) { 0 } elseif ($_.IsMandatory) { 1 } else { 2 } } },
            @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { 0 } } }
        foreach ($p in $ordered) {
            $writer.WriteStartElement('command', 'parameter', $command)
            $writer.WriteAttributeString('required', "$($p.IsMandatory)".ToLowerInvariant())
            $writer.WriteAttributeString('position', $(if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }))
            $writer.WriteElementString('maml', 'name', $maml, $p.Name)
            if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $writer.WriteElementString('command', 'parameterValue', $command, (Get-ParameterType $p.ParameterType).Name)
            }
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($p in $parameters) {
        $property = $type.GetProperty($p.Name)
        if ($shouldProcessParameters.ContainsKey($p.Name)) {
            $doc = @($shouldProcessParameters[$p.Name])
        } else {
            $doc = Get-Paragraphs (Get-DocNode (Get-PropertyDoc $property) 'summary')
            if (-not $doc) { $problems.Add("$($cmd.Name) -$($p.Name): no <summary>") }
        }
        $parameterType = Get-ParameterType $p.ParameterType
        $wildcards = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        $attrs = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $pipeline = @()
        if ($attrs | Where-Object ValueFromPipeline) { $pipeline += 'ByValue' }
        if ($attrs | Where-Object ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
        $positions = @($attrs | Where-Object { $_.Position -ge 0 } | ForEach-Object Position)
        $writer.WriteStartElement('command', 'parameter', $command)
        $writer.WriteAttributeString('required', "$([bool]($attrs | Where-Object Mandatory))".ToLowerInvariant())
        $writer.WriteAttributeString('globbing', "$wildcards".ToLowerInvariant())
        $writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
        $writer.WriteAttributeString('position', $(if ($positions.Count) { "$($positions[0])" } else { 'named' }))
        $writer.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
        $writer.WriteElementString('maml', 'name', $maml, $p.Name)
        $writer.WriteStartElement('maml', 'description', $maml); Write-Para $doc; $writer.WriteEndElement()
        if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
            $writer.WriteElementString('command', 'parameterValue', $command, $parameterType.Name)
        }
        Write-Type $parameterType.FullName
        $default = if ($property) { $property.GetValue($instance) } else { $null }
        $writer.WriteElementString('dev', 'defaultValue', $dev, (Format-Default $default))
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'inputTypes', $command)
    foreach ($p in $parameters | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } }) {
        $writer.WriteStartElement('command', 'inputType', $command)
        Write-Type (Get-ParameterType $p.ParameterType).FullName
        $writer.WriteStartElement('maml', 'description', $maml); Write-Para "-$($p.Name)"; $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'returnValues', $command)
    foreach ($output in $cmd.OutputType) {
        $writer.WriteStartElement('command', 'returnValue', $command)
        Write-Type $output.Name
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'examples', $command)
    $n = 0
    foreach ($example in $examples) {
        $n++
        $writer.WriteStartElement('command', 'example', $command)
        $writer.WriteElementString('maml', 'title', $maml, "-------------------------- Example $n --------------------------")
        $writer.WriteElementString('dev', 'code', $dev, (Get-CodeText $example.SelectSingleNode('code')))
        $writer.WriteStartElement('dev', 'remarks', $dev); Write-Para (Get-ExampleParagraphs $example); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteEndElement()
}

$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()

if ($problems.Count) {
    Remove-Item -LiteralPath $OutputFile
    throw "Help is incomplete; document these in the cmdlets' XML comments:`n  $($problems -join "`n  ")"
}
Write-Host "Help: $($cmdlets.Count) cmdlets documented in $OutputFile"
