using System;
using System.Runtime.CompilerServices;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// The text of a simulation step, formatted only when the result is being explained
/// (<see cref="RequestResult.Explaining"/>): a decision taken without its explanation skips the formatting and the
/// expressions in the holes (the compiler does not evaluate them when the handler says it will not append).
/// </summary>
[InterpolatedStringHandler]
internal ref struct StepText
{
    private DefaultInterpolatedStringHandler inner;

    private readonly bool on;

    public StepText(int literalLength, int formattedCount, RequestResult result, out bool shouldAppend)
    {
        on = shouldAppend = result.Explaining;
        inner = on ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => inner.AppendFormatted(value, format);

    public void AppendFormatted<T>(T value, int alignment) => inner.AppendFormatted(value, alignment);

    public void AppendFormatted(string? value) => inner.AppendFormatted(value);

    public void AppendFormatted(ReadOnlySpan<char> value) => inner.AppendFormatted(value);

    /// <summary>The formatted text, or null when the result is not being explained.</summary>
    public string? Take() => on ? inner.ToStringAndClear() : null;
}
