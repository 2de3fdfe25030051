using System;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Live;

/// <summary>Runs a command in a pod's container, as kubectl exec does.</summary>
/// <remarks>
/// The command runs through the API server's exec (a WebSocket, the v5 channel protocol) in the container given by
/// -Container, else the pod's kubectl.kubernetes.io/default-container, else its first container (as kubectl, which says
/// so on the verbose stream). Standard output comes out line by line as it arrives; standard error goes to the verbose
/// stream. A non-zero exit is the non-terminating error CommandFailed, whose exception's ExitCode is the code (and
/// $LASTEXITCODE is set to it, as after kubectl exec); a command that cannot start is ExecFailed. -Stdin is sent to the
/// command and then closed. -AsResult returns one LabCommandResult (ExitCode, Output, ErrorOutput) instead, with no
/// error. Ctrl+C stops the command. Pods from Get-LabPod can be piped in. A manifest folder runs nothing: there the
/// error is ExecNotAvailable.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Invoke-LabCommand -Pod curl -Command curl, -s, http://message-service/hello/test -ErrorAction Stop }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster, what curl prints from the curl pod (kubectl exec curl -- curl -s ...); a folder says ExecNotAvailable.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "LabCommand")]
[OutputType(typeof(string), typeof(LabCommandResult))]
public sealed class InvokeLabCommandCommand : TargetCmdlet
{
    /// <summary>The pod's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Pod { get; set; } = null!;

    /// <summary>The command and its arguments, each one element (no shell splits them).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = null!;

    /// <summary>The pod's namespace (the connection's when left out).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>The container (by default as kubectl chooses it).</summary>
    [Parameter]
    public string? Container { get; set; }

    /// <summary>Text sent to the command's standard input, which is then closed; lines are joined with newlines.</summary>
    [Parameter]
    public string[]? Stdin { get; set; }

    /// <summary>Returns one LabCommandResult with the exit code and both outputs instead of the output lines.</summary>
    [Parameter]
    public SwitchParameter AsResult { get; set; }

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        if (target is not IExecTarget exec)
        {
            WriteError(LabErrors.Create(ErrorIds.ExecNotAvailable, Messages.ExecNotAvailable(connection.ToString()), $"{ns}/{Pod}"));
            return;
        }

        var found = Call(target.ListAsync("Pod", ns, Pod, null, CancellationToken), $"Pod {ns}/{Pod}");
        var pod = found.Count > 0 ? found[0] : null;
        var (container, notice, problem) = pod is null ? (null, null, Messages.ResourceNotFound("Pod", Pod, ns)) : ExecPlan.Container(pod, Container);
        problem ??= pod is null ? null : ExecPlan.Refusal(pod);
        if (container is null || problem is not null)
        {
            WriteError(LabErrors.Create(pod is null ? ErrorIds.ResourceNotFound : container is null ? ErrorIds.ContainerNotFound : ErrorIds.ExecFailed, problem ?? string.Empty, $"{ns}/{Pod}"));
            return;
        }

        if (notice is not null)
        {
            WriteVerbose(notice);
        }

        var stdin = Stdin is null ? null : string.Join('\n', Stdin) + "\n";
        ExecResult result;
        try
        {
            result = Pump(post => exec.ExecAsync(ns, Pod, container, Command, stdin, (channel, line) => post(() =>
            {
                if (channel == ExecChannel.StandardError)
                {
                    WriteVerbose(line);
                }
                else if (!AsResult)
                {
                    WriteObject(line);
                }
            }), CancellationToken));
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
        {
            WriteError(LabErrors.FromTarget(ex, $"Pod {ns}/{Pod}"));
            return;
        }

        var summary = new LabCommandResult
        {
            Pod = Pod, Namespace = ns, Container = container, Command = Command, ExitCode = result.ExitCode, Failure = result.Failure,
            Output = result.OutputLines, ErrorOutput = result.ErrorLines, Duration = result.Elapsed,
        };
        if (result.ExitCode is { } code)
        {
            SessionState.PSVariable.Set("global:LASTEXITCODE", code);
        }

        if (AsResult)
        {
            WriteObject(summary);
        }
        else if (result.ExitCode is { } exit and not 0)
        {
            WriteError(LabErrors.Create(ErrorIds.CommandFailed, new LabCommandException(Messages.CommandFailed(string.Join(" ", Command), exit, result.ErrorLines), exit), summary));
        }
        else if (result.ExitCode is null)
        {
            WriteError(LabErrors.Create(ErrorIds.ExecFailed, $"error: {result.Failure}", summary));
        }
    }
}
