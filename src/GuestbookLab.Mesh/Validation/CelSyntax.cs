using System;
using System.Collections.Generic;

namespace GuestbookLab.Mesh.Validation;

/// <summary>
/// A syntax check of Common Expression Language text, as cel-go's Parse does it for Istio's access-log filters
/// (validateTelemetryFilter parses, it does not type-check): the grammar of the CEL specification (conditional,
/// logical, relational, arithmetic and unary operators, member selection, indexing, calls, lists, maps, messages),
/// its literals (ints, uints, doubles, quoted, raw, triple-quoted and bytes strings with their escapes), reserved
/// words, and the shape the standard macros need (has(a.b); all, exists, exists_one, map and filter over a name).
/// </summary>
public sealed class CelSyntax
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    };

    private static readonly HashSet<string> Comprehensions = new(StringComparer.Ordinal) { "all", "exists", "exists_one", "map", "filter" };

    private readonly List<Token> tokens = [];
    private int at;

    private CelSyntax()
    {
    }

    private enum Kind
    {
        Ident,
        Literal,
        Punct,
        End,
    }

    // What the macro checks need to know of a parsed expression.
    private enum Shape
    {
        Name,
        Select,
        Other,
    }

    /// <summary>Why <paramref name="expression"/> is not valid CEL, or null when it parses.</summary>
    public static string? Check(string expression)
    {
        var parser = new CelSyntax();
        try
        {
            parser.Lex(expression);
            parser.Expr(0);
            parser.Expect(Kind.End, null);
            return null;
        }
        catch (FormatException problem)
        {
            return problem.Message;
        }
    }

    private void Lex(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                var word = text[start..i];
                if (i < text.Length && text[i] is '"' or '\'' && word.ToLowerInvariant() is "r" or "b" or "rb" or "br")
                {
                    i = String(text, i, word.Contains('r', StringComparison.OrdinalIgnoreCase), start);
                }
                else
                {
                    tokens.Add(new Token(word is "true" or "false" or "null" ? Kind.Literal : Kind.Ident, word, start));
                }
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i = Number(text, i);
            }
            else if (c is '"' or '\'')
            {
                i = String(text, i, raw: false, i);
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : null;
                if (two is "&&" or "||" or "==" or "!=" or "<=" or ">=")
                {
                    tokens.Add(new Token(Kind.Punct, two, i));
                    i += 2;
                }
                else if ("?:()[]{}.,<>+-*/%!".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new Token(Kind.Punct, c.ToString(), i));
                    i++;
                }
                else
                {
                    throw new FormatException($"unexpected character '{c}' at {i + 1}");
                }
            }
        }

        tokens.Add(new Token(Kind.End, string.Empty, text.Length));
    }

    private int Number(string text, int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            var digits = i;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }

            if (i == digits)
            {
                throw new FormatException($"a hexadecimal number needs digits at {start + 1}");
            }
        }
        else
        {
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            var isFloat = false;
            if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
            {
                isFloat = true;
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }

            if (i < text.Length && text[i] is 'e' or 'E')
            {
                var exponent = i + 1;
                if (exponent < text.Length && text[exponent] is '+' or '-')
                {
                    exponent++;
                }

                if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
                {
                    isFloat = true;
                    i = exponent;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }
            }

            if (isFloat)
            {
                tokens.Add(new Token(Kind.Literal, text[start..i], start));
                return i;
            }
        }

        if (i < text.Length && text[i] is 'u' or 'U')
        {
            i++;
        }

        tokens.Add(new Token(Kind.Literal, text[start..i], start));
        return i;
    }

    private int String(string text, int i, bool raw, int start)
    {
        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        i += triple ? 3 : 1;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new FormatException($"the string at {start + 1} is not closed");
            }

            var c = text[i];
            if (triple ? (c == quote && i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote) : c == quote)
            {
                i += triple ? 3 : 1;
                break;
            }

            if (!triple && c is '\n' or '\r')
            {
                throw new FormatException($"the string at {start + 1} runs past the end of the line");
            }

            if (c == '\\' && !raw)
            {
                i = Escape(text, i + 1);
                continue;
            }

            i++;
        }

        tokens.Add(new Token(Kind.Literal, text[start..i], start));
        return i;
    }

    private static int Escape(string text, int i)
    {
        if (i >= text.Length)
        {
            throw new FormatException("a string ends in a backslash");
        }

        var c = text[i];
        int Hex(int count)
        {
            if (i + count >= text.Length)
            {
                throw new FormatException($"the escape '\\{c}' needs {count} hexadecimal digits");
            }

            for (var k = 1; k <= count; k++)
            {
                if (!char.IsAsciiHexDigit(text[i + k]))
                {
                    throw new FormatException($"the escape '\\{c}' needs {count} hexadecimal digits");
                }
            }

            return i + count + 1;
        }

        switch (c)
        {
            case 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '\\' or '?' or '"' or '\'' or '`':
                return i + 1;
            case 'x' or 'X':
                return Hex(2);
            case 'u':
                return Hex(4);
            case 'U':
                return Hex(8);
            case >= '0' and <= '3' when i + 2 < text.Length && text[i + 1] is >= '0' and <= '7' && text[i + 2] is >= '0' and <= '7':
                return i + 3;
            default:
                throw new FormatException($"'\\{c}' is not an escape CEL knows");
        }
    }

    private Token Peek => tokens[at];

    private bool Accept(string punct)
    {
        if (Peek.Kind == Kind.Punct && Peek.Text == punct)
        {
            at++;
            return true;
        }

        return false;
    }

    private void Expect(Kind kind, string? punct)
    {
        if (Peek.Kind != kind || (punct is not null && Peek.Text != punct))
        {
            throw new FormatException(Peek.Kind == Kind.End
                ? $"the expression ends where {(punct is null ? "more" : $"'{punct}'")} was expected"
                : $"unexpected '{Peek.Text}' at {Peek.Position + 1}{(punct is null ? string.Empty : $" ('{punct}' expected)")}");
        }

        at++;
    }

    // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]; the binary levels by precedence, lowest first.
    private Shape Expr(int depth)
    {
        if (depth > 250)
        {
            throw new FormatException("the expression is nested too deeply");
        }

        var shape = Binary(0, depth);
        if (Accept("?"))
        {
            Binary(0, depth + 1);
            Expect(Kind.Punct, ":");
            Expr(depth + 1);
            return Shape.Other;
        }

        return shape;
    }

    private static readonly string[][] Levels =
    [
        ["||"],
        ["&&"],
        ["<", "<=", ">=", ">", "==", "!=", "in"],
        ["+", "-"],
        ["*", "/", "%"],
    ];

    private Shape Binary(int level, int depth)
    {
        if (level == Levels.Length)
        {
            return Unary(depth);
        }

        var shape = Binary(level + 1, depth);
        while (Array.IndexOf(Levels[level], Peek.Text) >= 0 && (Peek.Kind == Kind.Punct || Peek.Text == "in"))
        {
            at++;
            Binary(level + 1, depth + 1);
            shape = Shape.Other;
        }

        return shape;
    }

    private Shape Unary(int depth)
    {
        if (Accept("!") || Accept("-"))
        {
            Unary(depth + 1);
            return Shape.Other;
        }

        return Member(depth);
    }

    private Shape Member(int depth)
    {
        var shape = Primary(depth);
        while (true)
        {
            if (Accept("."))
            {
                var name = Selector();
                if (Accept("("))
                {
                    var args = Arguments(")", depth);
                    Macro(name, args, receiver: true);
                    shape = Shape.Other;
                }
                else
                {
                    shape = Shape.Select;
                }
            }
            else if (Accept("["))
            {
                Expr(depth + 1);
                Expect(Kind.Punct, "]");
                shape = Shape.Other;
            }
            else if (shape is Shape.Name or Shape.Select && Peek.Kind == Kind.Punct && Peek.Text == "{")
            {
                // A message literal: Name{field: value, ...}.
                at++;
                Fields(depth);
                shape = Shape.Other;
            }
            else
            {
                return shape;
            }
        }
    }

    private Shape Primary(int depth)
    {
        var leadingDot = Accept(".");
        var token = Peek;
        switch (token.Kind)
        {
            case Kind.Ident:
                at++;
                if (Reserved.Contains(token.Text) || token.Text == "in")
                {
                    throw new FormatException($"'{token.Text}' is a reserved word at {token.Position + 1}");
                }

                if (Accept("("))
                {
                    var args = Arguments(")", depth);
                    Macro(token.Text, args, receiver: false);
                    return Shape.Other;
                }

                return Shape.Name;
            case Kind.Literal when !leadingDot:
                at++;
                return Shape.Other;
            case Kind.Punct when !leadingDot && token.Text == "(":
                at++;
                Expr(depth + 1);
                Expect(Kind.Punct, ")");
                return Shape.Other;
            case Kind.Punct when !leadingDot && token.Text == "[":
                at++;
                Arguments("]", depth);
                return Shape.Other;
            case Kind.Punct when !leadingDot && token.Text == "{":
                at++;
                Entries(depth);
                return Shape.Other;
            default:
                Expect(Kind.Ident, null);
                return Shape.Other;
        }
    }

    private string Selector()
    {
        var token = Peek;
        if (token.Kind != Kind.Ident && !(token.Kind == Kind.Literal && token.Text is "true" or "false" or "null"))
        {
            Expect(Kind.Ident, null);
        }

        at++;
        return token.Text;
    }

    // ExprList up to the closing bracket; a list literal (']') may end in a comma, a call's arguments may not.
    private List<Shape> Arguments(string close, int depth)
    {
        var shapes = new List<Shape>();
        if (Accept(close))
        {
            return shapes;
        }

        while (true)
        {
            shapes.Add(Expr(depth + 1));
            if (!Accept(","))
            {
                Expect(Kind.Punct, close);
                return shapes;
            }

            if (close == "]" && Accept(close))
            {
                return shapes;
            }
        }
    }

    private void Entries(int depth)
    {
        while (!Accept("}"))
        {
            Expr(depth + 1);
            Expect(Kind.Punct, ":");
            Expr(depth + 1);
            if (!Accept(","))
            {
                Expect(Kind.Punct, "}");
                break;
            }
        }
    }

    private void Fields(int depth)
    {
        while (!Accept("}"))
        {
            Selector();
            Expect(Kind.Punct, ":");
            Expr(depth + 1);
            if (!Accept(","))
            {
                Expect(Kind.Punct, "}");
                break;
            }
        }
    }

    // The standard macros expand while parsing, so a macro given the wrong shape is a parse error.
    private static void Macro(string name, List<Shape> args, bool receiver)
    {
        if (!receiver && name == "has" && args.Count == 1 && args[0] != Shape.Select)
        {
            throw new FormatException("has() needs a field selection, as in has(request.headers.x)");
        }

        if (receiver && Comprehensions.Contains(name) && (args.Count == 2 || (name == "map" && args.Count == 3)) && args[0] != Shape.Name)
        {
            throw new FormatException($"the first argument of {name}() must be a simple name");
        }
    }

    private readonly record struct Token(Kind Kind, string Text, int Position);
}
