using System;
using System.Collections.Generic;
using System.Security;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace GuestbookLab.Engine.Aws;

/// <summary>A failed AWS call: the service's error code (RepositoryNotFoundException, NoSuchBucket, …), HTTP status and message.</summary>
public sealed class AwsRequestException : Exception
{
    public AwsRequestException()
        : this(string.Empty, 0, "AWS request failed", null)
    {
    }

    public AwsRequestException(string message)
        : this(string.Empty, 0, message, null)
    {
    }

    public AwsRequestException(string message, Exception innerException)
        : base(message, innerException) => Code = string.Empty;

    public AwsRequestException(string code, int status, string message, string? requestId, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Status = status;
        RequestId = requestId;
    }

    public string Code { get; }

    public int Status { get; }

    public string? RequestId { get; }
}

/// <summary>Why credentials or a region could not be found; says what to give.</summary>
public sealed class AwsConfigurationException : Exception
{
    public AwsConfigurationException()
    {
    }

    public AwsConfigurationException(string message)
        : base(message)
    {
    }

    public AwsConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the region (not the credentials) is missing.</summary>
    public bool RegionMissing { get; init; }
}

/// <summary>The AWS cmdlets' common parameters: -Region, -ProfileName, -Credential (access key and secret), -EndpointUrl.</summary>
public sealed record AwsOptions
{
    public string? Region { get; init; }

    public string? ProfileName { get; init; }

    /// <summary>Where the shared credentials file is, when not the default (~/.aws/credentials).</summary>
    public string? ProfileLocation { get; init; }

    public string? AccessKeyId { get; init; }

    public SecureString? SecretAccessKey { get; init; }

    public string? EndpointUrl { get; init; }

    /// <summary>A region to use when none is configured (New-LabStateStore's bucket region), instead of an error.</summary>
    public string? FallbackRegion { get; init; }
}

/// <summary>
/// Credentials and region resolved as AWS.Tools resolves them: the parameters first, then the environment, the shared
/// profiles, and AWSSDK.Core's default chain (container and instance roles, SSO). Says where each came from, never
/// what the secret is.
/// </summary>
public sealed class AwsSession
{
    private AwsSession(AWSCredentials credentials, string credentialSource, string region, string regionSource, Uri? endpoint)
    {
        Credentials = credentials;
        CredentialSource = credentialSource;
        Region = region;
        RegionSource = regionSource;
        Endpoint = endpoint;
    }

    public string CredentialSource { get; }

    public string Region { get; }

    public string RegionSource { get; }

    /// <summary>The endpoint every call goes to instead of AWS's (LocalStack-style endpoints, tests).</summary>
    public Uri? Endpoint { get; }

    internal AWSCredentials Credentials { get; }

    /// <summary>Resolves credentials and region; <paramref name="debug"/> hears where they came from.</summary>
    public static AwsSession Resolve(AwsOptions options, Action<string> debug)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(debug);
        var chain = options.ProfileLocation is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(options.ProfileLocation);
        var (credentials, source, profile) = ResolveCredentials(options, chain);
        debug($"AWS credentials: {source}.");
        var (region, regionSource) = ResolveRegion(options, chain, profile);
        debug($"AWS region: {region} ({regionSource}).");
        var endpoint = options.EndpointUrl is null ? null : new Uri(options.EndpointUrl, UriKind.Absolute);
        if (endpoint is not null)
        {
            debug($"AWS endpoint: {endpoint} (-EndpointUrl).");
        }

