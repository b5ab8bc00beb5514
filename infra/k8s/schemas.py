"""Copy the Kubernetes JSON schemas kubeconform needs out of kubernetes-validate's wheel.

`python infra/k8s/schemas.py <wheel> <out dir> <version>...` (run by `make k8s-tools`) writes
`<out dir>/v<version>-local-strict/<kind>-<group>-<version>.json` and its `_definitions.json`, the
layout kubeconform's `-schema-location` template names. The wheel's schemas carry an `$id` on
kubernetes.io and reference `/api/_definitions.json`, which a resolver would fetch from kubernetes.io;
here the `$id`s are dropped and the references made relative, so kubeconform reads everything from
disk and never goes online.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

PACKAGE_DIR = "kubernetes_validate/kubernetes-json-schema"


def extract(wheel: Path, out: Path, versions: list[str]) -> int:
    written = 0
    with zipfile.ZipFile(wheel) as archive:
        for version in versions:
            folder = f"v{version}-local-strict"
            prefix = f"{PACKAGE_DIR}/{folder}/"
            names = [name for name in archive.namelist() if name.startswith(prefix) and name.endswith(".json")]
            if not names:
                raise SystemExit(f"{wheel.name} has no schemas for Kubernetes {version} ({prefix})")
            target = out / folder
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                schema = json.loads(archive.read(name))
                if isinstance(schema, dict):
                    schema.pop("$id", None)
                text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
                (target / name.removeprefix(prefix)).write_text(text)
                written += 1
    return written


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        raise SystemExit("usage: schemas.py <kubernetes-validate wheel> <out dir> <kubernetes version>...")
    wheel, out, versions = Path(argv[0]), Path(argv[1]), argv[2:]
    print(f"k8s schemas: {extract(wheel, out, versions)} files for Kubernetes {', '.join(versions)} in {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
