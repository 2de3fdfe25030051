using System;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// The rules by which Go's net/url.Parse refuses a URL, and the scheme it reads, for validation that Istio does with it
/// (a WasmPlugin's url): control characters, a missing scheme before ':', a colon in a relative URL's first segment, a
/// bad port, characters a host cannot hold and malformed percent escapes.
/// </summary>
public static class GoUrl
{
    /// <summary>The scheme as url.Parse reads it (lower case), or "" when the URL has none.</summary>
    public static string Scheme(string url)
    {
        var (scheme, _) = SplitScheme(url.Split('#', 2)[0]);
        return scheme?.ToLowerInvariant() ?? string.Empty;
    }

    /// <summary>Why url.Parse refuses <paramref name="url"/>, or null when it parses.</summary>
    public static string? Problem(string url)
    {
        foreach (var c in url)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return "it holds a control character";
            }
        }

        var parts = url.Split('#', 2);
        if (parts.Length == 2 && Unescape(parts[1], host: false) is { } fragment)
        {
            return fragment;
        }

        var raw = parts[0];
        if (raw == "*")
        {
            return null;
        }

        var (scheme, rest) = SplitScheme(raw);
        if (rest is null)
        {
            return "it has no scheme before ':'";
        }

        rest = rest.Split('?', 2)[0];
        if (!rest.StartsWith('/'))
        {
            if (scheme is not null)
            {
                // An opaque URL (mailto:x, or oci-like host:port/path read as a scheme): nothing more is checked.
                return null;
            }

            if (rest.Split('/', 2)[0].Contains(':', StringComparison.Ordinal))
            {
                return "a relative URL's first path segment cannot contain a colon";
            }
        }

        if (rest.StartsWith("//", StringComparison.Ordinal) && (scheme is not null || !rest.StartsWith("///", StringComparison.Ordinal)))
        {
            var authority = rest[2..];
            var slash = authority.IndexOf('/', StringComparison.Ordinal);
            var path = slash >= 0 ? authority[slash..] : string.Empty;
            authority = slash >= 0 ? authority[..slash] : authority;
            if (Authority(authority) is { } problem)
            {
                return problem;
            }

            rest = path;
        }

        return Unescape(rest, host: false);
    }

    // getScheme: letters, then letters, digits, '+', '-' or '.', then ':'. (null, null): ':' first, which Go refuses.
    private static (string? Scheme, string? Remainder) SplitScheme(string raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return (null, raw);
                }

                continue;
            }

            if (c == ':')
            {
                return i == 0 ? (null, null) : (raw[..i], raw[(i + 1)..]);
            }

            return (null, raw);
        }

        return (null, raw);
    }

    // parseAuthority and parseHost: user info before the last '@', then a host ([IPv6] or name) and an optional numeric port.
    private static string? Authority(string authority)
    {
        var at = authority.LastIndexOf('@');
        var host = at >= 0 ? authority[(at + 1)..] : authority;
        if (at >= 0 && Unescape(authority[..at], host: false) is { } user)
        {
            return user;
        }

        string? port;
        if (host.StartsWith('['))
        {
            var close = host.LastIndexOf(']');
            if (close < 0)
            {
                return "the host has '[' without ']'";
            }

            port = host[(close + 1)..];
            if (port.Length > 0 && !port.StartsWith(':'))
            {
                return "the host has characters after ']' that are not a port";
            }

            host = host[1..close];
        }
        else
        {
            var colon = host.LastIndexOf(':');
            port = colon >= 0 ? host[colon..] : string.Empty;
            host = colon >= 0 ? host[..colon] : host;
        }

        if (port.Length > 1 && port.AsSpan(1).ContainsAnyExceptInRange('0', '9'))
        {
            return $"the port '{port[1..]}' is not a number";
        }

        return Unescape(host, host: true);
    }

    // unescape: every '%' starts two hex digits; in a host only characters Go allows there, and escapes of bytes >= 0x80 (or %25).
    private static string? Unescape(string text, bool host)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length)
                {
                    return $"'{text[i..]}' is not a percent escape";
                }

                if (!char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return $"'{text.Substring(i, 3)}' is not a percent escape";
                }

                if (host && Convert.ToInt32(text[i + 1].ToString(), 16) < 8 && text.Substring(i, 3) != "%25")
                {
                    return $"the host cannot hold the escape '{text.Substring(i, 3)}'";
                }

                i += 2;
            }
            else if (host && c < 0x80 && !char.IsAsciiLetterOrDigit(c) && "-._~!$&'()*+,;=:[]<>\"".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return $"the host cannot hold '{c}'";
            }
        }

        return null;
    }
}
