using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Base of the cmdlets that change one HTTP route of a VirtualService (by default the last one added).</summary>
public abstract class ModifyRouteCmdlet : ModifyResourceCmdlet<VirtualService>
{
    /// <summary>The index of the HTTP route to change (0 is the first); by default the last route.</summary>
    [Parameter]
    public int? RouteIndex { get; set; }

    protected abstract void ModifyRoute(HttpRoute route);

    protected sealed override void Modify(VirtualService resource)
    {
        var route = RouteSelector.Select(resource, RouteIndex, out var problem);
        if (Accept(problem, resource))
        {
            ModifyRoute(route!);
        }
    }
}
