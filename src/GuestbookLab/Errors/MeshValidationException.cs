using System;
using GuestbookLab.Mesh.Validation;

// In the module's root namespace, where scripts catch it: [GuestbookLab.MeshValidationException].
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
