"""Draft a medallion.yml from sample files: read, type, profile, find keys, write YAML.

`infer_spec(paths)` is the whole flow; each step lives in its own module. Inference runs
on pandas/pyarrow samples only: no Spark, no JVM.
"""

from medallion.tooling.inference.draft import infer_spec

__all__ = ["infer_spec"]
