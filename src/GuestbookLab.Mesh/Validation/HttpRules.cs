using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// Istio 1.17's rules for the HTTP parts the model keeps as untyped fields (a route's and a destination's
/// <c>headers</c>, <c>corsPolicy</c>, a direct response's <c>body</c>), and the header name and value rules shared
/// with RequestAuthentication's claim-to-header outputs.
/// </summary>
internal static class HttpRules
{
    private static readonly string[] MatchKinds = ["exact", "prefix", "regex"];

    private static readonly string[] Directions = ["request", "response"];

    private static readonly string[] Operations = ["add", "set"];

    private static readonly string[] AuthorityOperations = ["set", "add"];

    private static readonly string[] CorsHeaderLists = ["allowHeaders", "exposeHeaders"];

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"];

    /// <summary>How a header operation's name is checked: on a route, on one destination, or (remove / response) anywhere.</summary>
    private enum HeaderUse
    {
        RouteRequestSet,
        DestinationRequestSet,
        RemoveOrResponse,
    }

    /// <summary>validateHTTPRoute's and validateHTTPRouteDestinations' header manipulation (<c>headers.request/response.add/set/remove</c>).</summary>
    public static void HeaderOperations(ValidationResult result, string field, ApiObject owner, bool destination)
    {
        if (Tree.Map(owner.AdditionalFields, "headers") is not { } headers)
        {
            return;
        }

        foreach (var direction in Directions)
        {
            var operations = Tree.Map(headers, direction);
            foreach (var op in Operations)
            {
                foreach (var (name, value) in Pairs(Tree.Map(operations, op)))
                {
                    var use = direction == "response" ? HeaderUse.RemoveOrResponse : destination ? HeaderUse.DestinationRequestSet : HeaderUse.RouteRequestSet;
                    OperationName(result, $"{field}.headers.{direction}.{op}", name, use);
                    HeaderValue(result, $"{field}.headers.{direction}.{op}.{name}", value, "validateHTTPRoute");
                }
            }

            foreach (var name in Strings(operations, "remove"))
            {
                OperationName(result, $"{field}.headers.{direction}.remove", name, HeaderUse.RemoveOrResponse);
            }
        }
    }

    /// <summary>validateAuthorityRewrite: the authority is rewritten in one place only (rewrite.authority, or one :authority/host header).</summary>
    public static void AuthorityRewrite(ValidationResult result, string field, HttpRoute route)
    {
        var current = route.Rewrite?.Authority ?? string.Empty;
        if (Tree.Map(Tree.Map(route.AdditionalFields, "headers"), "request") is not { } request)
        {
            return;
        }

        foreach (var op in AuthorityOperations)
        {
            foreach (var (name, value) in Pairs(Tree.Map(request, op)))
            {
                if (!IsAuthorityHeader(name))
                {
                    continue;
                }

                if (current.Length > 0)
                {
                    result.Error(ErrorIds.InvalidRoute, $"{field}.headers.request.{op}.{name}", value,
                        $"the authority is set more than once: it is already {ValidationResult.Show(current)}", "validateAuthorityRewrite");
                    return;
                }

                current = value ?? string.Empty;
            }
        }
    }

    /// <summary>ValidateHTTPHeaderName: a header name cannot be empty.</summary>
    public static bool HeaderName(ValidationResult result, string field, string? name, string rule)
    {
        if (string.IsNullOrEmpty(name))
        {
            result.Error(ErrorIds.InvalidRoute, field, name, "a header name cannot be empty", rule);
            return false;
        }

        return true;
    }

    /// <summary>ValidateHTTPHeaderValue: no control characters, and Envoy's %VARIABLE% syntax ('%%' for a literal '%').</summary>
    public static bool HeaderValue(ValidationResult result, string field, string? value, string rule)
    {
        var problem = HeaderValueProblem(value ?? string.Empty);
        if (problem is not null)
        {
            result.Error(ErrorIds.InvalidRoute, field, value, $"{ValidationResult.Show(value)} is not a valid header value: {problem}", rule);
            return false;
        }

        return true;
    }

