using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Provisioning;

/// <summary>
/// The rules AWS and kops apply to the names the lab's set-up uses, checked before anything is sent: S3 bucket names,
/// ECR repository names, regions and zones, instance types and volume sizes, IAM policy ARNs, state stores, endpoints.
/// </summary>
public static partial class AwsRules
{
    private const string Rule = "AWS naming rules";

    /// <summary>S3 general purpose bucket naming rules.</summary>
    public static void BucketName(ValidationResult result, string field, string? name)
    {
        ArgumentNullException.ThrowIfNull(result);
        string? problem = name switch
        {
            null or "" => "a bucket name is required",
            { Length: < 3 or > 63 } => "must be 3 to 63 characters long",
            _ when !BucketPattern().IsMatch(name) => "may hold only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit",
            _ when name.Contains("..", StringComparison.Ordinal) => "must not hold two adjacent dots",
            _ when IPAddress.TryParse(name, out _) && name.Count(c => c == '.') == 3 => "must not be formatted as an IP address",
            _ when name.StartsWith("xn--", StringComparison.Ordinal) || name.StartsWith("sthree-", StringComparison.Ordinal) => "must not begin with 'xn--' or 'sthree-' (prefixes S3 reserves)",
            _ when name.EndsWith("-s3alias", StringComparison.Ordinal) || name.EndsWith("--ol-s3", StringComparison.Ordinal) || name.EndsWith(".mrap", StringComparison.Ordinal) || name.EndsWith("--x-s3", StringComparison.Ordinal) => "must not end with a suffix S3 reserves (-s3alias, --ol-s3, .mrap, --x-s3)",
            _ => null,
        };
        if (problem is not null)
        {
            result.Error(ErrorIds.InvalidBucketName, field, name, $"bucket name {ValidationResult.Show(name)} {problem}", "S3 bucket naming rules");
        }
    }

    /// <summary>ECR repository names: 2 to 256 characters, lowercase path segments.</summary>
    public static void RepositoryName(ValidationResult result, string field, string? name)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (name is null || name.Length is < 2 or > 256 || !RepositoryPattern().IsMatch(name))
        {
            result.Error(ErrorIds.InvalidRepositoryName, field, name,
                $"repository name {ValidationResult.Show(name)} must be 2 to 256 characters of lowercase letters and digits, separated by '.', '_', '__', '-' or '/'",
                "ECR CreateRepository repositoryName");
        }
    }

    /// <summary>A region code such as us-east-1.</summary>
    public static void Region(ValidationResult result, string field, string? region)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (region is null || !RegionPattern().IsMatch(region))
        {
            result.Error(ErrorIds.InvalidRegion, field, region, $"{ValidationResult.Show(region)} is not an AWS region code (e.g. us-east-1)", Rule);
        }
    }

    /// <summary>An availability zone such as us-east-1a; returns its region, or null when it is not one.</summary>
    public static string? Zone(ValidationResult result, string field, string? zone)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (zone is null || !ZonePattern().IsMatch(zone))
        {
            result.Error(ErrorIds.InvalidZone, field, zone, $"{ValidationResult.Show(zone)} is not an availability zone (a region and a letter, e.g. us-east-1a)", Rule);
            return null;
        }

        return RegionOf(zone);
    }

    /// <summary>The region of an availability zone (us-east-1a → us-east-1).</summary>
    public static string RegionOf(string zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.TrimEnd("abcdefghijklmnopqrstuvwxyz".ToCharArray()) is { Length: > 0 } r && r.Length < zone.Length ? r : zone;
    }

    /// <summary>An EC2 instance type such as t2.large.</summary>
    public static void InstanceType(ValidationResult result, string field, string? type)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (type is null || !InstanceTypePattern().IsMatch(type))
        {
            result.Error(ErrorIds.InvalidInstanceSize, field, type, $"{ValidationResult.Show(type)} is not an EC2 instance type (family.size, e.g. t2.large)", Rule);
        }
    }

    /// <summary>An EBS root volume size in GiB.</summary>
    public static void VolumeSize(ValidationResult result, string field, int? size)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (size is { } s && s is < 8 or > 16384)
        {
            result.Error(ErrorIds.InvalidInstanceSize, field, size, $"root volume size {s.ToString(CultureInfo.InvariantCulture)} GiB is outside 8 to 16384 GiB", "EBS gp3 volume sizes; kops images need at least 8 GiB");
        }
    }

    /// <summary>An IAM managed policy ARN (what a permissions boundary must be).</summary>
    public static void PolicyArn(ValidationResult result, string field, string? arn)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (arn is not null && !PolicyArnPattern().IsMatch(arn))
        {
            result.Error(ErrorIds.InvalidArn, field, arn,
                $"{ValidationResult.Show(arn)} is not an IAM policy ARN (arn:aws:iam::<12-digit account>:policy/<name>)", "IAM permissions boundary");
        }
    }

    /// <summary>A kops state store on S3 (<c>s3://bucket[/prefix]</c>); returns the bucket name.</summary>
    public static string? StateStore(ValidationResult result, string field, string? store)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (store is null || !store.StartsWith("s3://", StringComparison.Ordinal))
        {
            result.Error(ErrorIds.InvalidStateStore, field, store, $"{ValidationResult.Show(store)} is not an S3 state store (s3://bucket)", "kops state store");
            return null;
        }

        var bucket = store["s3://".Length..].Split('/')[0];
        BucketName(result, field, bucket);
        return bucket;
    }

    /// <summary>An endpoint URL (http or https, absolute).</summary>
    public static void EndpointUrl(ValidationResult result, string field, string? url)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            result.Error(ErrorIds.InvalidEndpoint, field, url, $"{ValidationResult.Show(url)} is not an absolute http or https URL", Rule);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*/)*[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}[a-z]$")]
    private static partial Regex ZonePattern();

    [GeneratedRegex("^[a-z][a-z0-9-]*\\.[a-z0-9-]+$")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex(@"^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:policy/[\w+=,.@/-]{1,512}$")]
    private static partial Regex PolicyArnPattern();
}
