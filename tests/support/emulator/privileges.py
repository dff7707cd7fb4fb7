"""A Unity Catalog privilege model: owners, GRANTs (from SQL and from bundle `grants`) and the
checks a pipeline or task's identity must pass before it may touch a catalog, schema or volume.

Sources:
- "Unity Catalog privileges and securable objects" (docs.databricks.com/data-governance/
  unity-catalog/manage-privileges/privileges.html): securables are hierarchical (catalog >
  schema > table/volume) and privileges granted on a parent are inherited by its children;
  USE CATALOG / USE SCHEMA are required to reach any object inside; READ VOLUME / WRITE VOLUME
  on volumes; ALL PRIVILEGES stands for every privilege.
- "Manage Unity Catalog object ownership": an object's owner has all privileges on it; the
  creator of an object becomes its owner (the bundle's deployer for `resources.schemas` and
  `resources.volumes`).
- "Use Unity Catalog with pipelines" (docs.databricks.com/delta-live-tables/unity-catalog.html):
  USE CATALOG on the target catalog; USE SCHEMA + CREATE MATERIALIZED VIEW on the target schema
  when the pipeline creates materialized views; USE SCHEMA + CREATE TABLE when it creates
  streaming tables.
- Error text: `PERMISSION_DENIED: User does not have <PRIVILEGE> on <Kind> '<name>'.` as the
  platform words it (the monitor's diagnosis, medallion/monitor/diagnosis.py, parses this form).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

KINDS = ("CATALOG", "SCHEMA", "TABLE", "VOLUME", "MATERIALIZED VIEW", "VIEW", "FUNCTION")
ALL = "ALL PRIVILEGES"


def normalise(privilege: str) -> str:
    """Bundle grants write USE_SCHEMA, SQL writes USE SCHEMA: one spelling."""
    return " ".join(privilege.replace("_", " ").upper().split())


@dataclass(frozen=True)
class Securable:
    kind: str  # CATALOG, SCHEMA, VOLUME, TABLE
    name: str  # dotted, unquoted

    def parent(self) -> Securable | None:
        parts = self.name.split(".")
        if self.kind == "CATALOG" or len(parts) == 1:
            return None
        return Securable("CATALOG" if len(parts) == 2 else "SCHEMA", ".".join(parts[:-1]))

    def chain(self) -> list[Securable]:
        """This object and its ancestors (privileges are inherited downward)."""
        found: list[Securable] = []
        node: Securable | None = self
        while node is not None:
            found.append(node)
            node = node.parent()
        return found

    def label(self) -> str:
        return self.kind.title()


@dataclass(frozen=True)
class Need:
    """A privilege an action needs on a securable."""

    privilege: str
    securable: Securable

    def denied(self) -> str:
        return (
            f"PERMISSION_DENIED: User does not have {self.privilege} on "
            f"{self.securable.label()} '{self.securable.name}'."
        )


@dataclass
class PrivilegeModel:
    owners: dict[Securable, str] = field(default_factory=dict)
    grants: dict[Securable, dict[str, set[str]]] = field(default_factory=dict)
    metastore_admins: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)

    def set_owner(self, securable: Securable, principal: str, why: str = "") -> None:
        self.owners.setdefault(securable, principal)
        self.log.append(f"owner {securable.kind} {securable.name} = {principal} {why}".strip())

    def grant(self, securable: Securable, principal: str, privileges: Iterable[str], why: str = "") -> None:
        names = {normalise(p) for p in privileges}
        self.grants.setdefault(securable, {}).setdefault(principal, set()).update(names)
        listed = ", ".join(sorted(names))
        self.log.append(f"GRANT {listed} ON {securable.kind} {securable.name} TO {principal} {why}".strip())

    def has(self, principal: str, privilege: str, securable: Securable) -> bool:
        privilege = normalise(privilege)
        if principal in self.metastore_admins:
            return True
        for node in securable.chain():  # inheritance downward from catalog and schema
            if self.owners.get(node) == principal:  # an owner has all privileges on the object
                return True
            held = self.grants.get(node, {}).get(principal, set())
            if privilege in held or ALL in held:
                return True
        return False

    def missing(self, principal: str, needs: Iterable[Need]) -> list[Need]:
        return [n for n in needs if not self.has(principal, n.privilege, n.securable)]

    # -- sources of grants -----------------------------------------------------------------

    def apply_bundle(self, bundle: dict[str, Any], deployer: str) -> None:
        """Deploying creates the bundle's catalogs, schemas and volumes as the deployer (their
        owner) and applies each resource's `grants` (bundle schema: grants[].principal,
        grants[].privileges)."""
        resources = bundle.get("resources") or {}
        for body in (resources.get("catalogs") or {}).values():
            self._created(Securable("CATALOG", body["name"]), body, deployer)
        for body in (resources.get("schemas") or {}).values():
            self._created(Securable("SCHEMA", f"{body['catalog_name']}.{body['name']}"), body, deployer)
        for body in (resources.get("volumes") or {}).values():
            name = f"{body['catalog_name']}.{body['schema_name']}.{body['name']}"
            self._created(Securable("VOLUME", name), body, deployer)

    def _created(self, securable: Securable, body: dict[str, Any], deployer: str) -> None:
        self.set_owner(securable, deployer, "(created by the bundle deploy)")
        for grant in body.get("grants") or []:
            self.grant(securable, str(grant["principal"]), grant.get("privileges") or [], "(bundle grants)")

    def apply_sql(self, sql: str, executed_by: str) -> list[str]:
        """Record the effect of GRANT and CREATE CATALOG/SCHEMA statements; the others are
        returned untouched. Parsed with sqlglot's Databricks dialect (its tokenizer where the
        parser falls back to a bare command, as for ON CATALOG / ON VOLUME)."""
        recorded = []
        logging.getLogger("sqlglot").setLevel(logging.ERROR)  # the fallback to Command is expected
        for statement in sqlglot.parse(sql, read="databricks"):
            if statement is None:
                continue
            grant = _grant_of(statement)
            if grant is not None:
                securable, principals, privileges = grant
                for principal in principals:
                    self.grant(securable, principal, privileges, f"(SQL run by {executed_by})")
                recorded.append(statement.sql(dialect="databricks"))
                continue
            created = _created_of(statement)
            if created is not None:
                self.set_owner(created, executed_by, "(CREATE ... IF NOT EXISTS)")
                recorded.append(statement.sql(dialect="databricks"))
        return recorded


def _words(statement: exp.Expr) -> list[tuple[str, bool]]:
    """(text, is_identifier) tokens of a statement, backticks removed."""
    text = statement.sql(dialect="databricks")
    tokens = sqlglot.Dialect.get_or_raise("databricks").tokenize(text)
    return [(t.text, t.token_type in (TokenType.IDENTIFIER, TokenType.VAR)) for t in tokens]


def _grant_of(statement: exp.Expr) -> tuple[Securable, list[str], list[str]] | None:
    if isinstance(statement, exp.Grant):
        kind = str(statement.args.get("kind") or "").upper()
        target = statement.args["securable"]
        name = _dotted(target)
        principals = [p.this.name for p in statement.args.get("principals") or []]
        privileges = [
            p.this.name if isinstance(p.this, exp.Var) else p.this.sql() for p in statement.args["privileges"]
        ]
        return Securable(kind, name), principals, privileges
    if isinstance(statement, exp.Command) and str(statement.this).upper() == "GRANT":
        words = [w for w, _ in _words(statement)][1:]  # drop GRANT
        upper = [w.upper() for w in words]
        on = upper.index("ON")
        to = len(upper) - 1 - upper[::-1].index("TO")
        privileges = " ".join(words[:on]).split(",")
        rest = words[on + 1 : to]
        kind_words = 2 if " ".join(upper[on + 1 : on + 3]) == "MATERIALIZED VIEW" else 1
        kind = " ".join(upper[on + 1 : on + 1 + kind_words])
        name = "".join(rest[kind_words:])
        principals = [p for p in "".join(words[to + 1 :]).split(",") if p]
        return Securable(kind, name), principals, [p.strip() for p in privileges]
    return None


def _dotted(target: exp.Expr) -> str:
    if isinstance(target, exp.Table):
        return ".".join(p.name for p in target.parts)
    return target.name


def _created_of(statement: exp.Expr) -> Securable | None:
    if isinstance(statement, exp.Create) and str(statement.args.get("kind") or "").upper() == "SCHEMA":
        return Securable("SCHEMA", _dotted(statement.this))
    if isinstance(statement, exp.Command) and str(statement.this).upper() == "CREATE":
        words = [w for w, _ in _words(statement)]
        upper = [w.upper() for w in words]
        if len(upper) > 1 and upper[1] == "CATALOG":
            names = [w for w, u in zip(words[2:], upper[2:], strict=True) if u not in ("IF", "NOT", "EXISTS")]
            return Securable("CATALOG", names[0]) if names else None
    return None


# -- what work needs ------------------------------------------------------------------------


def schema_reach(catalog: str, schema: str) -> list[Need]:
    """USE CATALOG on the catalog and USE SCHEMA on the schema: needed to reach anything inside."""
    return [
        Need("USE CATALOG", Securable("CATALOG", catalog)),
        Need("USE SCHEMA", Securable("SCHEMA", f"{catalog}.{schema}")),
    ]


def pipeline_needs(
    catalog: str,
    schema: str,
    streaming_tables: bool = True,
    materialized_views: bool = True,
    read_volumes: Iterable[tuple[str, str, str]] = (),
    read_schemas: Iterable[tuple[str, str]] = (),
) -> list[Need]:
    """unity-catalog.html "Requirements" for a pipeline publishing to catalog.schema, plus READ
    VOLUME on volumes it reads (privileges.html) and SELECT on schemas of source tables."""
    needs = schema_reach(catalog, schema)
    target = Securable("SCHEMA", f"{catalog}.{schema}")
    if streaming_tables:
        needs.append(Need("CREATE TABLE", target))
    if materialized_views:
        needs.append(Need("CREATE MATERIALIZED VIEW", target))
    for vcat, vschema, volume in read_volumes:
        needs += schema_reach(vcat, vschema)
        needs.append(Need("READ VOLUME", Securable("VOLUME", f"{vcat}.{vschema}.{volume}")))
    for scat, sschema in read_schemas:
        needs += schema_reach(scat, sschema)
        needs.append(Need("SELECT", Securable("SCHEMA", f"{scat}.{sschema}")))
    return _unique(needs)


def volume_needs(catalog: str, schema: str, volume: str, write: bool) -> list[Need]:
    """READ VOLUME or WRITE VOLUME (privileges.html), after USE CATALOG and USE SCHEMA."""
    privilege = "WRITE VOLUME" if write else "READ VOLUME"
    return [
        *schema_reach(catalog, schema),
        Need(privilege, Securable("VOLUME", f"{catalog}.{schema}.{volume}")),
    ]


def _unique(needs: list[Need]) -> list[Need]:
    return list(dict.fromkeys(needs))
