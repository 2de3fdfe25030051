using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using GuestbookLab.Mesh.Validation;

namespace GuestbookLab.Commands;

/// <summary>Tab completion from a fixed list of values.</summary>
public abstract class ListCompleter : IArgumentCompleter
{
    protected abstract IEnumerable<string> Values { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Values.Where(v => v.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase)).Select(v => new CompletionResult(v));
}

public sealed class ProtocolCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => Rules.Protocols;
}

public sealed class MtlsModeCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => SecurityRules.MtlsModes;
}

public sealed class ActionCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => SecurityRules.Actions;
}

public sealed class ProfileCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => InstallRules.Profiles;
}

public sealed class OutboundModeCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => InstallRules.OutboundModes;
}

public sealed class LocationCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => ["MESH_EXTERNAL", "MESH_INTERNAL"];
}

public sealed class ResolutionCompleter : ListCompleter
{
    protected override IEnumerable<string> Values => ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"];
}
