using System.Management.Automation;

namespace FloorModule;

/// <summary>The one output type.</summary>
public sealed class FloorThing
{
    public string Name { get; set; } = string.Empty;
}

/// <summary>Makes an object, as New-MeshGateway does (without the building or validation).</summary>
[Cmdlet(VerbsCommon.New, "FloorThing")]
[OutputType(typeof(FloorThing))]
public sealed class NewFloorThingCommand : PSCmdlet
{
    [Parameter(Mandatory = true)]
    public string Name { get; set; } = string.Empty;

    protected override void ProcessRecord() => WriteObject(new FloorThing { Name = Name });
}

/// <summary>Writes an object from the pipeline as text, as ConvertTo-LabYaml does (without the YAML).</summary>
[Cmdlet(VerbsData.ConvertTo, "FloorText")]
[OutputType(typeof(string))]
public sealed class ConvertToFloorTextCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public FloorThing? InputObject { get; set; }

    protected override void ProcessRecord() => WriteObject($"name: {InputObject?.Name}\n");
}
