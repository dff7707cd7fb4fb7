#!/usr/bin/env bash
# Development-time fidelity check of the offline renderer (NOT run in CI: it
# needs a checkout of github.com/databricks/cli, which CI has no network for).
#
# Renders the CLI's built-in default-python template with the config of its
# acceptance test (acceptance/bundle/templates/default-python/<case>/input.json)
# and compares with the committed golden output tree of that test, after
# applying the acceptance harness's replacements (host -> [DATABRICKS_URL],
# user/short name -> [USERNAME], UUIDs -> [UUID], node type -> [NODE_TYPE_ID],
# long numbers -> [NUMID]) and its post-processing (.gitignore -> out.gitignore).
#
# usage: scripts/fidelity_default_python.sh /path/to/databricks-cli [case ...]
#   a case is a directory under acceptance/bundle/templates with input.json and
#   output/ (default: default-python/classic default-python/serverless); the
#   template is the built-in one named in the case's `script`, so other
#   built-in templates can be checked too (e.g. default-sql, lakeflow-pipelines/sql).
set -euo pipefail
cli=${1:?usage: $0 /path/to/databricks-cli-checkout [case ...]}
shift
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(default-python/classic default-python/serverless)
repo=$(cd "$(dirname "$0")/.." && pwd)
tpl="$cli/libs/template/templates"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in "${cases[@]}"; do
  acc="$cli/acceptance/bundle/templates/$c"
  name=$(grep -o 'bundle init [a-z-]*' "$acc/script" | head -1 | awk '{print $3}')
  out="$work/$c"
  mkdir -p "$out"
  # The acceptance test server: user tester@databricks.com, default catalog
  # hive_metastore, an AWS-like local host.
  DATABRICKS_HOST=http://127.0.0.1:12345 DATABRICKS_USER_NAME=tester@databricks.com \
  DATABRICKS_DEFAULT_CATALOG=hive_metastore \
    "$repo/scripts/bundle-init" "$tpl/$name" --shared-library "$tpl/common/library" \
      --config-file "$acc/input.json" --output-dir "$out" >/dev/null 2>"$out.stderr" \
    || { cat "$out.stderr"; exit 1; }
  python3 - "$out" "$acc/output" "$c" "$acc/script" <<'PY'
import os, re, sys
ours, gold, case, script = sys.argv[1:5]
# Some acceptance scripts delete generated files before the snapshot.
pruned = " -delete" in open(script).read()
for d, _, fs in os.walk(ours):
    for f in fs:
        if f == ".gitignore":
            os.rename(os.path.join(d, f), os.path.join(d, "out.gitignore"))
def norm(b):
    s = b.decode("utf-8", "replace")
    s = s.replace("http://127.0.0.1:12345", "[DATABRICKS_URL]")
    s = s.replace("127.0.0.1:12345", "[DATABRICKS_HOST]")
    # test-specific Repls (pydabs/test.toml)
    s = re.sub(r'"databricks-bundles==\d+\.\d+\.\d+"', '"databricks-bundles==0.0.0"', s)
    s = s.replace("tester@databricks.com", "[USERNAME]")
    s = re.sub(r"\btester\b", "[USERNAME]", s)
    s = re.sub(r"[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}", "[UUID]", s)
    s = s.replace("i3.xlarge", "[NODE_TYPE_ID]")
    s = re.sub(r"\d{8,}", "[NUMID]", s)
    return s
def files(root):
    return {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}
a, b = files(ours), files(gold)
if pruned:
    a &= b
same, diff = [], []
for p in sorted(a & b):
    x = open(os.path.join(ours, p), "rb").read()
    y = open(os.path.join(gold, p), "rb").read()
    ok = x == y or norm(x) == y.decode("utf-8", "replace")
    (same if ok else diff).append(p)
total = len(a | b)
print(f"{case}: identical {len(same)}/{total}" + (" (golden tree pruned by its script)" if pruned else ""))
for p in diff: print(f"  differs: {p}")
for p in sorted(a - b): print(f"  only ours: {p}")
for p in sorted(b - a): print(f"  only golden: {p}")
PY
done
