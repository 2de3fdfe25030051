using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security;
using System.Text;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Provisioning;

/// <summary>
/// The Secret <c>kubectl create secret docker-registry NAME --docker-server=S --docker-username=U --docker-password=P
/// [--docker-email=E]</c> builds: type kubernetes.io/dockerconfigjson, one data key .dockerconfigjson holding Go's
/// compact JSON of <c>{"auths":{S:{"username":U,"password":P,"email":E,"auth":base64(U:P)}}}</c>.
/// The password goes from its SecureString straight into the Secret's <see cref="SecretValue"/>.
/// </summary>
public static class RegistrySecretBuilder
{
    public const string DataKey = ".dockerconfigjson";

    public static KubernetesSecret Build(string name, string? ns, string server, string userName, SecureString password, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        var plain = SecureText.Reveal(password);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{plain}"));
        var json = new StringBuilder("{\"auths\":{");
        Go(json, server).Append(":{\"username\":");
        Go(json, userName).Append(",\"password\":");
        Go(json, plain);
        if (!string.IsNullOrEmpty(email))
        {
            Go(json.Append(",\"email\":"), email);
        }

        Go(json.Append(",\"auth\":"), auth).Append("}}}");
        var secret = new KubernetesSecret
        {
            Name = name,
            Namespace = ns,
            Type = KubernetesSecret.DockerConfigJson,
            Data = new Dictionary<string, SecretValue>(StringComparer.Ordinal)
            {
                [DataKey] = SecretValue.FromText(Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToString()))),
            },
        };
        json.Clear();
        return secret;
    }

    // Go's encoding/json string: ", \ and control characters escaped; <, > and & as \u003c, \u003e, \u0026 (HTML-safe);
    // U+2028 and U+2029 escaped; everything else, '+' and '/' included, as it is.
    private static StringBuilder Go(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => json.Append("\\\""),
                '\\' => json.Append("\\\\"),
                '\n' => json.Append("\\n"),
                '\r' => json.Append("\\r"),
                '\t' => json.Append("\\t"),
                '\b' => json.Append("\\b"),
                '\f' => json.Append("\\f"),
                '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ' => json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => json.Append(c),
            };
        }

        return json.Append('"');
    }
}