        return new AwsSession(credentials, source, region, regionSource, endpoint);
    }

    /// <summary>The credentials as environment variables for a child process (kops): AWS_ACCESS_KEY_ID and the rest.</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment()
    {
        var immutable = Credentials.GetCredentials();
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = immutable.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = immutable.SecretKey,
            ["AWS_REGION"] = Region,
            ["AWS_DEFAULT_REGION"] = Region,
        };
        if (immutable.UseToken)
        {
            env["AWS_SESSION_TOKEN"] = immutable.Token;
        }

        if (Endpoint is not null)
        {
            env["S3_ENDPOINT"] = Endpoint.ToString().TrimEnd('/');
            env["S3_REGION"] = Region;
            env["S3_ACCESS_KEY_ID"] = immutable.AccessKey;
            env["S3_SECRET_ACCESS_KEY"] = immutable.SecretKey;
        }

        return env;
    }

    internal RegionEndpoint RegionEndpoint => RegionEndpoint.GetBySystemName(Region);

    /// <summary>Points a service client's configuration at -EndpointUrl when one was given.</summary>
    internal T Configure<T>(T config)
        where T : ClientConfig
    {
        if (Endpoint is null)
        {
            config.RegionEndpoint = RegionEndpoint;
        }
        else
        {
            config.ServiceURL = Endpoint.ToString();
            config.AuthenticationRegion = Region;
        }

        config.MaxErrorRetry = 4;
        return config;
    }

    private static (AWSCredentials Credentials, string Source, CredentialProfile? Profile) ResolveCredentials(AwsOptions options, CredentialProfileStoreChain chain)
    {
        if (options.AccessKeyId is not null && options.SecretAccessKey is not null)
        {
            return (new BasicAWSCredentials(options.AccessKeyId, GuestbookLab.Model.SecureText.Reveal(options.SecretAccessKey)), $"-Credential (access key {Mask(options.AccessKeyId)})", null);
        }

        if (options.ProfileName is not null)
        {
            if (chain.TryGetProfile(options.ProfileName, out var named) && chain.TryGetAWSCredentials(options.ProfileName, out var fromProfile))
            {
                return (fromProfile, $"profile '{options.ProfileName}' in {Where(named)} (-ProfileName)", named);
            }

            throw new AwsConfigurationException(
                $"The AWS profile '{options.ProfileName}' was not found (or has no credentials) in the shared credentials and config files ({chain.ProfilesLocation ?? "~/.aws/credentials, ~/.aws/config"}).");
        }

        var accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey))
        {
            var token = Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN");
            AWSCredentials credentials = string.IsNullOrEmpty(token) ? new BasicAWSCredentials(accessKey, secretKey) : new SessionAWSCredentials(accessKey, secretKey, token);
            return (credentials, $"environment variables AWS_ACCESS_KEY_ID{(string.IsNullOrEmpty(token) ? string.Empty : ", AWS_SESSION_TOKEN")} (access key {Mask(accessKey)})", null);
        }

        var profileName = Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } p ? p : "default";
        if (chain.TryGetProfile(profileName, out var profile) && chain.TryGetAWSCredentials(profileName, out var shared))
        {
            return (shared, $"profile '{profileName}' in {Where(profile)}{(profileName == "default" ? string.Empty : " (AWS_PROFILE)")}", profile);
        }

        try
        {
            var resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            return (resolved, $"AWSSDK.Core's default chain ({resolved.GetType().Name})", null);
        }
        catch (AmazonClientException ex)
        {
            throw new AwsConfigurationException(
                "No AWS credentials were found: give -Credential (access key id as user name, secret access key as password) or -ProfileName, " +
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'.", ex);
        }
    }

    private static (string Region, string Source) ResolveRegion(AwsOptions options, CredentialProfileStoreChain chain, CredentialProfile? profile)
    {
        if (options.Region is not null)
        {
            return (options.Region, "-Region");
        }

        foreach (var variable in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
            {
                return (fromEnvironment, $"environment variable {variable}");
            }
        }

        if (profile?.Region is { } profileRegion)
        {
            return (profileRegion.SystemName, $"profile '{profile.Name}'");
        }

        var name = options.ProfileName ?? (Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } p ? p : "default");
        if (chain.TryGetProfile(name, out var configured) && configured.Region is { } region)
        {
            return (region.SystemName, $"profile '{name}'");
        }

        if (options.FallbackRegion is not null)
        {
            return (options.FallbackRegion, "the default for this command");
        }

        throw new AwsConfigurationException("No AWS region was found: give -Region (e.g. us-east-1), set AWS_REGION, or set a region in your AWS profile.") { RegionMissing = true };
    }

    private static string Where(CredentialProfile profile) =>
        profile.CredentialProfileStore is { } store ? store.GetType().Name switch
        {
            "SharedCredentialsFile" => "the shared credentials file",
            "NetSDKCredentialsFile" => "the .NET SDK credential store",
            _ => store.GetType().Name,
        } : "the shared profiles";

    /// <summary>The first four and last four characters of an access key id (as the AWS console shows them).</summary>
    private static string Mask(string accessKey) => accessKey.Length <= 8 ? "****" : $"{accessKey[..4]}…{accessKey[^4..]}";
}