    /// <summary>Why Envoy's header formatter would refuse the value (its parser's states, as Istio ports them), or null.</summary>
    internal static string? HeaderValueProblem(string value)
    {
        if (value.Any(c => c is (< '\u0009') or (> '\u0009' and < '\u0020') or '\u007f'))
        {
            return "it contains control characters";
        }

        var state = 0; // 0 literal, 1 variable name, 2 expect '[', 3 expect '"', 4 in string, 5 expect ',' or ']', 6 expect ')', 7 expect '%'
        for (var pos = 0; pos < value.Length; pos++)
        {
            var ch = value[pos];
            var hasNext = pos + 1 < value.Length;
            switch (state)
            {
                case 0 when ch == '%':
                    if (!hasNext)
                    {
                        return "an unescaped '%' (write '%%')";
                    }

                    if (value[pos + 1] == '%')
                    {
                        pos++;
                    }
                    else
                    {
                        state = 1;
                    }

                    break;
                case 1:
                    state = ch == '%' ? 0 : ch == '(' ? 2 : 1;
                    break;
                case 2:
                    state = ch == '[' ? 3 : ch == ' ' ? 2 : 4;
                    break;
                case 5:
                    if (ch == ',')
                    {
                        state = 3;
                    }
                    else if (ch == ']')
                    {
                        state = 6;
                    }
                    else if (ch != ' ')
                    {
                        return "expected ',', ']' or a space in a variable's arguments";
                    }

                    break;
                case 3:
                    if (ch == '"')
                    {
                        state = 4;
                    }
                    else if (ch != ' ')
                    {
                        return "expected '\"' in a variable's arguments";
                    }

                    break;
                case 4:
                    if (ch == '\\')
                    {
                        if (!hasNext)
                        {
                            return "an unterminated backslash in a variable's argument";
                        }

                        pos++;
                    }
                    else if (ch == ')')
                    {
                        state = 7;
                    }
                    else if (ch == '"')
                    {
                        state = 5;
                    }

                    break;
                case 6:
                    if (ch == ')')
                    {
                        state = 7;
                    }
                    else if (ch != ' ')
                    {
                        return "expected ')' or a space after a variable's arguments";
                    }

                    break;
                case 7:
                    if (ch == '%')
                    {
                        state = 0;
                    }
                    else if (ch != ' ')
                    {
                        return "expected '%' or a space after a variable";
                    }

                    break;
            }
        }

        return state == 0 ? null : "an unterminated %VARIABLE% (or an unescaped '%': write '%%')";
    }

    /// <summary>validateCORSPolicy: origins with a value (valid regexes), known methods, header names, a max age in whole seconds.</summary>
    public static void CorsPolicy(ValidationResult result, string field, HttpRoute route)
    {
        if (!route.AdditionalFields.TryGetValue("corsPolicy", out var raw) || raw is not IDictionary<string, object?> cors)
        {
            return;
        }

        field += ".corsPolicy";
        var origins = cors.TryGetValue("allowOrigins", out var list) && list is IList items ? items : Array.Empty<object?>();
        for (var i = 0; i < origins.Count; i++)
        {
            var origin = origins[i] as IDictionary<string, object?>;
            var (kind, value) = origin is null ? (null, null) : MatchKinds.Where(origin.ContainsKey).Select(k => ((string?)k, Tree.Str(origin[k]))).FirstOrDefault();
            if (string.IsNullOrEmpty(value))
            {
                result.Error(ErrorIds.InvalidRoute, $"{field}.allowOrigins[{i}]", value, "a CORS allowed origin needs a non-empty exact, prefix or regex", "validateAllowOrigins");
            }
            else if (kind == "regex")
            {
                Rules.Regex(result, $"{field}.allowOrigins[{i}].regex", value);
            }
        }

        foreach (var (method, i) in Strings(cors, "allowMethods").Select((m, i) => (m, i)))
        {
            if (Array.IndexOf(Methods, method) < 0)
            {
                result.Error(ErrorIds.InvalidRoute, $"{field}.allowMethods[{i}]", method, $"{ValidationResult.Show(method)} is not an HTTP method: use {string.Join(", ", Methods)}", "validateHTTPMethod");
            }
        }

        foreach (var key in CorsHeaderLists)
        {
            foreach (var (name, i) in Strings(cors, key).Select((m, i) => (m, i)))
            {
                HeaderName(result, $"{field}.{key}[{i}]", name, "validateCORSPolicy");
            }
        }

        if (cors.TryGetValue("maxAge", out var maxAge) && maxAge is not null)
        {
            var text = Tree.Str(maxAge);
            var duration = MeshDuration.Parse(text);
            if (Rules.Duration(result, $"{field}.maxAge", duration) && duration.Nanoseconds % 1_000_000_000 != 0)
            {
                result.Error(ErrorIds.InvalidRoute, $"{field}.maxAge", text, "a CORS maxAge is accurate only to whole seconds", "validateCORSPolicy");
            }
        }
    }

