//! Windows PowerShell, run as `powershell.exe -NoProfile -NonInteractive
//! -ExecutionPolicy Bypass -Command <script>`, where every value in the
//! script is a single-quoted literal (nothing inside is expanded: not `$`,
//! not backticks, not double quotes). Secrets never go into a script:
//! edgeup writes the config file itself.

use crate::system::CommandSpec;

/// A PowerShell single-quoted string literal: `'` doubled, nothing expanded.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        // PowerShell also treats the typographic single quotes as quotes.
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `@('a','b')`.
pub fn array(values: &[&str]) -> String {
    format!(
        "@({})",
        values
            .iter()
            .map(|v| quote(v))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// The command that runs a script in Windows PowerShell 5.1.
pub fn command(purpose: impl Into<String>, script: &str) -> CommandSpec {
    CommandSpec::new(
        purpose,
        "powershell.exe",
        &[
            "-NoProfile",
            "-NonInteractive",
            "-ExecutionPolicy",
            "Bypass",
            "-Command",
        ],
    )
    .args([script.to_string()])
}

/// Exit code scripts use for "done, but a reboot is needed" (as Windows Installer does).
pub const REBOOT_REQUIRED: i32 = 3010;

/// Enables the Containers feature; exits 3010 when Windows needs a reboot.
pub fn enable_feature(feature: &str) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; $r = Enable-WindowsOptionalFeature -Online -FeatureName {} -NoRestart -All; if ($r.RestartNeeded) {{ exit {REBOOT_REQUIRED} }}",
        quote(feature)
    )
}

/// Stops services if they exist.
pub fn stop_services(names: &[&str]) -> String {
    format!(
        "foreach ($s in {}) {{ Stop-Service -Name $s -ErrorAction SilentlyContinue }}",
        array(names)
    )
}

/// Installs a CAB with Add-WindowsPackage; exits 3010 when a reboot is needed.
pub fn add_windows_package(cab: &str) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; $r = Add-WindowsPackage -Online -PackagePath {} -NoRestart; if ($r.RestartNeeded) {{ exit {REBOOT_REQUIRED} }}",
        quote(cab)
    )
}

/// Adds folders to the machine PATH once each.
pub fn add_to_machine_path(dirs: &[&str]) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; $p = [Environment]::GetEnvironmentVariable('Path', 'Machine'); $parts = $p -split ';'; foreach ($d in {}) {{ if ($parts -notcontains $d) {{ $p = $p.TrimEnd(';') + ';' + $d }} }}; [Environment]::SetEnvironmentVariable('Path', $p, 'Machine')",
        array(dirs)
    )
}

/// Removes folders from the machine PATH.
pub fn remove_from_machine_path(dirs: &[&str]) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; $drop = {}; $p = ([Environment]::GetEnvironmentVariable('Path', 'Machine') -split ';' | Where-Object {{ $_ -and ($drop -notcontains $_) }}) -join ';'; [Environment]::SetEnvironmentVariable('Path', $p, 'Machine')",
        array(dirs)
    )
}

/// Sets (or with `None` removes) a machine environment variable.
pub fn set_machine_env(name: &str, value: Option<&str>) -> String {
    format!(
        "[Environment]::SetEnvironmentVariable({}, {}, 'Machine')",
        quote(name),
        value.map(quote).unwrap_or_else(|| "$null".into())
    )
}

/// Creates a folder that Authenticated Users (S-1-5-11) may modify: Windows
/// cannot bind the daemon's sockets to files, so it uses these folders.
pub fn socket_folder(path: &str) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; $d = {}; New-Item -ItemType Directory -Force -Path $d | Out-Null; $acl = Get-Acl -Path $d; $sid = New-Object System.Security.Principal.SecurityIdentifier('S-1-5-11'); $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($sid, 'Modify', 'ContainerInherit,ObjectInherit', 'None', 'Allow'); $acl.AddAccessRule($rule); Set-Acl -Path $d -AclObject $acl",
        quote(path)
    )
}

/// Starts a service and waits up to `seconds` for it to run; exits 1 if it does not.
pub fn start_service(name: &str, seconds: u32) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; Start-Service -Name {q}; $s = Get-Service -Name {q}; $s.WaitForStatus('Running', [TimeSpan]::FromSeconds({seconds}))",
        q = quote(name)
    )
}

