using System.Management.Automation;
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
        var http = resource?.Spec.Http;
        if (http is null || http.Count == 0)
        {
            ThrowInvalid(ErrorIds.NoRouteToModify, "InputObject", resource?.DisplayName,
                $"{resource?.DisplayName} has no HTTP route to change: add one first with Add-MeshRoute");
            return;
        }

        var index = RouteIndex ?? http.Count - 1;
        if (index < 0 || index >= http.Count)
        {
            ThrowInvalid(ErrorIds.NoRouteToModify, "-RouteIndex", index,
                $"{index} is not a route of {resource!.DisplayName}, which has {http.Count} HTTP route(s): use an index from 0 to {http.Count - 1}");
            return;
        }

        ModifyRoute(http[index]);
    }
}
