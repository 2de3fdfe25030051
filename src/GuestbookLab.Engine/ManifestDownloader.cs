using System;
using System.Net.Http;
using System.Threading;

namespace GuestbookLab.Engine;

/// <summary>Fetches manifests over http(s), as 'kubectl apply -f URL' does.</summary>
public static class ManifestDownloader
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The text at <paramref name="uri"/>; an <see cref="HttpRequestException"/> says why not.</summary>
    public static string Download(Uri uri, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var response = Client.GetAsync(uri, cancellation).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        }

        return response.Content.ReadAsStringAsync(cancellation).GetAwaiter().GetResult();
    }
}
