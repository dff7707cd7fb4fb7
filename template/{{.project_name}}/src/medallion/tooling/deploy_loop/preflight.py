"""Before `bundle deploy`: may the authenticated identities do what the target needs?

Asked of the workspace through the Databricks SDK, every call through `medallion.monitor.api.call`
(transient faults retried, all of it bounded by the deploy's `--timeout`):
- who deploys: `bundle validate`'s `workspace.current_user.userName` (the CLI's identity), and
  who calls the API: SCIM `Me` (a service principal's userName is its application id);
- the bundle's schema: creating it needs USE CATALOG and CREATE SCHEMA on its catalog; once it
  exists, USE CATALOG and USE SCHEMA. An owner holds every privilege on what it owns (and a
  catalog's owner on its schemas); other privileges are read from the effective permissions
  (inherited ones included) of the identity, its groups and `account users`;
- the SQL warehouse: `SELECT 1` as the API's identity (without CAN USE: PERMISSION_DENIED).
Anything missing is a `ConfigurationError` (exit 2) naming the identity, the privilege, the
securable and the fix, raised before anything is deployed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import DatabricksError, NotFound, PermissionDenied

from medallion.monitor.api import call
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.warehouse import SqlError, Warehouse
from medallion.sql import quote_identifier, quote_name

SETUP_SQL = "sql/setup.sql"
ACCOUNT_USERS = "account users"  # every account user and service principal is a member
ALL_PRIVILEGES = "ALL_PRIVILEGES"
MAX_PAGES = 100
_UC = "/api/2.1/unity-catalog"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    """A user or service principal and every principal whose grants it holds."""

    name: str
    principals: frozenset[str]

    def owns(self, owner: str | None) -> bool:
        return bool(owner) and owner in self.principals


@dataclass(frozen=True)
class Missing:
    """Privileges an identity lacks on one securable, and those the fix grants there."""

    identity: Identity
    kind: str  # catalog, schema
    name: str  # dotted, unquoted
    missing: tuple[str, ...]
    needed: tuple[str, ...]
    owner: str | None

    def describe(self) -> str:
        lacks = " and ".join(_words(p) for p in self.missing)
        grant = (
            f"GRANT {', '.join(_words(p) for p in self.needed)} ON {self.kind.upper()} "
            f"{quote_name(*self.name.split('.'))} TO {quote_identifier(self.identity.name)}"
        )
        if self.kind == "catalog":
            fix = f"the catalog's owner runs {SETUP_SQL} (or: {grant})"
        else:
            fix = f"the schema's owner{f' ({self.owner})' if self.owner else ''} runs: {grant}"
        return f"{self.identity.name} lacks {lacks} on {self.kind} {self.name}: {fix}"


class Preflight:
    """The checks of one deploy: `warehouse()` before any SQL runs, `unity_catalog()` before
    `bundle deploy` (after sql/setup.sql when the deploy runs it, since it grants the catalog)."""

    def __init__(self, client: WorkspaceClient, validated: dict[str, Any], warehouse: Warehouse) -> None:
        self.client = client
        self.validated = validated
        self.sql = warehouse
        self.caller = self._me()
        deployer = _current_user(validated) or self.caller.name
        same = deployer == self.caller.name
        self.deployer = self.caller if same else Identity(deployer, frozenset({deployer, ACCOUNT_USERS}))

    def warehouse(self) -> None:
        """`SELECT 1` on the warehouse as the API's identity; refused without CAN USE."""
        who, warehouse_id = self.caller.name, self.sql.warehouse_id
        try:
            self.sql.query("SELECT 1")
        except (DatabricksError, SqlError) as error:
            code = error.code if isinstance(error, SqlError) else error.error_code
            if isinstance(error, PermissionDenied) or code == "PERMISSION_DENIED":
                kind = "service_principal_name" if _UUID.match(who) else "user_name"
                acl = f'{{"access_control_list": [{{"{kind}": "{who}", "permission_level": "CAN_USE"}}]}}'
                raise ConfigurationError(
                    f"{who} cannot use SQL warehouse {warehouse_id}: grant it CAN USE in the warehouse's "
                    f"Permissions (databricks warehouses update-permissions {warehouse_id} --json '{acl}')"
                ) from None
            if isinstance(error, NotFound):
                raise ConfigurationError(
                    f"SQL warehouse {warehouse_id} does not exist (or {who} cannot see it): "
                    "pass --warehouse-id or set the bundle variable warehouse_id"
                ) from None
            raise

    def unity_catalog(self) -> None:
        """Refuse unless the deployer may create (or use) each schema of the bundle."""
        problems: list[str] = []
        for catalog, schema in _schemas(self.validated):
            problems += [m.describe() for m in self._schema(catalog, schema)]
        if problems:
            raise ConfigurationError("; ".join(problems))
        names = ", ".join(f"{c}.{s}" for c, s in _schemas(self.validated)) or "no schema"
        print(f"preflight: {self.deployer.name} may deploy to {names}", file=sys.stderr)

    # -- the API ---------------------------------------------------------------------------

    def _me(self) -> Identity:
        user = call(self.client, "GET /api/2.0/preview/scim/v2/Me", self.client.current_user.me)
        if not user.user_name:
            raise ConfigurationError("GET /api/2.0/preview/scim/v2/Me answered no userName: who deploys?")
        groups = {g.display for g in user.groups or [] if g.display}
        return Identity(user.user_name, frozenset({user.user_name, ACCOUNT_USERS, *groups}))

    def _schema(self, catalog: str, schema: str) -> list[Missing]:
        """What the deployer lacks to create `catalog.schema`, or to use it when it exists."""
        who = self.deployer
        catalog_owner = self._owner(f"GET {_UC}/catalogs/{catalog}", self.client.catalogs.get, catalog)
        if catalog_owner is None:
            raise ConfigurationError(
                f"catalog {catalog} does not exist: run {SETUP_SQL} as a metastore admin"
            )
        if who.owns(catalog_owner):
            return []
        full_name = f"{catalog}.{schema}"
        schema_owner = self._owner(f"GET {_UC}/schemas/{full_name}", self.client.schemas.get, full_name)
        exists = schema_owner is not None
        on_catalog = ("USE_CATALOG",) if exists else ("USE_CATALOG", "CREATE_SCHEMA")
        found = [self._lacks("catalog", catalog, on_catalog, catalog_owner)]
        if schema_owner is not None and not who.owns(schema_owner):
            found.append(self._lacks("schema", full_name, ("USE_SCHEMA",), schema_owner))
        return [m for m in found if m is not None]

    def _owner(self, endpoint: str, get: Callable[[str], Any], name: str) -> str | None:
        """The securable's owner ("" when it is hidden from the identity), None when it does not exist."""
        try:
            return call(self.client, endpoint, get, name).owner or ""
        except NotFound:
            return None
        except PermissionDenied:
            return ""  # it exists, but the identity may not even see it: its privileges tell

    def _lacks(self, kind: str, name: str, needed: tuple[str, ...], owner: str) -> Missing | None:
        """What of `needed` no principal of the deployer holds on `kind` (catalog, schema) `name`."""
        held: set[str] = set()
        for principal in _ordered(self.deployer):
            held |= self._effective(kind, name, principal)
            if ALL_PRIVILEGES in held or held.issuperset(needed):
                return None
        missing = tuple(p for p in needed if p not in held)
        return Missing(self.deployer, kind, name, missing, needed, owner or None)

    def _effective(self, kind: str, name: str, principal: str) -> set[str]:
        """Privileges `principal` holds on the securable, granted there or inherited."""
        try:
            return {p for page in self._pages(kind, name, principal) for p in page}
        except PermissionDenied:
            return set()  # not allowed to read them: nothing is proven held

    def _pages(self, kind: str, name: str, principal: str) -> Iterator[set[str]]:
        endpoint = f"GET {_UC}/effective-permissions/{kind}/{name}"
        token: str | None = None
        for _ in range(MAX_PAGES):
            answer = call(
                self.client,
                endpoint,
                self.client.grants.get_effective,
                kind,
                name,
                principal=principal,
                max_results=0,  # paginated, as the API asks
                page_token=token,
            )
            yield {
                _value(p.privilege)
                for a in answer.privilege_assignments or []
                if a.principal == principal
                for p in a.privileges or []
            }
            token = answer.next_page_token
            if not token:
                return


