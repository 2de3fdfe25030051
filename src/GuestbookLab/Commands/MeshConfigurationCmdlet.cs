using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Base of the cmdlets that read a whole configuration: from the pipeline, or from a manifest folder.</summary>
public abstract class MeshConfigurationCmdlet : LabCmdlet
{
    private readonly List<LabResource> resources = [];

    /// <summary>The configuration: every resource of the mesh and its application, e.g. a lab step's objects.</summary>
    [Parameter(ValueFromPipeline = true)]
    public LabResource[]? InputObject { get; set; }

    /// <summary>A manifest folder (such as the lab's output): every .yaml and .yml file below it, in file-name order, later objects replacing earlier ones.</summary>
    [Parameter]
    public string? Directory { get; set; }

    /// <summary>A connection (Connect-LabCluster) whose objects are the configuration; the session's connection is used when no objects and no -Directory are given.</summary>
    [Parameter]
    public LabConnection? Connection { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            resources.AddRange(InputObject);
        }
    }

    /// <summary>The model of everything received, plus the folder's manifests.</summary>
    protected MeshModel LoadModel()
    {
        var all = new List<LabResource>();
        if (Directory is not null)
        {
            var folder = GetUnresolvedProviderPathFromPSPath(Directory);
            if (!System.IO.Directory.Exists(folder))
            {
                ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"-Directory: the folder '{Directory}' does not exist."), ErrorIds.ManifestNotFound, ErrorCategory.ObjectNotFound, Directory));
            }

            var files = System.IO.Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetRelativePath(folder, f), StringComparer.Ordinal);
            foreach (var file in files)
            {
                try
                {
                    all.AddRange(ManifestSerializer.Deserialize(File.ReadAllText(file), file));
                }
                catch (ManifestFormatException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidManifest, ErrorCategory.InvalidData, file));
                }
            }

            WriteVerbose($"Read {all.Count} object(s) from {folder}.");
        }

        all.AddRange(resources);
        if (Connection is not null || (Directory is null && resources.Count == 0))
        {
            var connection = Cluster.LabSession.Resolve(this, Connection);
            var stored = Cluster.LabSession.Open(connection).List();
            WriteVerbose($"Read {stored.Count} object(s) from {connection}.");
            all.InsertRange(0, stored);
        }

        return MeshModel.Build(all);
    }
}
