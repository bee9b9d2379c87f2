<#
.SYNOPSIS
    Downloads edgeup for Windows, verifies its SHA-256 and runs it with your arguments.

.DESCRIPTION
    For Windows PowerShell 5.1 and later, run as Administrator:

        # install with defaults (edgeup asks nothing it can do without)
        irm https://github.com/edgeup-dev/edgeup/releases/latest/download/install.ps1 | iex

        # pass arguments to edgeup with the scriptblock form
        & ([scriptblock]::Create((irm https://github.com/edgeup-dev/edgeup/releases/latest/download/install.ps1))) `
            install --connection-string-file C:\edge\device.conn -y

    Environment:
        EDGEUP_DOWNLOAD_URL  the base URL of edgeup-windows-amd64.exe and its .sha256
                             (default: the project's latest GitHub release)
        EDGEUP_VERSION       a release tag (v0.1.0) instead of the latest

    The download is refused (nothing runs) when the .sha256 file is missing or the
    hash differs. The script's exit code is edgeup's.
#>

function Write-EdgeupError([string] $Message) {
    # Not Write-Error: with $ErrorActionPreference = 'Stop' it would throw
    # before the exit code is returned.
    $Host.UI.WriteErrorLine("error: $Message")
}

function Invoke-EdgeupInstall {
    param([string[]] $EdgeupArgs)

    $ErrorActionPreference = 'Stop'
    Set-StrictMode -Version 2.0

    # Windows PowerShell 5.1 may still default to TLS 1.0.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

    $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        Write-EdgeupError 'edgeup changes the system: run this from an elevated PowerShell (Run as Administrator).'
        return 2
    }
    if (-not [Environment]::Is64BitOperatingSystem) {
        Write-EdgeupError 'IoT Edge for Windows runs on 64-bit (AMD64) Windows only.'
        return 3
    }

    $base = $env:EDGEUP_DOWNLOAD_URL
    if (-not $base) {
        # EDGEUP_VERSION=vX.Y.Z picks an edgeup release; any other value is
        # edgeup's own --version (an IoT Edge version) and is passed on.
        if ($env:EDGEUP_VERSION -match '^v\d+\.\d+\.\d+') {
            $base = "https://github.com/edgeup-dev/edgeup/releases/download/$($env:EDGEUP_VERSION)"
            Remove-Item Env:EDGEUP_VERSION
        } else {
            $base = 'https://github.com/edgeup-dev/edgeup/releases/latest/download'
        }
    }
    $base = $base.TrimEnd('/')
    if ($base -notmatch '^https://' -and $base -notmatch '^http://(127\.\d+\.\d+\.\d+|localhost)(:\d+)?(/|$)') {
        Write-EdgeupError "EDGEUP_DOWNLOAD_URL must be an https:// URL (plain http only for loopback): $base"
        return 2
    }

    $name = 'edgeup-windows-amd64.exe'
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('edgeup-' + [Guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        $exe = Join-Path $dir $name
        $sumFile = Join-Path $dir "$name.sha256"
        Write-Host "Downloading $base/$name"
        # -UseBasicParsing: no Internet Explorer engine on Server Core or IoT.
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$name" -OutFile $exe
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$name.sha256" -OutFile $sumFile

        # sha256sum format: "<hex>  <file name>"
        $expected = ((Get-Content -Path $sumFile -TotalCount 1) -split '\s+')[0].ToLowerInvariant()
        if ($expected -notmatch '^[0-9a-f]{64}$') {
            Write-EdgeupError "$base/$name.sha256 does not hold a SHA-256; refusing to run the download."
            return 8
        }
        $actual = (Get-FileHash -Algorithm SHA256 -Path $exe).Hash.ToLowerInvariant()
        if ($actual -ne $expected) {
            Write-EdgeupError "SHA-256 mismatch for ${name}: expected $expected, got $actual. Nothing was run."
            return 8
        }

        & $exe @EdgeupArgs
        return $LASTEXITCODE
    } finally {
        Remove-Item -Recurse -Force -Path $dir -ErrorAction SilentlyContinue
    }
}

# The whole script is the function above: a truncated download defines
# nothing and runs nothing.
$code = Invoke-EdgeupInstall -EdgeupArgs $args
if ($MyInvocation.InvocationName -ne '.' -and $MyInvocation.MyCommand.CommandType -eq 'ExternalScript') {
    exit $code
}
$global:LASTEXITCODE = $code
