using System;
using System.Text.RegularExpressions;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Checks that a pattern is valid Go RE2 syntax, which is what Istio and Envoy compile. .NET's engine parses it,
/// then the constructs that RE2 refuses (lookaround, backreferences, atomic groups, possessive quantifiers,
/// conditionals, \Z) are rejected.
/// </summary>
public static partial class Re2Syntax
{
    /// <summary>Null when the pattern is valid RE2, otherwise why it is not.</summary>
    public static string? Check(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Length == 0)
        {
            return "a regex cannot be empty";
        }

        if (pattern.Length > 1024)
        {
            return $"a regex can be at most 1024 characters, this one has {pattern.Length}";
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            return $"it does not compile: {ex.Message}";
        }

        var unsupported = Unsupported().Match(pattern);
        return unsupported.Success
            ? $"'{unsupported.Value}' is not supported by RE2 (no lookaround, backreferences, atomic groups, possessive quantifiers or conditionals)"
            : null;
    }

    // Skips escaped characters and character classes, then looks for constructs RE2 lacks.
    [GeneratedRegex(@"(?<!\\)(?:\\\\)*(?:\(\?(?:[=!>]|<[=!]|\()|\\[1-9]|\\k<|\\Z|[*+?}]\+)")]
    private static partial Regex Unsupported();
}
