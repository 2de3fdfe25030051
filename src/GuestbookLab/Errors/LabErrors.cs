using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using GuestbookLab.Engine;
using GuestbookLab.Engine.Aws;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Errors;

/// <summary>
/// The module's one error factory: every ErrorRecord GuestbookLab writes or throws is made here, with the category
/// <see cref="ErrorCatalog"/> fixes for its ErrorId, so a script can rely on both.
/// </summary>
public static class LabErrors
{
    /// <summary>An error record for an exception that already says what went wrong.</summary>
    public static ErrorRecord Create(string errorId, Exception exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new ErrorRecord(exception, errorId, ErrorCatalog.CategoryOf(errorId), target);
    }

    /// <summary>An error record with a message; the exception's type follows the ErrorId's category.</summary>
    public static ErrorRecord Create(string errorId, string message, object? target, Exception? inner = null)
    {
        Exception exception = ErrorCatalog.CategoryOf(errorId) switch
        {
            ErrorCategory.InvalidArgument => new ArgumentException(message, inner),
            ErrorCategory.ObjectNotFound => new ItemNotFoundException(message, inner),
            ErrorCategory.OperationTimeout => new TimeoutException(message, inner),
            ErrorCategory.ConnectionError => new HttpRequestException(message, inner),
            ErrorCategory.ReadError or ErrorCategory.WriteError => new IOException(message, inner),
            _ => new InvalidOperationException(message, inner),
        };
        return Create(errorId, exception, target);
    }

    /// <summary>
    /// A manifest that cannot be read: over one of <see cref="ManifestLimits"/> (ManifestLimitExceeded), or malformed
    /// (InvalidManifest); the exception names the source, the line and the limit.
    /// </summary>
    public static ErrorRecord FromManifest(ManifestFormatException exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Create(exception.Limit is null ? ErrorIds.InvalidManifest : ErrorIds.ManifestLimitExceeded, exception, target);
    }

    /// <summary>
    /// A live request that could not be sent (the engine's LiveRequestSender): a failed call to the target as
    /// <see cref="FromTarget"/> files it, else the sender's own ErrorId and message.
    /// </summary>
    public static ErrorRecord FromLiveRequest(LiveRequestException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.FromTarget ? FromTarget(exception.InnerException!, exception.Target) : Create(exception.ErrorId, exception.Message, exception.Target, exception);
    }

    /// <summary>A broken rule: the ErrorId of the rule, the field (or parameter) and the value in the message.</summary>
    public static ErrorRecord Invalid(ValidationIssue issue, object? target)
    {
        ArgumentNullException.ThrowIfNull(issue);
        return Create(issue.ErrorId, new MeshValidationException(issue), target);
    }

    /// <summary>
    /// A failed call to a target: the API server's Status (each HTTP status its own ErrorId), an unreachable server,
    /// or a file the directory target could not write.
    /// </summary>
    public static ErrorRecord FromTarget(Exception exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            ApiStatusException { Code: 409, Reason: "Conflict" } conflict =>
                Create(ErrorIds.ApplyConflict, Messages.ApplyConflict(target, conflict.Message), target, conflict),
            ApiStatusException status => Create(
                status.Code switch
                {
                    404 => ErrorIds.ResourceNotFound,
                    401 => ErrorIds.ApiUnauthorized,
                    403 => ErrorIds.ApiForbidden,
                    422 => ErrorIds.ApiInvalidObject,
                    400 => ErrorIds.ApiBadRequest,
                    _ => ErrorIds.ApiRequestFailed,
                },
                new InvalidOperationException(Messages.ApiStatus(target, status.Message, status.Code, status.Reason, status.Causes), status),
                target),
            UnsafeObjectPathException unsafePath => Create(ErrorIds.UnsafeObjectPath, unsafePath, target),
            ApiTlsException tls => Create(ErrorIds.ApiTlsFailure, tls, target),
            UnsafeObjectNameException unsafeName => Create(ErrorIds.UnsafeObjectName, unsafeName, target),
            // A call about one object that broke off names the object, so that a failed apply says which ones.
            HttpRequestException unreachable when target is LabResource => Create(ErrorIds.ClusterUnreachable, $"{target}: {unreachable.Message}", target, unreachable),
            HttpRequestException unreachable => Create(ErrorIds.ClusterUnreachable, unreachable, target),
            _ when target is LabResource => Create(ErrorIds.ApplyFailed, $"{target}: {exception.Message}", target, exception),
            _ => Create(ErrorIds.ApplyFailed, exception, target),
        };
    }

    /// <summary>A failed AWS call: the service's error code decides the ErrorId.</summary>
    public static ErrorRecord FromAws(AwsRequestException exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var id = exception.Code switch
        {
            "RepositoryNotFoundException" => ErrorIds.RegistryNotFound,
            "RepositoryNotEmptyException" => ErrorIds.RegistryNotEmpty,
            "BucketNotEmpty" => ErrorIds.BucketNotEmpty,
            "BucketAlreadyExists" => ErrorIds.BucketOwnedByOthers,
            "InvalidBucketName" => ErrorIds.InvalidBucketName,
            "ExpiredToken" or "ExpiredTokenException" or "RequestExpired" => ErrorIds.AwsTokenExpired,
            "AccessDenied" or "AccessDeniedException" => ErrorIds.AwsAccessDenied,
            "UnrecognizedClientException" or "InvalidClientTokenId" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidSignatureException" or "IncompleteSignature"
                => ErrorIds.AwsInvalidCredentials,
            "EndpointUnreachable" => ErrorIds.AwsEndpointUnreachable,
            "InvalidParameterException" or "ValidationException" => ErrorIds.AwsRequestRejected,
            _ => ErrorIds.AwsRequestFailed,
        };
        return Create(id, new InvalidOperationException(Messages.AwsFailure(exception.Message, exception.RequestId, id), exception), target);
    }
}
