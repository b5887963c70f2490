"""`python3 -m rtt_connector serve TARGET` runs the connector TARGET names as a driver;
`python3 -m rtt_connector install TARGET [WORKSPACE]` writes the executable the panel starts,
WORKSPACE/.rtt/drivers/<name> (the panel runs only an executable named exactly after the
connector there). TARGET is a .py file, an importable module, or `entry:<name>`: the entry
point <name> of the `rtt_connector` group, which an installed package declares in its
pyproject.toml as `[project.entry-points.rtt_connector] <name> = "package.module:connector"`."""

import importlib
import importlib.metadata
import importlib.util
import os
import shlex
import sys

from . import Connector, serve

USAGE = (
    "usage: python3 -m rtt_connector serve FILE.py|MODULE|entry:NAME\n"
    "       python3 -m rtt_connector install FILE.py|MODULE|entry:NAME [WORKSPACE]"
)
GROUP = "rtt_connector"


def entry_point(name):
    """The Connector the installed entry point `name` of the rtt_connector group names."""
    found = [e for e in importlib.metadata.entry_points().select(group=GROUP) if e.name == name]
    if not found:
        sys.exit(f"rtt_connector: no installed package declares the {GROUP} entry point {name!r}")
    connector = found[0].load()
    if not isinstance(connector, Connector):
        sys.exit(f"rtt_connector: entry point {name!r} ({found[0].value}) is not a define_connector(...)")
    return connector


def load(target):
    """The one Connector that a .py file or an importable module defines at its top level, or
    that an entry point names."""
    if target.startswith("entry:"):
        return entry_point(target[len("entry:") :])
    if target.endswith(".py"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
        spec = importlib.util.spec_from_file_location("rtt_connector_main", target)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    found = [v for v in vars(module).values() if isinstance(v, Connector)]
    if len(found) != 1:
        sys.exit(f"rtt_connector: {target} defines {len(found)} connectors at its top level; expected one")
    return found[0]


def install(target, workspace):
    connector = load(target)
    folder = os.path.join(workspace, ".rtt", "drivers")
    os.makedirs(folder, exist_ok=True)
    sdk = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    what = os.path.abspath(target) if target.endswith(".py") else target
    path = os.path.join(folder, connector.name)
    script = (
        "#!/bin/sh\n"
        f"# The {connector.name} connector, written by `python3 -m rtt_connector install`.\n"
        f"PYTHONPATH={shlex.quote(sdk)}${{PYTHONPATH:+:$PYTHONPATH}} "
        f"exec {shlex.quote(sys.executable)} -m rtt_connector serve {shlex.quote(what)}\n"
    )
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(script)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    print(f"wrote {path}")


def main(argv):
    if len(argv) >= 2 and argv[0] == "serve":
        serve(load(argv[1]))
    elif len(argv) in (2, 3) and argv[0] == "install":
        install(argv[1], argv[2] if len(argv) == 3 else ".")
    else:
        sys.exit(USAGE)


main(sys.argv[1:])
