using System;
using System.Collections.Generic;

namespace GuestbookLab.Model;

/// <summary>What a command run in a container (Invoke-LabCommand, kubectl exec) answered.</summary>
public sealed class LabCommandResult
{
    public required string Pod { get; init; }

    public required string Namespace { get; init; }

    public required string Container { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The command's exit code, as kubectl exec exits with it; null when it could not run.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why the command could not run (the API server's message), when it could not.</summary>
    public string? Failure { get; init; }

    /// <summary>Standard output, line by line.</summary>
    public IReadOnlyList<string> Output { get; init; } = [];

    /// <summary>Standard error, line by line.</summary>
    public IReadOnlyList<string> ErrorOutput { get; init; } = [];

    public TimeSpan Duration { get; init; }

    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"{Namespace}/{Pod}/{Container}: {string.Join(" ", Command)} -> {(ExitCode is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : Failure)}";
}

/// <summary>A command that ran and exited with a non-zero code; <see cref="ExitCode"/> is the code, as $LASTEXITCODE is.</summary>
public sealed class LabCommandException : Exception
{
    public LabCommandException()
    {
    }

    public LabCommandException(string message)
        : base(message)
    {
    }

    public LabCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LabCommandException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
