using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace GuestbookLab.Model;

/// <summary>
/// An object's name or namespace that cannot go into an API server's URL path as it is (a '/', '..', '%', '?', NUL,
/// or outside the kind's naming rule): nothing is sent. <see cref="Field"/> is metadata.name or metadata.namespace.
/// </summary>
public sealed class UnsafeObjectNameException : IOException
{
    public UnsafeObjectNameException()
    {
    }

    public UnsafeObjectNameException(string message)
        : base(message)
    {
    }

    public UnsafeObjectNameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnsafeObjectNameException(string message, string field)
        : base(message) => Field = field;

    /// <summary>metadata.name or metadata.namespace.</summary>
    public string? Field { get; }
}

/// <summary>
/// Kubernetes' naming rules, checked before a name or namespace becomes part of an API URL path
/// (/api/v1/namespaces/NS/configmaps/NAME): namespaces are DNS-1123 labels; names are DNS-1123 subdomains, except
/// the RBAC kinds', which are path segments (anything but '/', '%', '.' and '..', as the API server's
/// ValidatePathSegmentName allows, e.g. system:controller:x). A name used only to look an object up is held at least to
/// the path-segment rule, with no control characters, '?' or '#', so it can never address another path.
/// </summary>
public static partial class ApiNames
{
    private static readonly string[] PathSegmentKinds = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

    /// <summary>
    /// Why <paramref name="name"/> and <paramref name="ns"/> cannot address an object of <paramref name="kind"/>, or
    /// null. With <paramref name="strict"/> false (a look-up by a kind name that may be a short name) only the
    /// path-segment rule applies to the name.
    /// </summary>
    public static (string Field, string Message)? Problem(string? kind, string? ns, string? name, bool strict = true)
    {
        if (ns is not null && (ns.Length is 0 or > 63 || !LabelPattern().IsMatch(ns)))
        {
            return ("metadata.namespace", $"the namespace {Show(ns)} of {kind} {Show(name)} is not a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)");
        }

        if (name is null)
        {
            return null;
        }

        if (name.Length == 0)
        {
            return ("metadata.name", $"the {kind} has no name (metadata.name is empty)");
        }

        if (name is "." or ".." || name.Length > 253 || name.Any(c => c is '/' or '%' or '?' or '#' or '\\' || char.IsControl(c)))
        {
            return ("metadata.name", $"the name {Show(name)} of {kind} cannot be a Kubernetes name: it may not be '.' or '..', have '/', '%', '?', '#', '\\' or control characters, or be longer than 253");
        }

        var pathSegment = !strict || PathSegmentKinds.Contains(kind, StringComparer.Ordinal);
        if (!pathSegment && !SubdomainPattern().IsMatch(name))
        {
            return ("metadata.name", $"the name {Show(name)} of {kind} is not a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)");
        }

        return null;
    }

    /// <summary>Throws <see cref="UnsafeObjectNameException"/> when <see cref="Problem"/> finds one; nothing is sent.</summary>
    public static void Check(string? kind, string? ns, string? name, string server, bool strict = true)
    {
        if (Problem(kind, ns, name, strict) is { } problem)
        {
            throw new UnsafeObjectNameException($"{problem.Field}: {problem.Message}; nothing is sent to {server}.", problem.Field);
        }
    }

    private static string Show(string? value) =>
        value is null ? "(none)" : $"'{ControlPattern().Replace(value.Length > 300 ? value[..300] + "..." : value, m => $"\\u{(int)m.Value[0]:X4}")}'";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"[\x00-\x1F\x7F-\x9F]")]
    private static partial Regex ControlPattern();
}
