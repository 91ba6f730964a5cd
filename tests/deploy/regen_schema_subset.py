"""Regenerates tests/fixtures/deploy/aws_schema_subset.json: the argument and block names of the
resource and data types deploy/terraform uses, from a local hashicorp/aws provider.

Usage: in a rendered root where `terraform init` succeeded (e.g. with a filesystem mirror):
  terraform providers schema -json > schema.json
  python3 tests/deploy/regen_schema_subset.py schema.json PROVIDER_VERSION"""

import json
import os
import re
import sys

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
TREE = os.path.join(REPO, "deploy", "terraform")
OUT = os.path.join(REPO, "tests", "fixtures", "deploy", "aws_schema_subset.json")


def names(block):
    out = {"attributes": sorted(block.get("attributes", {})), "blocks": {}}
    for name, nested in sorted(block.get("block_types", {}).items()):
        out["blocks"][name] = names(nested["block"])
    return out


def main():
    schema_file, version = sys.argv[1], sys.argv[2]
    with open(schema_file) as f:
        schema = json.load(f)
    aws = next(v for k, v in schema["provider_schemas"].items() if k.endswith("hashicorp/aws"))
    used = set()
    for root, _, files in os.walk(TREE):
        for n in files:
            if n.endswith(".tf"):
                with open(os.path.join(root, n)) as f:
                    used |= set(re.findall(r'^(resource|data) "(aws_\w+)"', f.read(), re.M))
    subset = {"provider": "registry.terraform.io/hashicorp/aws", "version": version,
              "resource": {}, "data": {}}
    for kind, t in sorted(used):
        src = aws["resource_schemas" if kind == "resource" else "data_source_schemas"][t]
        subset[kind][t] = names(src["block"])
    # One type per line: short, and a diff shows which type changed.
    lines = ['{"provider": %s, "version": %s,' % (json.dumps(subset["provider"]),
                                                  json.dumps(version))]
    for kind in ("data", "resource"):
        entries = ["  %s: %s" % (json.dumps(t), json.dumps(b, sort_keys=True))
                   for t, b in sorted(subset[kind].items())]
        lines.append(' "%s": {\n%s\n }%s' % (kind, ",\n".join(entries),
                                              "," if kind == "data" else ""))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main()
