"""The deploying identity and the bundle's workspace paths.

databricks/cli v1.13.0: `bundle/config/mutator/populate_current_user.go`, `libs/iamutil/user.go`
(GetShortUserName, GetShortUserDomainFriendlyName), `libs/iamutil/service_principal.go`,
`libs/textutil/textutil.go` (NormalizeString), `default_workspace_root.go`,
`expand_workspace_root.go`, `default_workspace_paths.go`, `prepend_workspace_prefix.go`,
`rewrite_workspace_prefix.go`.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from tests.support.emulator.model import CurrentUser, Diagnostic
from tests.support.emulator.tree import located, walk_strings


def normalize_string(name: str) -> str:
    """textutil.NormalizeString: lower-case, every rune that is not a letter or digit becomes
    `_`, runs of `_` collapse, leading and trailing `_` go."""
    lowered = name.lower()
    mapped = "".join(c if c.isalpha() or c.isdigit() else "_" for c in lowered)
    return re.sub(r"_+", "_", mapped).strip("_")


def is_service_principal(user_name: str) -> bool:
    """iamutil.IsServicePrincipalName: a user name that parses as a UUID is a service principal."""
    try:
        uuid.UUID(user_name)
    except ValueError:
        return False
    return True


def current_user(user_name: str, display_name: str | None = None) -> CurrentUser:
    """iamutil.GetShortUserName: the part of the user name before `@`, normalized (a service
    principal's display name is used instead when it has one); the domain-friendly name
    replaces what is not alphanumeric with `-` after removing accents (NormalizeMarks)."""
    principal = is_service_principal(user_name)
    name = display_name if principal and display_name else user_name
    short = normalize_string(name.split("@", 1)[0])
    unaccented = "".join(c for c in unicodedata.normalize("NFD", short) if unicodedata.category(c) != "Mn")
    friendly = "".join(c if c.isascii() and c.isalnum() else "-" for c in unaccented).lower()
    return CurrentUser(user_name, short, friendly, principal)


# prepend_workspace_prefix.go skipPrefixes
_SKIP_PREFIX = ("/Workspace/", "/Volumes/")
_PATH_FIELDS = ("root_path", "file_path", "resource_path", "artifact_path", "state_path")


def define_workspace_paths(config: dict[str, Any], user: CurrentUser) -> None:
    """Default root `~/.bundle/<name>/<target>`, `~/` expanded to `/Workspace/Users/<user>`,
    then files/resources/artifacts/state under the root unless set, then `/Workspace`
    prepended to absolute paths that start with neither /Workspace/ nor /Volumes/."""
    workspace = config.setdefault("workspace", {})
    bundle = config.get("bundle") or {}
    if not workspace.get("root_path"):
        # default_workspace_root.go
        workspace["root_path"] = f"~/.bundle/{bundle.get('name')}/{bundle.get('target')}"
    root = workspace["root_path"]
    if root.startswith("~/"):
        # expand_workspace_root.go
        workspace["root_path"] = located(f"/Workspace/Users/{user.user_name}/{root[2:]}".rstrip("/"), root)
    root = workspace["root_path"]
    # default_workspace_paths.go (path.Join)
    for field_name, leaf in (
        ("file_path", "files"),
        ("resource_path", "resources"),
        ("artifact_path", "artifacts"),
        ("state_path", "state"),
    ):
        if not workspace.get(field_name):
            workspace[field_name] = f"{root.rstrip('/')}/{leaf}"
    for field_name in _PATH_FIELDS:
        value = workspace.get(field_name)
        if isinstance(value, str) and value.startswith("/") and not value.startswith(_SKIP_PREFIX):
            workspace[field_name] = located("/Workspace" + value, value)


def rewrite_workspace_prefix(config: dict[str, Any]) -> list[Diagnostic]:
    """rewrite_workspace_prefix.go: `/Workspace${workspace.file_path}` (and the other path
    variables, with or without the slash) lose the redundant prefix, with a warning."""
    diagnostics: list[Diagnostic] = []
    for path, text in list(walk_strings(config)):
        new = text
        for field_name in _PATH_FIELDS:
            for pattern in (
                f"/Workspace/${{workspace.{field_name}}}",
                f"/Workspace${{workspace.{field_name}}}",
            ):
                if pattern in new:
                    new = new.replace(pattern, f"${{workspace.{field_name}}}")
        if new != text:
            node: Any = config
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = located(new, text)
            diagnostics.append(
                Diagnostic(
                    "warning",
                    f"substring with /Workspace prefix found in {text!r}. Please update this to {new!r}.",
                    str(getattr(text, "loc", "") or "") or None,
                    "bundle/config/mutator/rewrite_workspace_prefix.go",
                )
            )
    return diagnostics
