using System;
using System.ComponentModel;
using System.Diagnostics;

namespace GuestbookLab.Engine;

/// <summary>Opens a URL in the user's browser, as istioctl dashboard does.</summary>
public static class Browser
{
    /// <summary>Opens <paramref name="url"/> with the system's handler; null when it did, else why not.</summary>
    public static string? Open(string url)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(url) { UseShellExecute = true });
            return null;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return ex.Message;
        }
    }
}
