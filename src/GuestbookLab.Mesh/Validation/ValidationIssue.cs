using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GuestbookLab.Mesh.Validation;

public enum IssueSeverity
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

    public override string ToString() => Resource is null ? $"{Field}: {Message} [{Rule}]" : $"{Resource} {Field}: {Message} [{Rule}]";
}

/// <summary>The issues found by one validation run.</summary>
public sealed class ValidationResult
{
    private readonly List<ValidationIssue> issues = [];
    private readonly string? resource;

    public ValidationResult()
    {
    }

    /// <summary>A result whose issues name the resource they are about.</summary>
    public ValidationResult(string resource) => this.resource = resource;

    public IReadOnlyList<ValidationIssue> Issues => issues;

    public IEnumerable<ValidationIssue> Errors => issues.Where(i => i.Severity == IssueSeverity.Error);

    public IEnumerable<ValidationIssue> Warnings => issues.Where(i => i.Severity == IssueSeverity.Warning);

    public bool HasErrors => issues.Any(i => i.Severity == IssueSeverity.Error);

    public void Error(string errorId, string field, object? value, string message, string rule) =>
        issues.Add(new ValidationIssue(errorId, IssueSeverity.Error, field, value, message, rule) { Resource = resource });

    public void Warning(string errorId, string field, object? value, string message, string rule) =>
        issues.Add(new ValidationIssue(errorId, IssueSeverity.Warning, field, value, message, rule) { Resource = resource });

    public static string Show(object? value) => value switch
    {
        null => "(none)",
        string s => $"'{s}'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => string.Format(CultureInfo.InvariantCulture, "{0}", value),
    };
}
