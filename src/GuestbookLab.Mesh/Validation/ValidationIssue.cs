using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GuestbookLab.Mesh.Validation;

// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum IssueSeverity : long
{
    Error,
    Warning,
}

/// <summary>
/// One broken (Error) or surprising (Warning) rule. <see cref="Field"/> is the API path
/// (<c>spec.http[0].fault.abort.httpStatus</c>) or, for cmdlet input, the parameter (<c>-Abort</c>).
/// </summary>
public sealed record ValidationIssue(string ErrorId, IssueSeverity Severity, string Field, object? Value, string Message, string Rule)
{
    /// <summary>The resource the issue is about (<c>Kind namespace/name</c>), when a whole resource was validated.</summary>
    public string? Resource { get; init; }

    /// <summary>
    /// The cmdlet parameter(s) the checked field came from (<c>-Weight[v1]</c>), when the issue was found by a builder
    /// whose <see cref="ParameterMap"/> knows them; null for issues about a resource's own fields.
    /// </summary>
    public string? Parameter { get; init; }

    /// <summary>Where the field is in the manifest the resource was read from (file or URL, and line), when it came from one.</summary>
    public GuestbookLab.Model.ManifestSource? Source { get; init; }

    /// <summary>What the user is told the issue is about: the parameter when known, else the field.</summary>
    public string Subject => Parameter ?? Field;

    public override string ToString() => (Resource, Source) switch
    {
        (null, _) => $"{Subject}: {Message} [{Rule}]",
        (_, null) => $"{Resource} {Subject}: {Message} [{Rule}]",
        _ => $"{Resource} ({Source}) {Subject}: {Message} [{Rule}]",
    };
}

/// <summary>The issues found by one validation run.</summary>
public sealed class ValidationResult
{
    private readonly List<ValidationIssue> issues = [];
    private readonly string? resource;
    private readonly ParameterMap? parameters;

    public ValidationResult()
    {
    }

    /// <summary>A result whose issues name the resource they are about.</summary>
    public ValidationResult(string resource) => this.resource = resource;

    /// <summary>A result whose issues also name the parameter each checked field came from.</summary>
    public ValidationResult(ParameterMap parameters) => this.parameters = parameters;

    public IReadOnlyList<ValidationIssue> Issues => issues;

    public IEnumerable<ValidationIssue> Errors => issues.Where(i => i.Severity == IssueSeverity.Error);

    public IEnumerable<ValidationIssue> Warnings => issues.Where(i => i.Severity == IssueSeverity.Warning);

    public bool HasErrors => issues.Any(i => i.Severity == IssueSeverity.Error);

    public void Error(string errorId, string field, object? value, string message, string rule) =>
        issues.Add(new ValidationIssue(errorId, IssueSeverity.Error, field, value, message, rule) { Resource = resource, Parameter = parameters?.Of(field) });

    public void Warning(string errorId, string field, object? value, string message, string rule) =>
        issues.Add(new ValidationIssue(errorId, IssueSeverity.Warning, field, value, message, rule) { Resource = resource, Parameter = parameters?.Of(field) });

    /// <summary>Adds the issues of another run (keeping their fields and parameters).</summary>
    public void AddRange(IEnumerable<ValidationIssue> more) => issues.AddRange(more);

    public static string Show(object? value) => value switch
    {
        null => "(none)",
        string s => $"'{s}'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => string.Format(CultureInfo.InvariantCulture, "{0}", value),
    };
}