    /// <summary>validateHTTPDirectResponse's body: over 100 KiB warns, over 1 MiB is refused (bytes measured decoded).</summary>
    public static void DirectResponseBody(ValidationResult result, string field, HttpDirectResponse response)
    {
        if (!response.AdditionalFields.TryGetValue("body", out var raw) || raw is not IDictionary<string, object?> body)
        {
            return;
        }

        long size = 0;
        if (body.TryGetValue("string", out var text))
        {
            size = System.Text.Encoding.UTF8.GetByteCount(Tree.Str(text) ?? string.Empty);
        }
        else if (body.TryGetValue("bytes", out var bytes))
        {
            var encoded = Tree.Str(bytes) ?? string.Empty;
            size = (encoded.Length / 4 * 3) - encoded.Reverse().TakeWhile(c => c == '=').Count();
        }

        if (size > 1024 * 1024)
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.body", size, $"a direct response body of {size} bytes is too large: it must be at most 1 MiB", "validateHTTPDirectResponse");
        }
        else if (size > 100 * 1024)
        {
            result.Warning(ErrorIds.InvalidRoute, $"{field}.body", size, $"a direct response body of {size} bytes (over 100 KiB) may impact control plane performance", "validateHTTPDirectResponse");
        }
    }

    private static void OperationName(ValidationResult result, string field, string name, HeaderUse use)
    {
        if (!HeaderName(result, field, name, "validateHTTPRoute"))
        {
            return;
        }

        var isHost = name.Equals("host", StringComparison.OrdinalIgnoreCase);
        var isInternal = name.StartsWith(':') || isHost;
        var problem = use switch
        {
            HeaderUse.RouteRequestSet when isInternal && !IsAuthorityHeader(name) => "a header set on a request cannot start with ':' (except :authority)",
            HeaderUse.DestinationRequestSet when isInternal && !isHost => "a header set on one destination's requests cannot start with ':' (set host instead of :authority)",
            HeaderUse.RemoveOrResponse when isHost => "the Host header cannot be removed or set on a response",
            HeaderUse.RemoveOrResponse when isInternal => "a header that starts with ':' cannot be removed or set on a response",
            _ => null,
        };
        if (problem is not null)
        {
            result.Error(ErrorIds.InvalidRoute, $"{field}.{name}", name, problem, "ValidateHTTPHeaderOperationName");
        }
    }

    private static bool IsAuthorityHeader(string name) =>
        name.Equals(":authority", StringComparison.OrdinalIgnoreCase) || name.Equals("host", StringComparison.OrdinalIgnoreCase);

    internal static IEnumerable<(string Name, string? Value)> Pairs(IDictionary<string, object?>? map) =>
        map is null ? [] : map.Select(e => (e.Key, Tree.Str(e.Value)));

    internal static IEnumerable<string> Strings(IDictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) && value is IEnumerable items and not string
            ? items.Cast<object?>().Select(i => Tree.Str(i) ?? string.Empty)
            : [];
}
