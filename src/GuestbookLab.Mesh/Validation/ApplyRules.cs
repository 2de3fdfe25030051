using System.Collections.Generic;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>What keeps an object from being applied to a target or written as a manifest.</summary>
public static class ApplyRules
{
    /// <summary>The errors of an object that is to be applied: it needs a name, and every rule of its kind must hold.</summary>
    public static IReadOnlyList<ValidationIssue> Problems(LabResource resource)
    {
        System.ArgumentNullException.ThrowIfNull(resource);
        var problems = new List<ValidationIssue>();
        if (string.IsNullOrEmpty(resource.Name))
        {
            problems.Add(new ValidationIssue(ErrorIds.InvalidName, IssueSeverity.Error, "metadata.name", null,
                "an object needs a name to be applied (istioctl records an installed IstioOperator as istio-system/installed-state)", "metadata.name") { Resource = resource.DisplayName });
        }

        problems.AddRange(ResourceValidator.Validate(resource).Errors);
        return problems;
    }
}
