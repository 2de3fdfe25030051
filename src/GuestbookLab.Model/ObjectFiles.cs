using System;
using System.IO;
using System.Text.RegularExpressions;

namespace GuestbookLab.Model;

/// <summary>
/// An object's name, namespace or kind that cannot be a file or folder name inside the folder it is written to
/// (<c>../</c>, a path separator, an absolute path, NUL, a Windows device name such as <c>CON</c>): nothing is
/// written or removed.
/// </summary>
public sealed class UnsafeObjectPathException : IOException
{
    public UnsafeObjectPathException()
    {
    }

    public UnsafeObjectPathException(string message)
        : base(message)
    {
    }

    public UnsafeObjectPathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The one rule for turning an object into a path below a folder (Export-LabManifest's one file per object, the
/// directory target's NAMESPACE/kind-name.yaml): the parts are checked before a path is built, and the path built is
/// checked to be inside the folder. Kubernetes names are DNS-1123 subdomains (lower-case letters, digits, '-' and
/// '.', at most 253), namespaces DNS-1123 labels (no '.', at most 63) and kinds identifiers, so a part outside those
/// rules is refused rather than escaped; a namespace that is a Windows device name (con, nul, com1, ...) is refused
/// on every system, so a folder written here can be checked out on Windows.
/// </summary>
public static partial class ObjectFiles
{
    /// <summary>Why the object's kind, namespace and name cannot name a file, or null when they can.</summary>
    public static string? Problem(string? kind, string? ns, string? name)
    {
        if (string.IsNullOrEmpty(kind) || kind.Length > 63 || !KindPattern().IsMatch(kind))
        {
            return $"the kind {Show(kind)} is not a Kubernetes kind (letters and digits, starting with a letter)";
        }

        // An IstioOperator may have no name (istioctl install -f names it); its file is then istiooperator-.yaml.
        if (name is { Length: > 0 } && (name.Length > 253 || !SubdomainPattern().IsMatch(name)))
        {
            return $"the name {Show(name)} of {kind} is not a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)";
        }

        if (ns is not null && (ns.Length > 63 || !LabelPattern().IsMatch(ns)))
        {
            return $"the namespace {Show(ns)} of {kind} {name} is not a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)";
        }

        if (ns is not null && IsWindowsDeviceName(ns))
        {
            return $"the namespace {Show(ns)} of {kind} {name} is a Windows device name, which cannot be a folder";
        }

        return null;
    }

    /// <summary>Whether a file or folder name is one of Windows' device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9), with or without an extension.</summary>
    public static bool IsWindowsDeviceName(string part)
    {
        ArgumentNullException.ThrowIfNull(part);
        var dot = part.IndexOf('.', StringComparison.Ordinal);
        var stem = (dot < 0 ? part : part[..dot]).TrimEnd(' ');
        return DevicePattern().IsMatch(stem);
    }

    /// <summary>
    /// <paramref name="root"/>/<paramref name="parts"/>, after checking that the result is below <paramref name="root"/>;
    /// an <see cref="UnsafeObjectPathException"/> otherwise.
    /// </summary>
    public static string Below(string root, params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(parts);
        var full = Path.GetFullPath(root);
        foreach (var part in parts)
        {
            if (part.Length == 0 || part is "." or ".." || part.IndexOfAny(['/', '\\', '\0', ':']) >= 0 || Path.IsPathRooted(part))
            {
                throw new UnsafeObjectPathException($"'{Printable(part)}' is not a plain file name: nothing is written outside {full}.");
            }
        }

        var path = Path.GetFullPath(Path.Combine([full, .. parts]));
        var relative = Path.GetRelativePath(full, path);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new UnsafeObjectPathException($"{path} is not inside {full}: nothing is written outside it.");
        }

        return path;
    }

    /// <summary>
    /// Refuses (<see cref="UnsafeObjectPathException"/>) a <paramref name="path"/> below <paramref name="root"/> that
    /// goes through a symbolic link (or junction) inside <paramref name="root"/>: a folder or file someone linked there
    /// could point anywhere, so nothing is written, replaced or removed through it. <paramref name="root"/> itself may
    /// be a link: the user named it.
    /// </summary>
    public static void CheckNoLinks(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(root);
        var relative = Path.GetRelativePath(full, Path.GetFullPath(path));
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new UnsafeObjectPathException($"{path} is not inside {full}: nothing is written outside it.");
        }

        var current = full;
        foreach (var part in relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (new FileInfo(current).LinkTarget is { } target)
            {
                throw new UnsafeObjectPathException($"{current} is a symbolic link (to {target}): nothing is written, replaced or removed through a link inside {full}; remove the link, or give a folder without links.");
            }

            if (!Directory.Exists(current))
            {
                return;
            }
        }
    }

    private static string Show(string? value) => value is null ? "(none)" : $"'{Printable(value)}'";

    // Control characters (NUL, escape sequences) are shown as \u escapes (NUL as \u0000), so a message cannot hide or rewrite itself.
    private static string Printable(string value) =>
        ControlPattern().Replace(value.Length > 300 ? value[..300] + "..." : value, m => $"\\u{(int)m.Value[0]:X4}");

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*\z")]
    private static partial Regex KindPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DevicePattern();

    [GeneratedRegex(@"[\x00-\x1F\x7F]")]
    private static partial Regex ControlPattern();
}
