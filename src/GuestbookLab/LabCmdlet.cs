using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab;

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
            ThrowTerminatingError(LabErrors.Invalid(error, target));
        }
    }

    /// <summary>Validates a whole resource; <paramref name="ignore"/> lists ErrorIds of rules the resource may still break while it is being built.</summary>
    protected void ThrowIfInvalid(LabResource resource, params string[] ignore) => ThrowIfNewIssues(resource, [], ignore);

    /// <summary>
    /// Validates a changed resource and reports only the issues that <paramref name="before"/> (the issues of the
    /// resource before the change) did not have: each cmdlet answers for its own change. The first error ends the
    /// command (the resource was built from parameters).
    /// </summary>
    protected internal void ThrowIfNewIssues(LabResource resource, IReadOnlyCollection<ValidationIssue> before, params string[] ignore)
    {
        if (NewErrors(resource, before, ignore).FirstOrDefault() is { } error)
        {
            ThrowTerminatingError(LabErrors.Invalid(error, resource));
        }
    }

    /// <summary>
    /// As <see cref="ThrowIfNewIssues"/>, for a resource from the pipeline: each new error is a non-terminating error
    /// about that object, and the command goes on with the next. False when there was one.
    /// </summary>
    protected internal bool ReportNewIssues(LabResource resource, IReadOnlyCollection<ValidationIssue> before, params string[] ignore)
    {
        var errors = NewErrors(resource, before, ignore);
        foreach (var error in errors)
        {
            WriteError(LabErrors.Invalid(error, resource));
        }

        return errors.Count == 0;
    }

    // Writes the new warnings; returns the new errors.
    private List<ValidationIssue> NewErrors(LabResource resource, IReadOnlyCollection<ValidationIssue> before, string[] ignore)
    {
        ArgumentNullException.ThrowIfNull(before);
        var known = before.Select(Key).ToHashSet(StringComparer.Ordinal);
        var all = ResourceValidator.Check(resource);
        var issues = all.Where(i => !ignore.Contains(i.ErrorId) && !known.Contains(Key(i))).ToList();
        foreach (var warning in issues.Where(i => i.Severity == IssueSeverity.Warning))
        {
            WriteWarning(warning.ToString());
        }

        // The earlier warnings were shown by the cmdlet that caused them; later validations need not repeat any.
        WarningLedger.Record(resource, all);

        return issues.Where(i => i.Severity == IssueSeverity.Error).ToList();

        static string Key(ValidationIssue i) => $"{i.ErrorId}|{i.Field}|{i.Message}";
    }

    protected void ThrowInvalid(string errorId, string field, object? value, string message, string rule = "GuestbookLab")
    {
        var result = new ValidationResult();
        result.Error(errorId, field, value, message, rule);
        ThrowIfInvalid(result, value);
    }

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

    /// <summary>A hashtable, custom object or list as a manifest tree (string keys, mappings, lists, long and double numbers).</summary>
    internal static object? ToTree(object? value)
    {
        switch (Unwrap(value))
        {
            case null:
                return null;
            case IDictionary table:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, item) in Entries(table))
                {
                    map[key] = ToTree(item);
                }

                return map;
            case PSCustomObject when value is PSObject custom:
                return custom.Properties.ToDictionary(p => p.Name, p => ToTree(p.Value), StringComparer.Ordinal);
            case string text:
                return text;
            case IEnumerable list:
                return list.Cast<object?>().Select(ToTree).ToList();
            case int or short or byte or long:
                return Convert.ToInt64(Unwrap(value), CultureInfo.InvariantCulture);
            case float or double or decimal:
                return Convert.ToDouble(Unwrap(value), CultureInfo.InvariantCulture);
            default:
                return Unwrap(value);
        }
    }
}

/// <summary>
/// How GuestbookLab's modifying cmdlets treat their pipeline: each object of the kind they handle is copied,
/// changed and validated (reporting only the issues the change introduced, as non-terminating errors about that
/// object, which is then not emitted); other objects pass through unchanged, so
/// a step's objects can flow through a chain together; and no object of the kind at all is an error.
/// </summary>
internal sealed class PipelineModifier<T>
    where T : LabResource
{
    private bool sawApplicable;

    public void Process(LabCmdlet cmdlet, LabResource input, Action<T> modify) => Process(cmdlet, input, resource =>
    {
        modify(resource);
        return true;
    });

    /// <summary>As above; <paramref name="modify"/> returns false when it rejected the object (its errors already written).</summary>
    public void Process(LabCmdlet cmdlet, LabResource input, Func<T, bool> modify)
    {
        if (input is not T resource)
        {
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {input.DisplayName} passes through unchanged (it is not a {typeof(T).Name}).");
            cmdlet.WriteObject(input);
            return;
        }

        sawApplicable = true;
        var before = ResourceValidator.Check(resource);
        var copy = ApiObjectMapper.Clone(resource);
        if (modify(copy) && cmdlet.ReportNewIssues(copy, before, ErrorIds.MissingRoutes))
        {
            cmdlet.WriteObject(copy);
        }
    }

    public void End(LabCmdlet cmdlet)
    {
        if (!sawApplicable)
        {
            cmdlet.WriteError(LabErrors.Create(ErrorIds.NoApplicableInput, Messages.NoApplicableInput(cmdlet.MyInvocation.MyCommand.Name, typeof(T).Name), null));
        }
    }
}

/// <summary>Base of the cmdlets that change one kind of resource from the pipeline (see <see cref="PipelineModifier{T}"/>).</summary>
public abstract class ModifyResourceCmdlet<T> : LabCmdlet
    where T : LabResource
{
    private readonly PipelineModifier<T> modifier = new();
    private bool rejected;

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

    protected override void ProcessRecord() => modifier.Process(this, InputObject, resource =>
    {
        rejected = false;
        Modify(resource);
        return !rejected;
    });

    /// <summary>
    /// Checks what a modification found about the one object it changes: warnings are written; errors are
    /// non-terminating errors about that object, which is then not emitted (the pipeline goes on). False on an error:
    /// the modification should stop.
    /// </summary>
    protected bool Accept(ValidationResult result, object? target)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var warning in result.Warnings)
        {
            WriteWarning(warning.ToString());
        }

        foreach (var error in result.Errors)
        {
            WriteError(LabErrors.Invalid(error, target));
            rejected = true;
        }

        return !result.HasErrors;
    }

    protected override void EndProcessing() => modifier.End(this);
}
