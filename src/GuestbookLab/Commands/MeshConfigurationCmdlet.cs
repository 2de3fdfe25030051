using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>
/// Base of the cmdlets that read a whole configuration: from the pipeline, manifest files and folders, URLs, or the
/// connected target. (Test-MeshConfiguration declares the manifests' -Uri; Test-MeshRequest's -Uri is the request's.)
/// </summary>
public abstract class MeshConfigurationCmdlet : TargetCmdlet
{
    private readonly List<LabResource> resources = [];

    /// <summary>The configuration: every resource of the mesh and its application, e.g. a lab step's objects.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ResourceTransformation]
    public LabResource[]? InputObject { get; set; }

    /// <summary>Manifest files or folders (such as the lab's output: every .yaml and .yml file below it, in path order, later objects replacing earlier ones); wildcards are allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Manifest files or folders, taken literally (no wildcards); -Directory is its alias.</summary>
    [Parameter]
    [Alias("Directory")]
    public string[]? LiteralPath { get; set; }

    /// <summary>http(s) URLs of manifests, for the cmdlets that take them.</summary>
    protected virtual IReadOnlyList<System.Uri>? ManifestUris => null;

    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            resources.AddRange(InputObject);
        }
    }

    /// <summary>
    /// The model of the connected target's objects (when -Connection is given, or nothing else is), then the
    /// manifests read, then everything received, later objects replacing earlier ones.
    /// </summary>
    protected MeshModel LoadModel()
    {
        var all = new List<LabResource>();
        var uris = ManifestUris;
        if (Connection is not null || (Path is null && LiteralPath is null && uris is null && resources.Count == 0))
        {
            var (connection, target) = OpenTarget();
            var stored = Call(target.ListAllAsync(CancellationToken), connection);
            WriteVerbose($"Read {stored.Count} object(s) from {connection}.");
            all.AddRange(stored);
        }

        if (Path is not null || LiteralPath is not null || uris is not null)
        {
            var read = ReadManifests(Path, LiteralPath, uris, ManifestErrors.Stop);
            WriteVerbose($"Read {read.Count} object(s) from {string.Join(", ", [.. Path ?? [], .. LiteralPath ?? [], .. (uris ?? []).Select(u => u.ToString())])}.");
            all.AddRange(read);
        }

        all.AddRange(resources);
        return MeshModel.Build(all);
    }

    /// <summary>
    /// Test-MeshRequest's prediction, which Compare-MeshRequest shares: the request built from
    /// <paramref name="options"/> (a token that is no JWT is said on the verbose stream), sent from
    /// <paramref name="from"/> through the model and sampled options.Count times (a RequestResult, or a RequestSample
    /// for more than one). Invalid options, or a source the model does not have (InvalidSource), end the command.
    /// </summary>
    protected (RequestSpec Request, object Prediction) Predict(RequestOptions options, string from, bool? sidecar, string? serviceAccount, int? seed) =>
        Predict(options, from, sidecar, serviceAccount, seed, unknown: null)!.Value;

    /// <summary>
    /// <see cref="Predict(RequestOptions, string, bool?, string?, int?)"/> for a source that may not be in the model (the
    /// client pod that stood in for a workload): null, with the reason in <paramref name="unknown"/>, where the model
    /// does not have it.
    /// </summary>
    protected (RequestSpec Request, object Prediction)? TryPredict(RequestOptions options, string from, int? seed, out string? unknown)
    {
        string? reason = null;
        var prediction = Predict(options, from, null, null, seed, ex => reason = ex.Message);
        unknown = reason;
        return prediction;
    }

    private (RequestSpec Request, object Prediction)? Predict(RequestOptions options, string from, bool? sidecar, string? serviceAccount, int? seed, System.Action<System.ArgumentException>? unknown)
    {
        System.ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(RequestBuilder.Validate(options), options.Count < 1 ? options.Count : options.Uri);
        var request = RequestBuilder.Build(options, Decode);
        var simulator = new RequestSimulator(LoadModel());
        RequestSource source;
        try
        {
            source = simulator.ResolveSource(from, sidecar, serviceAccount);
        }
        catch (System.ArgumentException ex) when (unknown is not null)
        {
            unknown(ex);
            return null;
        }
        catch (System.ArgumentException ex)
        {
            ThrowTerminatingError(Errors.LabErrors.Create(ErrorIds.InvalidSource, Errors.Messages.ForParameter("-From", ex.Message), from));
            throw;
        }

        return (request, RequestSampler.Run(simulator, source, request, options.Count, seed is { } s ? new System.Random(s) : new System.Random()));
    }

    private JwtPrincipal? Decode(string token)
    {
        try
        {
            return JwtDecoder.Decode(token);
        }
        catch (System.FormatException)
        {
            WriteVerbose("The token does not parse as a JWT; the sidecar will reject it if a RequestAuthentication applies.");
            return null;
        }
    }
}
