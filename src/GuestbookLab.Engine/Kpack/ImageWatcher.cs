using System;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Engine.Kpack;

/// <summary>
/// Waits for a kpack Image as <see cref="ILabTarget.WaitForAsync"/> does, and meanwhile follows the pod of the build
/// the Image reports (status.buildCounter and latestBuildRef), so that a progress bar can show the build's step: the
/// pod is found by the labels kpack sets (image.kpack.io/image, image.kpack.io/buildNumber) and then watched by name;
/// a new build moves the follower to the new pod. Pod reads that fail only leave the step unknown: the Image decides
/// the wait.
/// </summary>
public static class ImageWatcher
{
    /// <summary>How long the follower waits for a build's pod to appear under its expected name before it looks again by labels.</summary>
    private static readonly TimeSpan PodLookupInterval = TimeSpan.FromSeconds(2);

    public static async Task<LabResource?> WaitAsync(ILabTarget target, string ns, string name, Func<LabResource?, bool> done, Action<long, BuildProgress> step, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(step);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var follower = new Follower(target, ns, name, step, stop.Token);
        var following = Task.Run(follower.RunAsync, CancellationToken.None);
        try
        {
            return await target.WaitForAsync(KpackImage.KindName, ns, name, resource =>
            {
                if (resource is KpackImage { BuildCounter: { } number } image)
                {
                    follower.Build(number, image.LatestBuildRef);
                }

                return done(resource);
            }, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await following.ConfigureAwait(false);
        }
    }

    private sealed class Follower(ILabTarget target, string ns, string image, Action<long, BuildProgress> report, CancellationToken stopped) : IDisposable
    {
        private readonly SemaphoreSlim changed = new(0);
        private readonly object gate = new();
        private long number;
        private string? buildName;
        private CancellationTokenSource? current;

        /// <summary>The Image reports build <paramref name="build"/>: follow its pod from now on (called on the engine's threads).</summary>
        public void Build(long build, string? name)
        {
            lock (gate)
            {
                if (build == number)
                {
                    return;
                }

                number = build;
                buildName = name ?? $"{image}-build-{build.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                current?.Cancel();
            }

            changed.Release();
        }

        public async Task RunAsync()
        {
            try
            {
                while (!stopped.IsCancellationRequested)
                {
                    await changed.WaitAsync(stopped).ConfigureAwait(false);
                    long build;
                    string podName;
                    CancellationTokenSource thisBuild;
                    lock (gate)
                    {
                        build = number;
                        podName = buildName + "-build-pod";
                        current?.Dispose();
                        current = CancellationTokenSource.CreateLinkedTokenSource(stopped);
                        thisBuild = current;
                    }

                    await FollowAsync(build, podName, thisBuild.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The Image's wait is over, or the command was stopped.
            }
            finally
            {
                lock (gate)
                {
                    current?.Dispose();
                    current = null;
                }
            }
        }

        public void Dispose() => changed.Dispose();

        private async Task FollowAsync(long build, string podName, CancellationToken token)
        {
            BuildProgress? last = null;
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var pods = await target.ListAsync("Pod", ns, null, BuildPod.Selector(image, build), token).ConfigureAwait(false);
                    if (pods.Count > 0)
                    {
                        podName = pods[0].Name;
                    }

                    var pod = await target.WaitForAsync("Pod", ns, podName, p =>
                    {
                        if (p is null)
                        {
                            return false;
                        }

                        var progress = BuildPod.Progress(p);
                        if (progress != last)
                        {
                            last = progress;
                            report(build, progress);
                        }

                        return BuildPod.Finished(p);
                    }, pods.Count > 0 ? TimeSpan.FromDays(1) : PodLookupInterval, token).ConfigureAwait(false);
                    if (pod is not null)
                    {
                        return;
                    }
                }
                catch (TimeoutException)
                {
                    // No pod under that name yet: look again by labels.
                }
                catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException or NotSupportedException)
                {
                    // The step stays unknown; the Image still decides the wait.
                    return;
                }
            }
        }
    }
}
