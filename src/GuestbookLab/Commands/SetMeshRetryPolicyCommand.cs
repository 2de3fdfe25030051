using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Sets the retry policy of a route of a VirtualService from the pipeline.</summary>
/// <remarks>
/// Sets http[].retries on the last route (or -RouteIndex). Without a retry policy Istio 1.17 retries twice on
/// connect-failure, refused-stream, unavailable, cancelled and 503. -Attempts 0 turns retries off, and then
/// -PerTryTimeout and -RetryOn cannot be given.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name message-service -Hosts message-service |
///     Add-MeshRoute -Destination message-service |
///     Set-MeshRetryPolicy -Attempts 3 -PerTryTimeout 2s</code>
/// <para>The codelab's retries: up to 3 attempts, each given 2 seconds.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MeshRetryPolicy")]
[OutputType(typeof(VirtualService), typeof(LabResource))]
public sealed class SetMeshRetryPolicyCommand : ModifyRouteCmdlet
{
    /// <summary>How many times to retry; 0 turns retries off.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Attempts { get; set; }

    /// <summary>The time each attempt may take: an Istio duration ('2s') or a [TimeSpan].</summary>
    [Parameter]
    [MeshDurationTransformation]
    public MeshDuration? PerTryTimeout { get; set; }

    /// <summary>The conditions to retry on, e.g. '5xx,connect-failure' or 'gateway-error,503'.</summary>
    [Parameter]
    public string? RetryOn { get; set; }

    private RetryOptions Options => new() { Attempts = Attempts, PerTryTimeout = PerTryTimeout, RetryOn = RetryOn };

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(RetryBuilder.Validate(Options).Issues);

    protected override void ModifyRoute(HttpRoute route) => RetryBuilder.Apply(route, Options);
}
