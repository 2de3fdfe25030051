using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Gets resources from the connected target, typed for the kinds the module models.</summary>
/// <remarks>
/// -Kind takes the kind as written in manifests (VirtualService), its plural (virtualservices) or its short name (vs).
/// Without -AllNamespaces only the 'default' namespace (or -Namespace) is read; cluster-scoped kinds are always read.
/// -Selector is a label selector, 'app=ui,version=v1'.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// New-MeshGateway -Name guestbook-ui-gateway | Publish-LabResource | Out-Null
/// Get-LabResource -Kind gw</code>
/// <para>The Gateway applied before, read back from the folder.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabResource")]
[OutputType(typeof(LabResource))]
public sealed class GetLabResourceCommand : TargetCmdlet
{
    /// <summary>The kind: VirtualService, virtualservices or vs.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(KindCompleter))]
    public string Kind { get; set; } = null!;

    /// <summary>The name of one object.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string? Name { get; set; }

    /// <summary>The namespace to read ('default' when left out).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Reads every namespace.</summary>
    [Parameter]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>A label selector: 'key=value' pairs separated by commas.</summary>
    [Parameter]
    public string? Selector { get; set; }

    protected override void EndProcessing()
    {
        var selector = ParseSelector(Selector);
        var (_, target) = OpenTarget();
        IReadOnlyList<LabResource> found = [];
        try
        {
            found = target.List(Kind, AllNamespaces ? null : Namespace ?? "default", Name, selector);
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabSession.ToErrorRecord(ex, Kind));
        }

        if (Name is not null && found.Count == 0)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"{Kind} '{Name}' was not found in namespace {Namespace ?? "default"}."), ErrorIds.ResourceNotFound, ErrorCategory.ObjectNotFound, Name));
        }

        WriteObject(found, enumerateCollection: true);
    }
}

/// <summary>Completes kinds: the ones the module knows and the ones stored in the connected folder.</summary>
public sealed class KindCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var stored = LabSession.Current is { } connection ? LabSession.Open(connection).List().Select(r => r.Kind) : [];
        return KindInfo.Known.Concat(stored).Distinct(StringComparer.Ordinal)
            .Where(k => k.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(k => new CompletionResult(k));
    }
}
