using System;
using System.Threading;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using GuestbookLab.Model;

namespace GuestbookLab.Engine.Aws;

/// <summary>STS GetCallerIdentity through AWSSDK.SecurityToken.</summary>
public static class StsCalls
{
    public static LabAwsIdentity GetCallerIdentity(AwsSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var sts = new AmazonSecurityTokenServiceClient(session.Credentials, session.Configure(new AmazonSecurityTokenServiceConfig()));
        var answer = AwsErrors.Run("STS GetCallerIdentity", () => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken));
        return new LabAwsIdentity(answer.Account, answer.Arn, answer.UserId, session.Region, session.CredentialSource);
    }
}

/// <summary>The kops state store bucket through AWSSDK.S3.</summary>
public sealed class StateStoreClient : IDisposable
{
    private readonly AwsSession session;
    private readonly AmazonS3Client s3;

    public StateStoreClient(AwsSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        this.session = session;
        var config = session.Configure(new AmazonS3Config());
        if (session.Endpoint is not null)
        {
            config.ForcePathStyle = true;
        }

        s3 = new AmazonS3Client(session.Credentials, config);
    }

    public void Dispose() => s3.Dispose();

    /// <summary>Whether the bucket exists and the caller can use it (true), exists but belongs to another account (an error), or does not exist (false).</summary>
    public bool Exists(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            AwsErrors.Run($"S3 HeadBucket {bucket}", () => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, cancellationToken));
            return true;
        }
        catch (AwsRequestException ex) when (ex.Status == 404 || ex.Code is "NoSuchBucket" or "NotFound")
        {
            return false;
        }
        catch (AwsRequestException ex) when (ex.Status == 403)
        {
            // A HEAD answer has no body to tell a bad key from someone else's bucket: ask again with a GET.
            try
            {
                AwsErrors.Run($"S3 GetBucketLocation {bucket}", () => s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken));
            }
            catch (AwsRequestException denied) when (denied.Code == "AccessDenied")
            {
                throw new AwsRequestException("BucketAlreadyExists", 403,
                    $"The bucket {bucket} exists but these credentials cannot use it: it belongs to another account (S3 bucket names are global; choose another name), or they lack s3:ListBucket.", denied.RequestId, denied);
            }

            throw;
        }
    }

    /// <summary>Creates the bucket in the session's region; one the caller already owns is not an error (Created false).</summary>
    public LabStateStore Create(string bucket, CancellationToken cancellationToken)
    {
        if (Exists(bucket, cancellationToken))
        {
            return new LabStateStore(bucket, session.Region, created: false);
        }

        var request = new PutBucketRequest { BucketName = bucket };
        if (session.Region != "us-east-1")
        {
            request.PutBucketConfiguration = new PutBucketConfiguration { LocationConstraint = new BucketLocationConstraint(session.Region) };
        }

        try
        {
            AwsErrors.Run($"S3 CreateBucket {bucket}", () => s3.PutBucketAsync(request, cancellationToken));
            return new LabStateStore(bucket, session.Region, created: true);
        }
        catch (AwsRequestException ex) when (ex.Code == "BucketAlreadyOwnedByYou")
        {
            return new LabStateStore(bucket, session.Region, created: false);
        }
        catch (AwsRequestException ex) when (ex.Code == "BucketAlreadyExists")
        {
            throw new AwsRequestException(ex.Code, ex.Status, $"The bucket {bucket} already exists and belongs to another account (S3 bucket names are global): choose another name.", ex.RequestId, ex);
        }
    }

    /// <summary>The keys in the bucket (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<string> Keys(string bucket, int limit, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = AwsErrors.Run($"S3 ListObjectsV2 {bucket}", () => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token, MaxKeys = 1000 }, cancellationToken));
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null && keys.Count < limit);
        return keys.Take(limit).ToList();
    }

    /// <summary>Deletes every object (when <paramref name="emptyFirst"/>), then the bucket; false when the bucket was not there.</summary>
    public bool Remove(string bucket, bool emptyFirst, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        try
        {
            Delete(bucket, emptyFirst, progress, cancellationToken);
            return true;
        }
        catch (AwsRequestException ex) when (ex.Status == 404 || ex.Code == "NoSuchBucket")
        {
            return false;
        }
    }

    private void Delete(string bucket, bool emptyFirst, Action<string> progress, CancellationToken cancellationToken)
    {
        if (emptyFirst)
        {
            while (Keys(bucket, 1000, cancellationToken) is { Count: > 0 } keys)
            {
                progress($"deleting {keys.Count} object(s) from {bucket}");
                var request = new DeleteObjectsRequest { BucketName = bucket, Objects = keys.Select(k => new KeyVersion { Key = k }).ToList() };
                AwsErrors.Run($"S3 DeleteObjects {bucket}", () => s3.DeleteObjectsAsync(request, cancellationToken));
            }
        }

        AwsErrors.Run($"S3 DeleteBucket {bucket}", () => s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, cancellationToken));
    }
}

/// <summary>Turns the SDK's exceptions into <see cref="AwsRequestException"/> (no SDK type leaves the engine).</summary>
internal static class AwsErrors
{
    public static T Run<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return call().GetAwaiter().GetResult();
        }
        catch (AmazonServiceException ex)
        {
            var code = string.IsNullOrEmpty(ex.ErrorCode) ? ((int)ex.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : ex.ErrorCode;
            var message = string.IsNullOrEmpty(ex.Message) ? ex.StatusCode.ToString() : ex.Message;
            throw new AwsRequestException(code, (int)ex.StatusCode, $"{operation}: {code}: {message}", ex.RequestId, ex);
        }
        catch (AmazonClientException ex)
        {
            throw new AwsRequestException("EndpointUnreachable", 0, $"{operation}: {ex.Message}", null, ex);
        }
        catch (System.Net.Http.HttpRequestException ex)
        {
            throw new AwsRequestException("EndpointUnreachable", 0, $"{operation}: {ex.Message}", null, ex);
        }
    }
}
