using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>Which file each object goes to when manifests are exported, and why a layout cannot be written.</summary>
public sealed record ManifestPlan(IReadOnlyList<(string File, IReadOnlyList<LabResource> Content)> Files, ValidationResult Problems);

/// <summary>
/// Export-LabManifest's layout, decided before anything is written: a target ending in .yaml or .yml receives every
/// object; with a step, the folder's STEP.yaml does; otherwise one file per object, [NAMESPACE/]KIND-NAME.yaml, whose
/// kind, namespace and name must be plain Kubernetes names (<see cref="ObjectFiles"/>): a layout that would write
/// outside the folder is refused whole (UnsafeObjectPath) before anything is written.
/// </summary>
public static class ManifestLayout
{
    public static ManifestPlan Plan(IReadOnlyList<LabResource> resources, string target, string? step)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(target);
        var problems = new ValidationResult();
        var isFile = target.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || target.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        if (step is not null && isFile)
        {
            problems.Error(ErrorIds.InvalidName, "-Step", step, "-Step writes into a folder: give a folder as -Path", "GuestbookLab");
        }
        else if (step is not null && (step.Length == 0 || step.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || step.Contains('/', StringComparison.Ordinal) || step.Contains('\\', StringComparison.Ordinal) || step.Contains(':', StringComparison.Ordinal) || step is "." or ".." || ObjectFiles.IsWindowsDeviceName(step)))
        {
            problems.Error(ErrorIds.InvalidName, "-Step", step, "a step name must be a plain file name", "GuestbookLab");
        }

        if (problems.HasErrors)
        {
            return new ManifestPlan([], problems);
        }

        if (isFile)
        {
            return new ManifestPlan([(target, resources)], problems);
        }

        if (step is not null)
        {
            return new ManifestPlan([(ObjectFiles.Below(target, step + ".yaml"), resources)], problems);
        }

        var files = new List<(string File, IReadOnlyList<LabResource> Content)>();
        foreach (var resource in resources)
        {
            // The kind, namespace and name become a path: each is checked first, and the path is checked to be in the folder.
            string file;
            try
            {
                file = ObjectFiles.Problem(resource.Kind, resource.Namespace, resource.Name) is { } problem
                    ? throw new UnsafeObjectPathException($"{problem}: nothing is written")
                    : resource.Namespace is null
                        ? ObjectFiles.Below(target, $"{resource.Kind.ToLowerInvariant()}-{resource.Name}.yaml")
                        : ObjectFiles.Below(target, resource.Namespace, $"{resource.Kind.ToLowerInvariant()}-{resource.Name}.yaml");
            }
            catch (UnsafeObjectPathException ex)
            {
                problems.Error(ErrorIds.UnsafeObjectPath, "InputObject", resource.DisplayName, ex.Message, "GuestbookLab");
                return new ManifestPlan([], problems);
            }

            if (files.Any(f => f.File == file))
            {
                problems.Error(ErrorIds.DuplicateResource, "InputObject", resource.DisplayName, $"two objects would be written to {file}: {resource.DisplayName} is in the input twice", "GuestbookLab");
                return new ManifestPlan([], problems);
            }

            files.Add((file, [resource]));
        }

        return new ManifestPlan(files, problems);
    }
}