def _ordered(identity: Identity) -> list[str]:
    """The identity itself first, then its groups (one request each, only while needed)."""
    return [identity.name, *sorted(identity.principals - {identity.name})]


def _value(privilege: Any) -> str:
    return str(getattr(privilege, "value", privilege) or "")


def _words(privilege: str) -> str:
    return privilege.replace("_", " ")


def _current_user(validated: dict[str, Any]) -> str | None:
    workspace = validated.get("workspace")
    user = workspace.get("current_user") if isinstance(workspace, dict) else None
    name = user.get("userName") if isinstance(user, dict) else None
    return str(name) if name else None


def _schemas(validated: dict[str, Any]) -> list[tuple[str, str]]:
    """(catalog, schema) of every `resources.schemas` entry; the pipelines' targets when there is none."""
    resources = validated.get("resources")
    resources = resources if isinstance(resources, dict) else {}
    found = [
        (body.get("catalog_name"), body.get("name"))
        for body in _values(resources.get("schemas"))
        if isinstance(body, dict)
    ]
    if not found:
        found = [
            (body.get("catalog"), body.get("schema") or body.get("target"))
            for body in _values(resources.get("pipelines"))
            if isinstance(body, dict)
        ]
    named = [(str(c), str(s)) for c, s in found if c and s and "${" not in f"{c}{s}"]
    return list(dict.fromkeys(named))


def _values(mapping: Any) -> list[Any]:
    return list(mapping.values()) if isinstance(mapping, dict) else []
