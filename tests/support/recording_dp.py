"""A recording stand-in for `pyspark.pipelines` (and Databricks' extras) plus a fake Spark.

Lets tests EXECUTE the Databricks-only code path: every decorator call is recorded with its
keyword arguments and the decorated function; calling a dataset's function on a
RecordingSpark returns a RecordingFrame listing every reader and DataFrame call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EXPECT_DECORATORS = (
    "expect",
    "expect_or_drop",
    "expect_or_fail",
    "expect_all",
    "expect_all_or_drop",
    "expect_all_or_fail",
)
DATASET_DECORATORS = ("table", "materialized_view", "temporary_view", "append_flow")


@dataclass
class Call:
    """One recorded call: which API, its arguments, the function it decorated (if any)."""

    api: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    func: Callable[..., Any] | None = None
    expectations: list[Call] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        """The dataset (or flow) name: `name=`, the first positional argument, or the function's name."""
        if "name" in self.kwargs:
            return self.kwargs["name"]
        if self.args and isinstance(self.args[0], str):
            return self.args[0]
        return getattr(self.func, "__name__", None)

    def expectation_dict(self, api: str) -> dict[str, str]:
        """The merged {rule: predicate} passed to one expect_* decorator on this dataset."""
        merged: dict[str, str] = {}
        for call in self.expectations:
            if call.api == api:
                merged |= call.args[0] if call.api.startswith("expect_all") else {call.args[0]: call.args[1]}
        return merged


class RecordingDP:
    """Use in place of `from pyspark import pipelines as dp`; see `calls` and `datasets`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def _dataset_decorator(self, api: str) -> Callable[..., Any]:
        def decorator(query_function: Callable[..., Any] | None = None, /, **kwargs: Any) -> Any:
            def register(func: Callable[..., Any]) -> None:
                pending = list(getattr(func, "__recorded_expectations__", []))
                self.calls.append(Call(api, (), kwargs, func, pending))

            if query_function is not None:
                register(query_function)
                return None
            return register

        return decorator

    def _expect_decorator(self, api: str) -> Callable[..., Any]:
        def decorator(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
            def attach(func: Callable[..., Any]) -> Callable[..., Any]:
                recorded = [*getattr(func, "__recorded_expectations__", []), Call(api, args, kwargs)]
                func.__recorded_expectations__ = recorded  # type: ignore[attr-defined]
                return func

            return attach

        return decorator

    def _plain(self, api: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append(Call(api, args, kwargs))

        return record

    def __getattr__(self, api: str) -> Callable[..., Any]:
        if api in DATASET_DECORATORS:
            return self._dataset_decorator(api)
        if api in EXPECT_DECORATORS:
            return self._expect_decorator(api)
        if api.startswith("_"):
            raise AttributeError(api)
        return self._plain(api)

    @property
    def datasets(self) -> dict[str, Call]:
        """Decorated datasets and flows by name (last one wins)."""
        return {c.name: c for c in self.calls if c.func is not None and c.name}

    def apis(self) -> list[tuple[str, str | None]]:
        """(api, name) of every call, in order."""
        return [(c.api, c.name) for c in self.calls]


@dataclass(frozen=True)
class Step:
    """One method call on a reader or frame."""

    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class RecordingFrame:
    """A DataFrame or reader that records every method called on it (chainable)."""

    def __init__(self, origin: str, steps: tuple[Step, ...] = ()) -> None:
        self.origin = origin
        self.steps = steps

    def __getattr__(self, method: str) -> Callable[..., RecordingFrame]:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args: Any, **kwargs: Any) -> RecordingFrame:
            return RecordingFrame(self.origin, (*self.steps, Step(method, args, kwargs)))

        return call

    def calls(self, method: str) -> list[Step]:
        return [s for s in self.steps if s.method == method]

    @property
    def reader_options(self) -> dict[str, str]:
        """Every reader option set with option()/options(), merged in order."""
        merged: dict[str, str] = {}
        for step in self.steps:
            if step.method == "option":
                merged[step.args[0]] = step.args[1]
            elif step.method == "options":
                merged |= step.kwargs
        return merged

    @property
    def reader_format(self) -> str | None:
        formats = self.calls("format")
        return formats[-1].args[0] if formats else None

    def expressions(self) -> list[str]:
        """Every SQL text passed to selectExpr/where/filter, in order."""
        texts: list[str] = []
        for step in self.steps:
            if step.method in ("selectExpr", "where", "filter"):
                texts += [a for a in step.args if isinstance(a, str)]
        return texts


class RecordingConf:
    """spark.conf over a plain dict."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = dict(values)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)


class RecordingSpark:
    """A SparkSession stand-in: readStream/read start RecordingFrames; conf from a dict."""

    def __init__(self, conf: dict[str, str] | None = None) -> None:
        self.conf = RecordingConf(conf or {})

    @property
    def readStream(self) -> RecordingFrame:
        return RecordingFrame("readStream")

    @property
    def read(self) -> RecordingFrame:
        return RecordingFrame("read")