/// The state of a service (`Running`, `Stopped`, ...), or `Missing`.
pub fn service_status(name: &str) -> String {
    format!(
        "$s = Get-Service -Name {} -ErrorAction SilentlyContinue; if ($s) {{ $s.Status.ToString() }} else {{ 'Missing' }}",
        quote(name)
    )
}

/// Removes a Windows package by name pattern; exits 3010 when a reboot is needed.
pub fn remove_windows_package(pattern: &str) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'; $r = $null; Get-WindowsPackage -Online | Where-Object {{ $_.PackageName -like {} }} | ForEach-Object {{ $r = Remove-WindowsPackage -Online -PackageName $_.PackageName -NoRestart }}; if ($r -and $r.RestartNeeded) {{ exit {REBOOT_REQUIRED} }}",
        quote(pattern)
    )
}

/// Removes a folder the Moby engine may hold on to: takes ownership, resets
/// the ACL and retries, as Microsoft's uninstall does (up to three times).
pub fn remove_folder(path: &str) -> String {
    format!(
        "$d = {}; for ($i = 0; $i -lt 3 -and (Test-Path $d); $i++) {{ takeown.exe /F $d /R /A /D Y | Out-Null; icacls.exe $d /grant 'Administrators:F' /T /C /Q | Out-Null; Remove-Item -Recurse -Force -Path $d -ErrorAction SilentlyContinue; if (Test-Path $d) {{ Start-Sleep -Seconds 2 }} }}; if (Test-Path $d) {{ exit 1 }}",
        quote(path)
    )
}

/// Removes a firewall rule by display name if it exists.
pub fn remove_firewall_rule(name: &str) -> String {
    format!(
        "Remove-NetFirewallRule -DisplayName {} -ErrorAction SilentlyContinue",
        quote(name)
    )
}

/// Adds the inbound firewall rule Linux containers on Windows need.
pub fn add_firewall_rule(name: &str, program: &str, ports: &str) -> String {
    format!(
        "if (-not (Get-NetFirewallRule -DisplayName {n} -ErrorAction SilentlyContinue)) {{ New-NetFirewallRule -DisplayName {n} -Direction Inbound -Action Allow -Protocol TCP -LocalPort {p} -Program {g} | Out-Null }}",
        n = quote(name),
        p = quote(ports),
        g = quote(program)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_value_as_a_literal() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(
            quote(r"C:\Program Files\iotedge"),
            r"'C:\Program Files\iotedge'"
        );
        assert_eq!(quote("it's"), "'it''s'");
        assert_eq!(
            quote("$env:PATH"),
            "'$env:PATH'",
            "no expansion inside single quotes"
        );
        assert_eq!(quote("a`b\"c"), "'a`b\"c'");
        assert_eq!(
            quote("x\u{2019}y"),
            "'x\u{2019}\u{2019}y'",
            "typographic quotes are doubled too"
        );
        assert_eq!(quote(""), "''");
        assert_eq!(array(&["a b", "c'd"]), "@('a b','c''d')");
    }

    #[test]
    fn a_path_with_spaces_quotes_and_dollars_stays_one_argument() {
        let cab = r"C:\Users\O'Brien $HOME\Downloads\Microsoft-Azure-IoTEdge-amd64.cab";
        let script = add_windows_package(cab);
        assert!(script.contains(r"-PackagePath 'C:\Users\O''Brien $HOME\Downloads\Microsoft-Azure-IoTEdge-amd64.cab' -NoRestart"), "{script}");
        let cmd = command("installing", &script);
        assert_eq!(cmd.program, "powershell.exe");
        assert_eq!(
            cmd.args[..5],
            [
                "-NoProfile",
                "-NonInteractive",
                "-ExecutionPolicy",
                "Bypass",
                "-Command"
            ]
        );
        assert_eq!(
            cmd.args.len(),
            6,
            "the script is one argument, not split on spaces"
        );
    }

    #[test]
    fn scripts_name_their_values() {
        assert!(enable_feature("Containers").contains("-FeatureName 'Containers' -NoRestart"));
        assert!(enable_feature("Containers").contains("exit 3010"));
        assert!(socket_folder(r"C:\ProgramData\iotedge\mgmt").contains("'S-1-5-11'"));
        assert!(start_service("iotedge", 60).contains("FromSeconds(60)"));
        assert!(
            add_to_machine_path(&[r"C:\Program Files\iotedge"])
                .contains(r"@('C:\Program Files\iotedge')")
        );
        assert!(set_machine_env("IOTEDGE_HOST", None).contains("$null"));
    }
}
