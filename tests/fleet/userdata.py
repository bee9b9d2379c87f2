#!/usr/bin/python3
"""The cloud-init user-data of installers/cloud-init/, checked and applied
with cloud-init's own code (Debian's cloud-init package; run it with the
system python3, which has it).

  userdata.py check USERDATA
      What `cloud-init schema` cannot see (it accepts unknown keys): the
      user-data writes the edgeup config its runcmd names, every file under
      /etc/edgeup is 0600 root:root, the config is TOML whose *-file keys
      point at files the user-data writes, runcmd has the one-line install
      with --config, -y and --json, and no `packages:` list installs the
      engine or IoT Edge (one apt transaction: the iotedge preinst fails).
      Prints each problem; exit 1 when there is any.

  userdata.py bash USERDATA
      Prints the scripts of runcmd's `bash -c SCRIPT` entries (for shellcheck).

  userdata.py readme-example README OUT
      Writes the ```yaml example of README's "### Provisioning a fleet"
      section (the first one starting with #cloud-config) to OUT, dedented.

  userdata.py apply USERDATA ROOT [--set TEXT=VALUE]... [--url FROM=TO]...
      Does what cloud-init's write_files and runcmd modules do, into ROOT:
      writes each write_files entry under ROOT (cc_write_files: content,
      permissions, owner), with TEXT replaced by VALUE in the contents, and
      the runcmd script (util.shellify, as cc_runcmd writes it) to
      ROOT/var/lib/cloud/instance/scripts/runcmd, with the URL prefix FROM
      replaced by TO (each --url must match at least once).
"""

import os
import re
import shlex
import sys
import tomllib

import yaml
from cloudinit import util
from cloudinit.config import cc_write_files

CONFIG_DIR = "/etc/edgeup/"
ENGINE_AND_EDGE = {"moby-engine", "moby-cli", "iotedge", "libiothsm-std", "aziot-edge"}
ONE_LINER = re.compile(r"curl [^|]*/install\.sh\s*\|\s*sh -s -- (install [^>\n]*)")


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.startswith("#cloud-config\n"):
        raise SystemExit(f"{path}: does not start with #cloud-config")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: not a YAML mapping")
    return data


def runcmd_text(data):
    cmds = data.get("runcmd") or []
    return util.shellify(cmds) if cmds else ""


def edgeup_args(data):
    """The arguments the one-liner gives edgeup, each one-liner's list."""
    return [shlex.split(m.group(1)) for m in ONE_LINER.finditer(runcmd_text(data))]


def check(path):
    data = load(path)
    problems = []
    files = {}
    for i, entry in enumerate(data.get("write_files") or []):
        p = entry.get("path") if isinstance(entry, dict) else None
        if not p:
            problems.append(f"write_files entry {i + 1} has no path")
            continue
        files[p] = entry
        if p.startswith(CONFIG_DIR):
            if str(entry.get("permissions")) != "0600":
                problems.append(f"{p}: permissions must be '0600' (it holds or names secrets)")
            if entry.get("owner") != "root:root":
                problems.append(f"{p}: owner must be root:root")
            if entry.get("encoding") or entry.get("append") or entry.get("defer"):
                problems.append(f"{p}: plain content expected (no encoding, append or defer)")
    one_liners = edgeup_args(data)
    if len(one_liners) != 1:
        problems.append(
            f"runcmd must run the one-line install (curl .../install.sh | sh -s -- install ...) once, found {len(one_liners)}"
        )
    for args in one_liners:
        for needed in ("-y", "--json", "--config"):
            if needed not in args:
                problems.append(f"the one-liner does not pass {needed} to edgeup: {shlex.join(args)}")
        if "--config" in args[:-1]:
            config = args[args.index("--config") + 1]
            if config not in files:
                problems.append(f"runcmd names --config {config}, which write_files does not write")
            else:
                try:
                    toml = tomllib.loads(files[config].get("content", ""))
                except tomllib.TOMLDecodeError as e:
                    problems.append(f"{config} is not TOML: {e}")
                    toml = {}
                for key, value in toml.items():
                    if key.endswith("-file") and value not in files:
                        problems.append(f"{config}: {key} = {value!r}, which write_files does not write")
    for pkg in data.get("packages") or []:
        name = pkg if isinstance(pkg, str) else (pkg[0] if pkg else "")
        if name.split("=")[0] in ENGINE_AND_EDGE:
            problems.append(
                f"packages: lists {name}: cloud-init installs the list in one apt transaction, "
                "and iotedge's preinst needs the engine installed before; leave it to edgeup"
            )
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    return 1 if problems else 0


def apply(path, root, sets, urls):
    data = load(path)
    entries = []
    for entry in data.get("write_files") or []:
        entry = dict(entry)
        content = entry.get("content", "")
        for old, new in sets:
            content = content.replace(old, new)
        entry["content"] = content
        entry["path"] = os.path.join(root, entry["path"].lstrip("/"))
        entries.append(entry)
    cc_write_files.write_files("write_files", entries, "root:root")
    script = runcmd_text(data)
    for old, new in urls:
        if old not in script:
            raise SystemExit(f"{path}: runcmd has no {old}")
        script = script.replace(old, new)
    out = os.path.join(root, "var/lib/cloud/instance/scripts/runcmd")
    util.write_file(out, script, mode=0o700)
    return 0


def bash_scripts(path):
    data = load(path)
    scripts = [
        cmd[2]
        for cmd in data.get("runcmd") or []
        if isinstance(cmd, list) and len(cmd) == 3 and cmd[0] == "bash" and cmd[1] == "-c"
    ]
    if not scripts:
        raise SystemExit(f"{path}: no bash -c entries in runcmd")
    for script in scripts:
        print(script)
    return 0


def readme_example(readme, out):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    start = text.find("\n### Provisioning a fleet\n")
    if start < 0:
        raise SystemExit(f"{readme}: no '### Provisioning a fleet' section")
    end = text.find("\n### ", start + 1)
    section = text[start : end if end > 0 else len(text)]
    for m in re.finditer(r"\n( *)```yaml\n(.*?)\n *```\n", section, re.S):
        indent, body = len(m.group(1)), m.group(2)
        lines = [line[indent:] if line.startswith(" " * indent) else line for line in body.split("\n")]
        if lines[0] == "#cloud-config":
            with open(out, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            return 0
    raise SystemExit(f"{readme}: no #cloud-config example in '### Provisioning a fleet'")


def pairs(args, flag):
    out = []
    while flag in args:
        i = args.index(flag)
        old, sep, new = args[i + 1].partition("=")
        if not sep:
            raise SystemExit(f"{flag} takes OLD=NEW")
        out.append((old, new))
        del args[i : i + 2]
    return out


def main(argv):
    if len(argv) >= 2 and argv[0] == "check":
        return max(check(p) for p in argv[1:])
    if len(argv) == 2 and argv[0] == "bash":
        return bash_scripts(argv[1])
    if len(argv) == 3 and argv[0] == "readme-example":
        return readme_example(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "apply":
        args = argv[3:]
        sets = pairs(args, "--set")
        urls = pairs(args, "--url")
        if args:
            raise SystemExit(f"unknown arguments: {args}")
        return apply(argv[1], argv[2], sets, urls)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
