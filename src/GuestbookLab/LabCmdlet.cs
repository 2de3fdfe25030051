using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>The error a failed rule becomes: its message names the field or parameter and the value.</summary>
public sealed class MeshValidationException : ArgumentException
{
    public MeshValidationException()
    {
    }

    public MeshValidationException(string message)
        : base(message)
    {
    }

    public MeshValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MeshValidationException(ValidationIssue issue)
        : base(Describe(issue)) => Issue = issue;

    public ValidationIssue? Issue { get; }

    /// <summary>'[Resource ]Field: Message. [Rule]'.</summary>
    private static string Describe(ValidationIssue issue)
    {
        ArgumentNullException.ThrowIfNull(issue);
        var resource = issue.Resource is null ? string.Empty : issue.Resource + " ";
        return $"{resource}{issue.Subject}: {issue.Message}. [{issue.Rule}]";
    }
}

/// <summary>Shared plumbing of GuestbookLab's cmdlets: turning rules into errors, and reading PowerShell input.</summary>
public abstract class LabCmdlet : PSCmdlet
{
    /// <summary>Writes warnings, then stops with the first error (InvalidArgument, the rule's ErrorId).</summary>
    protected void ThrowIfInvalid(ValidationResult result, object? target)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var warning in result.Warnings)
        {
            WriteWarning(warning.ToString());
        }

        var error = result.Errors.FirstOrDefault();
        if (error is not null)
        {
            ThrowTerminatingError(ToErrorRecord(error, target));
        }
    }

    /// <summary>Validates a whole resource; <paramref name="ignore"/> lists ErrorIds of rules the resource may still break while it is being built.</summary>
    protected void ThrowIfInvalid(LabResource resource, params string[] ignore) => ThrowIfNewIssues(resource, [], ignore);

    /// <summary>
    /// Validates a changed resource and reports only the issues that <paramref name="before"/> (the issues of the
    /// resource before the change) did not have: each cmdlet answers for its own change.
    /// </summary>
    protected internal void ThrowIfNewIssues(LabResource resource, IReadOnlyCollection<ValidationIssue> before, params string[] ignore)
    {
        ArgumentNullException.ThrowIfNull(before);
        var known = before.Select(Key).ToHashSet(StringComparer.Ordinal);
        var issues = ResourceValidator.Validate(resource).Issues.Where(i => !ignore.Contains(i.ErrorId) && !known.Contains(Key(i))).ToList();
        foreach (var warning in issues.Where(i => i.Severity == IssueSeverity.Warning))
        {
            WriteWarning(warning.ToString());
        }

        var error = issues.FirstOrDefault(i => i.Severity == IssueSeverity.Error);
        if (error is not null)
        {
            ThrowTerminatingError(ToErrorRecord(error, resource));
        }

        static string Key(ValidationIssue i) => $"{i.ErrorId}|{i.Field}|{i.Message}";
    }

    protected void ThrowInvalid(string errorId, string field, object? value, string message, string rule = "GuestbookLab")
    {
        var result = new ValidationResult();
        result.Error(errorId, field, value, message, rule);
        ThrowIfInvalid(result, value);
    }

    internal static ErrorRecord ToErrorRecord(ValidationIssue issue, object? target) =>
        new(new MeshValidationException(issue), issue.ErrorId, ErrorCategory.InvalidArgument, target);

    /// <summary>A hashtable of labels as strings, keys in the order given (sorted for a plain hashtable, for stable output).</summary>
    internal static Dictionary<string, string>? ToStringMap(IDictionary? table)
    {
        if (table is null)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(table))
        {
            map[key] = ToText(value);
        }

        return map;
    }

    /// <summary>The entries of a dictionary, in the user's order for ordered dictionaries and sorted otherwise.</summary>
    internal static IEnumerable<(string Key, object? Value)> Entries(IDictionary table)
    {
        var entries = table.Cast<DictionaryEntry>().Select(e => (Key: ToText(e.Key), e.Value));
        return table is Hashtable ? entries.OrderBy(e => e.Key, StringComparer.Ordinal) : entries;
    }

    internal static string ToText(object? value) => value switch
    {
        null => string.Empty,
        PSObject ps => ToText(ps.BaseObject),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    internal static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;
}

/// <summary>
/// How GuestbookLab's modifying cmdlets treat their pipeline: each object of the kind they handle is copied,
/// changed and validated (reporting only the issues the change introduced); other objects pass through unchanged, so
/// a step's objects can flow through a chain together; and no object of the kind at all is an error.
/// </summary>
internal sealed class PipelineModifier<T>
    where T : LabResource
{
    private bool sawApplicable;

    public void Process(LabCmdlet cmdlet, LabResource input, Action<T> modify)
    {
        if (input is not T resource)
        {
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {input.DisplayName} passes through unchanged (it is not a {typeof(T).Name}).");
            cmdlet.WriteObject(input);
            return;
        }

        sawApplicable = true;
        var before = ResourceValidator.Validate(resource).Issues;
        var copy = ApiObjectMapper.Clone(resource);
        modify(copy);
        cmdlet.ThrowIfNewIssues(copy, before, ErrorIds.MissingRoutes);
        cmdlet.WriteObject(copy);
    }

    public void End(LabCmdlet cmdlet)
    {
        if (!sawApplicable)
        {
            cmdlet.WriteError(new ErrorRecord(
                new ArgumentException($"{cmdlet.MyInvocation.MyCommand.Name} received no {typeof(T).Name}: pipe one in, e.g. from New-Mesh{typeof(T).Name}."),
                ErrorIds.NoApplicableInput,
                ErrorCategory.InvalidArgument,
                null));
        }
    }
}

/// <summary>Base of the cmdlets that change one kind of resource from the pipeline (see <see cref="PipelineModifier{T}"/>).</summary>
public abstract class ModifyResourceCmdlet<T> : LabCmdlet
    where T : LabResource
{
    private readonly PipelineModifier<T> modifier = new();

    /// <summary>The resource to change; objects of other kinds pass through unchanged.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public LabResource InputObject { get; set; } = null!;

    /// <summary>Validates the parameters once, before any input is changed.</summary>
    protected virtual void ValidateParameters(ValidationResult result)
    {
    }

    /// <summary>Changes the copy of one resource.</summary>
    protected abstract void Modify(T resource);

    protected override void BeginProcessing()
    {
        var result = new ValidationResult();
        ValidateParameters(result);
        ThrowIfInvalid(result, null);
    }

    protected override void ProcessRecord() => modifier.Process(this, InputObject, Modify);

    protected override void EndProcessing() => modifier.End(this);
}
