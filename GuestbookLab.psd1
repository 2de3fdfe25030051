# Source of the module manifest. build.ps1 stamps ModuleVersion from the assembly version (Directory.Build.props)
# and lays the module out under out/GuestbookLab, which is the folder Import-Module takes.
@{
    RootModule           = 'GuestbookLab.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '9686123c-0218-48d2-9102-2803e4692a60'
    Author               = 'GuestbookLab developers'
    CompanyName          = 'GuestbookLab'
    Copyright            = '(c) GuestbookLab developers. MIT License.'
    Description          = 'The Istio guestbook codelab as compiled cmdlets: typed, validated mesh resources in the pipeline, exported as manifests and checked offline.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.6'
    FormatsToProcess     = @('GuestbookLab.Format.ps1xml')
    CmdletsToExport      = @(
        'New-MeshGateway'
        'New-MeshVirtualService'
        'Add-MeshRoute'
        'Add-MeshFault'
        'Set-MeshRetryPolicy'
        'Set-MeshMirror'
        'New-MeshDestinationRule'
        'Add-MeshSubset'
        'Set-MeshCircuitBreaker'
        'Set-MeshTrafficSplit'
        'Enable-MeshStrictMtls'
        'Set-MeshProbeRewrite'
        'New-MeshAuthorizationPolicy'
        'Add-MeshAuthorizationRule'
        'Add-MeshJwtRule'
        'Get-MeshWorkloadIdentity'
        'Get-MeshJwtPrincipal'
        'Add-MeshEgressEntry'
        'New-MeshInstallConfig'
        'Set-MeshOutboundPolicy'
        'Enable-MeshInjection'
        'Connect-LabCluster'
        'Disconnect-LabCluster'
        'Publish-LabResource'
        'Compare-LabResource'
        'Get-LabResource'
        'Get-LabPod'
        'Wait-LabRollout'
        'Wait-LabResource'
        'Get-LabLog'
        'Invoke-LabCommand'
        'Remove-LabResource'
        'Get-LabAwsIdentity'
        'New-LabStateStore'
        'Remove-LabStateStore'
        'New-LabCluster'
        'Publish-LabCluster'
        'Wait-LabCluster'
        'Remove-LabCluster'
        'New-LabRegistry'
        'Get-LabRegistry'
        'Remove-LabRegistry'
        'New-LabRegistrySecret'
        'Test-MeshResource'
        'Test-MeshRequest'
        'Test-MeshConfiguration'
        'ConvertTo-LabYaml'
        'ConvertFrom-LabYaml'
        'Export-LabManifest'
        # kpack: image builds
        'New-LabBuildServiceAccount'
        'New-LabClusterStore'
        'New-LabClusterStack'
        'New-LabBuilder'
        'New-LabImage'
        'Wait-LabImage'

        # Istio install, addons, injection preview and dashboards
        'ConvertTo-MeshInjected'
        'Install-LabMeshAddon'
        'Get-LabIngressAddress'
        'Open-LabDashboard'
        'Close-LabDashboard'
        'New-LabDashboardService'
        'Get-LabConnection'
        'Install-LabIstio'
        'Uninstall-LabIstio'

        # kpack install and build logs
        'Install-LabKpack'
        'Get-LabBuildLog'

        # Live requests: client pods and requests
        'Start-LabClientPod'
        'Stop-LabClientPod'
        'Invoke-LabRequest'
        'Compare-MeshRequest'
        # The mesh as a picture
        'ConvertTo-MeshGraph'
        # Live requests: the workload certificate
        'Get-LabWorkloadCertificate'
        'Set-LabPodBehavior'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Istio', 'Kubernetes', 'ServiceMesh', 'Codelab', 'AWS', 'kops', 'ECR', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
