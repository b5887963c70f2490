"""A PEP 517 build backend in the standard library alone, so `pip install ./sdk/python` needs
nothing downloaded: pip's isolated build would otherwise fetch setuptools from an index. It
builds the one pure-Python wheel of rtt_connector (py3-none-any) from the files under it."""

import base64
import hashlib
import os
import zipfile

NAME, VERSION = "rtt_connector", "0.1.0"
METADATA = f"""Metadata-Version: 2.1
Name: rtt-connector
Version: {VERSION}
Summary: Write RTT connector drivers in Python
License: Apache-2.0
Requires-Python: >=3.9
Requires-Dist: grpcio>=1.51
Requires-Dist: protobuf>=4.21
"""
WHEEL = "Wheel-Version: 1.0\nGenerator: rtt_connector wheel_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
HERE = os.path.dirname(os.path.abspath(__file__))


def _files():
    for folder, dirs, names in os.walk(os.path.join(HERE, NAME)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                yield os.path.relpath(path, HERE).replace(os.sep, "/"), path


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info = f"{NAME}-{VERSION}.dist-info"
    wheel_name = f"{NAME}-{VERSION}-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        entries = [(arc, open(path, "rb").read()) for arc, path in _files()]
        entries += [(f"{dist_info}/METADATA", METADATA.encode()), (f"{dist_info}/WHEEL", WHEEL.encode())]
        for arcname, data in entries:
            z.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        records.append(f"{dist_info}/RECORD,,")
        z.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return wheel_name
