"""Rules over several environments at once: they run in ``envaudit diff`` (``check_diff``),
over the comparison of snapshots, and find nothing in a single scan.

EA706 belongs to the exposure family (EA7xx) by its ID; it lives here because it is the only
kind of rule that needs two environments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from envaudit.model import Finding, Location, Severity
from envaudit.rules.base import DiffRule, Rule, RuleMeta

if TYPE_CHECKING:
    from envaudit.diff import Comparison, VariableFilter


class KeyReusedAcrossEnvironments(DiffRule):
    """
    ## What it does
    In `envaudit diff`, finds a credential (any variable whose name marks a secret, or a known
    credential variable) that two environments meant to differ hold with the same value
    fingerprint: the same Anthropic key in development and production, say, under the same or
    another variable name.

    Environments are meant to differ when their names say different kinds of environment:
    the snapshot's name (`envaudit snapshot --name prod`, else `ENVAUDIT_ENVIRONMENT`,
    `APP_ENV`, `ENVIRONMENT`, `DEPLOY_ENV`, `STAGE`, `RAILS_ENV`, `VERCEL_ENV`, `NODE_ENV`...
    in the audited environment), else the file name given to `diff` (`dev.json`,
    `prod-eu.json`). `prod`, `production` and `prd` are one kind; so are `dev`, `development`
    and `local`; `staging`, `stage`, `uat` and `preview`; `test`, `ci` and `qa`. A snapshot
    whose kind cannot be told (`live`, `baseline.json`, no name) is compared with none:
    `diff baseline.json live` is one environment at two times, where the same key is expected.
    Values are compared by fingerprint only; snapshots made with different `ENVAUDIT_SALT`
    values cannot be compared and the rule says nothing.

    ## Why is this bad?
    A key shared by development and production puts production's spend limit, rate limit and
    audit trail in every laptop and CI job that holds the development key; revoking a leaked
    development key takes production down. Anthropic's workspaces exist to keep them apart.

    ## Example
    `dev.json` and `prod.json` both show `ANTHROPIC_API_KEY` as `sk-ant-api03-…x9AA (108
    chars, fp 3f2a9c0d1b7e4a65)`.

    ## Use instead
    Create a key per environment (a workspace per environment in the Anthropic Console), give
    each environment its own, and revoke the shared one once both are switched.

    ## References
    - shared/spec/rules.md, EA706
    - docs/snapshots.md, "Environment names"
    """

    meta = RuleMeta("EA706", "key-reused-across-environments", Severity.WARNING,
                    "(diff) two environments meant to differ share a credential fingerprint",
                    "give each environment its own key, then revoke the shared one")

    def check_diff(self, comparison: Comparison, keep: VariableFilter) -> Iterator[Finding]:
        """One finding per pair of environments of different kinds and credential they
        share, located in the later snapshot."""
        from envaudit.diff import effective, environment_class, is_credential

        snaps = comparison.snapshots
        if len({s.document["fingerprints"]["check"] for s in snaps}) > 1:
            return
        classes = [environment_class(s.document["name"]) if s.document.get("name")
                   else environment_class(_stem(s.label), known_only=True) for s in snaps]
        held: list[dict[str, tuple[str, str]]] = []  # fp -> (variable, shown)
        for s in snaps:
            mine: dict[str, tuple[str, str]] = {}
            for entry in s.document.get("variables") or ():
                name = entry["name"]
                winner = effective(entry)
                if (winner is not None and winner.get("value_fp") and keep(name)
                        and is_credential(name)):
                    mine.setdefault(winner["value_fp"], (name, winner["shown"]))
            held.append(mine)
        for j in range(1, len(snaps)):
            for i in range(j):
                if classes[i] is None or classes[j] is None or classes[i] == classes[j]:
                    continue
                for fp in sorted(held[i].keys() & held[j].keys()):
                    (name_i, shown), (name_j, _) = held[i][fp], held[j][fp]
                    named = (name_j if name_i == name_j
                             else f"{name_j} ({name_i} in {snaps[i].label})")
                    message = (f"{named} holds the same credential in {snaps[i].label} "
                               f"({classes[i]}) and {snaps[j].label} ({classes[j]}): {shown}")
                    yield self.finding(message, Location("snapshot", snaps[j].label), name_j,
                                       subject=f"{classes[i]}|{classes[j]}|{fp}")


def _stem(label: str) -> str | None:
    """The environment name a file name suggests (``prod`` for ``snapshots/prod.json``);
    ``None`` for ``live`` and ``-``."""
    if label in ("live", "-"):
        return None
    import os

    base = os.path.basename(label)
    return base.split(".", 1)[0] or None


RULES: tuple[Rule, ...] = (KeyReusedAcrossEnvironments(),)
