using System;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine.Kpack;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Kpack;

/// <summary>Gets the log of a kpack build, step by step, as kp build logs does.</summary>
/// <remarks>
/// Finds the Image's latest Build (or the one numbered -Build) and its pod by the labels kpack sets
/// (image.kpack.io/image, image.kpack.io/buildNumber), then writes the log of each build step container in the pod's
/// order (the init containers prepare, analyze, detect, restore, build, export, then completion; a rebase build has
/// rebase and completion), each once, after a header line '===> STEP'; everything comes out as strings, with no
/// colour codes. Without -Follow it writes what the steps that have started have logged so far; with -Follow it
/// watches the pod and streams each step as it runs until the pod has Succeeded or Failed (or Ctrl+C). Where kp
/// would wait silently (no pod yet, a pod Pending or stuck in ImagePullBackOff) a warning says so with the pod's
/// reason after -WarnAfter (10 s), and again whenever the reason changes. An Image without that build is the error
/// BuildNotFound; a manifest folder has no pods (LogNotAvailable).
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Get-LabError { Get-LabBuildLog -Image ui-image }).FullyQualifiedErrorId</code>
/// <para>BuildNotFound: a manifest folder has no builds. On the lab's cluster, Get-LabBuildLog -Image ui-image -Follow
/// streams the latest build of ui-image as 'kp build logs ui-image' does.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabBuildLog")]
[OutputType(typeof(string))]
public sealed class GetLabBuildLogCommand : TargetCmdlet
{
    /// <summary>The kpack Image whose build to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Image { get; set; } = null!;

    /// <summary>The build number; the latest build when left out.</summary>
    [Parameter(Position = 1)]
    [ValidateRange(1, long.MaxValue)]
    public long? Build { get; set; }

    /// <summary>The Image's namespace (the connection's when left out).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Streams each step as it runs until the build pod has Succeeded or Failed.</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>How long a build may show no progress (no pod, a pod Pending or stuck) before a warning says why: a duration (10s), a TimeSpan or seconds.</summary>
    [Parameter]
    [TimeoutTransformation]
    public TimeSpan WarnAfter { get; set; } = TimeSpan.FromSeconds(10);

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        var builds = Call(target.ListAsync(KpackBuild.KindName, ns, null, LabelQuery.Parse($"{KpackKinds.ImageLabel}={Image}"), CancellationToken), Image);
        if (BuildPod.Pick(builds, Build) is not { BuildNumber: { } number } build)
        {
            WriteError(LabErrors.Create(ErrorIds.BuildNotFound, Messages.BuildNotFound(ns, Image, Build), Image));
            return;
        }

        try
        {
            var events = BuildLogReader.ReadAsync(target, ns, Image, number, build.Name, Follow, WarnAfter, CancellationToken).GetAsyncEnumerator(CancellationToken);
            try
            {
                while (Await(events.MoveNextAsync().AsTask()))
                {
                    switch (events.Current)
                    {
                        case BuildLogStall stall:
                            WriteWarning(stall.Message);
                            break;
                        case BuildLogLine line:
                            WriteObject(line.Text);
                            break;
                        case var header:
                            WriteObject(header.ToString());
                            break;
                    }
                }
            }
            finally
            {
                events.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (NotSupportedException ex)
        {
            WriteError(LabErrors.Create(ErrorIds.LogNotAvailable, ex.Message, build.Name, ex));
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException or System.IO.IOException)
        {
            WriteError(LabErrors.FromTarget(ex, $"Build {ns}/{build.Name}"));
        }
    }
}
