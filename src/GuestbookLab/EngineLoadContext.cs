using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab;

/// <summary>
/// GuestbookLab's own load context for the engine and its third-party dependencies (YamlDotNet, KubernetesClient,
/// the AWS SDK and the rest), read from the module's Dependencies folder. Other modules in the session may
/// load other versions of those libraries into the default context; neither sees the other's.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    internal const string EngineAssemblyName = "GuestbookLab.Engine";

    private static readonly Assembly ModelAssembly = typeof(LabResource).Assembly;
    private static readonly Assembly MeshAssembly = typeof(ResourceValidator).Assembly;

    private readonly string directory;

    private EngineLoadContext(string directory)
        : base("GuestbookLab.Engine", isCollectible: false) => this.directory = directory;

    internal static EngineLoadContext Instance { get; } = new(
        Path.Combine(Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "Dependencies"));

    internal string Directory => directory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The pipeline types are shared with PowerShell: always the default context's copy.
        if (assemblyName.Name == ModelAssembly.GetName().Name)
        {
            return ModelAssembly;
        }

        if (assemblyName.Name == MeshAssembly.GetName().Name)
        {
            return MeshAssembly;
        }

        var path = Path.Combine(directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}

/// <summary>
/// Sends the default context's request for the engine assembly to <see cref="EngineLoadContext"/> on import, and
/// releases what the runspace holds (its connection, open targets and their HTTP clients) when the module is removed.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    /// <summary>
    /// Closes this runspace's targets and forgets its connection. The resolver stays: the engine is loaded once per
    /// process, and other runspaces may still use the module.
    /// </summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => Commands.Cluster.LabSession.Release();

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineLoadContext.EngineAssemblyName
            ? EngineLoadContext.Instance.LoadFromAssemblyName(name)
            : null;
}
