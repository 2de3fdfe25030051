using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Accepts JWTs from an issuer: creates a RequestAuthentication, or adds a JWT rule to one from the pipeline.</summary>
/// <remarks>
/// A RequestAuthentication tells the sidecars of the selected workloads which issuers they accept and where their
/// signing keys are (-JwksUri, or an inline -Jwks). A request with an invalid token is then refused with 401; a request
/// without a token is still let through, with no request principal: require one with an AuthorizationPolicy
/// (-RequestPrincipal). Piped RequestAuthentications get the rule appended; without one, -Name creates a new one.
/// Objects of other kinds pass through unchanged.
/// </remarks>
/// <example>
/// <code>Add-MeshJwtRule -Name ui-jwt-auth -Namespace default -Selector @{ app = 'ui' } -Issuer 'testing@secure.istio.io' -JwksUri 'https://raw.githubusercontent.com/istio/istio/release-1.17/security/tools/jwt/samples/jwks.json'</code>
/// <para>The codelab's RequestAuthentication for the ui.</para>
/// </example>
/// <example>
/// <code>Add-MeshJwtRule -Name api-jwt -Issuer 'https://accounts.example.com' -JwksUri 'https://accounts.example.com/jwks' |
///     Add-MeshJwtRule -Issuer 'https://login.example.org' -JwksUri 'https://login.example.org/keys' -Audience api</code>
/// <para>One RequestAuthentication that accepts two issuers.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshJwtRule", DefaultParameterSetName = UriSet)]
[OutputType(typeof(RequestAuthentication), typeof(LabResource))]
public sealed class AddMeshJwtRuleCommand : LabCmdlet
{
    private const string UriSet = "JwksUri";
    private const string InlineSet = "Jwks";

    private bool sawRequestAuthentication;

    /// <summary>A RequestAuthentication to add the rule to; other objects pass through.</summary>
    [Parameter(ValueFromPipeline = true)]
    public LabResource? InputObject { get; set; }

    /// <summary>The name of a new RequestAuthentication (when none is piped in).</summary>
    [Parameter(Position = 0)]
    public string? Name { get; set; }

    /// <summary>The namespace of a new RequestAuthentication.</summary>
    [Parameter]
    public string? Namespace { get; set; }

    /// <summary>Pod labels of the workloads a new RequestAuthentication applies to (matchLabels): a hashtable (@{ app = 'ui' }) or the same -Selector text the cluster cmdlets take, with labels only ('app=ui,version=v1').</summary>
    [Parameter]
    [SelectorTransformation(LabelsOnly = true)]
    public LabelQuery? Selector { get; set; }

    /// <summary>The token issuer ('iss' claim) the rule accepts.</summary>
    [Parameter(Mandatory = true)]
    [AllowEmptyString]
    public string Issuer { get; set; } = null!;

    /// <summary>The http(s) URL of the issuer's JSON Web Key Set.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    public string JwksUri { get; set; } = null!;

    /// <summary>The issuer's JSON Web Key Set, inline (JSON text).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InlineSet)]
    public string Jwks { get; set; } = null!;

    /// <summary>The audiences ('aud' claim) accepted; any when left out.</summary>
    [Parameter]
    [Alias("Audiences")]
    public string[]? Audience { get; set; }

    /// <summary>Keeps the token in the request forwarded to the application.</summary>
    [Parameter]
    public SwitchParameter ForwardOriginalToken { get; set; }

    private JwtRuleOptions Options => new()
    {
        Issuer = Issuer,
        JwksUri = ParameterSetName == UriSet ? JwksUri : null,
        Jwks = ParameterSetName == InlineSet ? Jwks : null,
        Audiences = Audience,
        ForwardOriginalToken = ForwardOriginalToken,
        Name = Name,
        Namespace = Namespace,
        Selector = Binding.Labels(Selector),
    };

    protected override void BeginProcessing() => ThrowIfInvalid(JwtRuleBuilder.Validate(Options), Name ?? Issuer);

    protected override void ProcessRecord()
    {
        if (InputObject is not RequestAuthentication ra)
        {
            if (InputObject is not null)
            {
                WriteObject(InputObject);
            }

            return;
        }

        sawRequestAuthentication = true;
        var before = ResourceValidator.Check(ra);
        var copy = ApiObjectMapper.Clone(ra);
        JwtRuleBuilder.Apply(copy, Options);
        if (ReportNewIssues(copy, before))
        {
            WriteObject(copy);
        }
    }

    protected override void EndProcessing()
    {
        if (sawRequestAuthentication)
        {
            return;
        }

        var created = JwtRuleBuilder.Build(Options, out var problem);
        ThrowIfInvalid(problem, null);
        ThrowIfInvalid(created!);
        WriteObject(created);
    }
}
