"""`python3 -m rtt_connector serve FILE_OR_MODULE` runs the connector a module defines as a
driver; `python3 -m rtt_connector install FILE_OR_MODULE [WORKSPACE]` writes the executable
the panel starts, WORKSPACE/.rtt/drivers/<name> (the panel runs only an executable named
exactly after the connector there)."""

import importlib
import importlib.util
import os
import shlex
import sys

from . import Connector, serve

USAGE = "usage: python3 -m rtt_connector serve FILE_OR_MODULE\n       python3 -m rtt_connector install FILE_OR_MODULE [WORKSPACE]"


def load(target):
    """The one Connector that a .py file or an importable module defines at its top level."""
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
