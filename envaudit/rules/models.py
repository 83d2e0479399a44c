"""EA605-EA610: model IDs and max-tokens settings in the environment.

The catalogue is the installed SDK's own lists (``inventory.models.catalogue_for``) completed by
the bundled one (``merged``: the SDKs drop retired models, the bundled catalogue keeps them with
their end-of-life dates); limits come from ``inventory.models.token_limits``. Which variables
hold models and limits: ``Snapshot.model_variables`` / ``max_tokens_variables`` (from
``[tool.envaudit]``), else ``variables.MODEL_VARIABLES`` / ``MAX_TOKENS_VARIABLES`` plus
every ``ANTHROPIC_*`` / ``CLAUDE_*`` name ending in ``_MODEL`` / ``_MAX_TOKENS`` /
``_MAX_OUTPUT_TOKENS``. Dates are compared with ``Snapshot.today`` (the scan's date, pinned
in tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from envaudit.context import AuditContext, Site
from envaudit.lazyre import lazy
from envaudit.model import DeprecatedModel, Finding, ModelCatalogue, Severity
from envaudit.record import Record
from envaudit.rules.base import Rule, RuleMeta
from envaudit.rules.credentials import where
from envaudit.variables import MAX_TOKENS_VARIABLES, MODEL_VARIABLES, PROVIDER_PREFIXES

_MODEL_SUFFIXES = ("_MODEL",)
_LIMIT_SUFFIXES = ("_MAX_TOKENS", "_MAX_OUTPUT_TOKENS")
#: Platform model IDs (Bedrock ``anthropic.claude-…-v1:0`` with its region prefixes and ARNs,
#: Vertex ``claude-…@DATE``, a router's ``anthropic/claude-…``): outside the catalogue's names.
_PLATFORM = lazy(r"(?:[a-z]{2,4}\.)?anthropic\.|arn:|.*@|anthropic/", re.IGNORECASE)


class Catalogue(Record):
    """The merged catalogue with the look-ups the rules make."""

    catalogue: ModelCatalogue
    """The installed SDK's lists completed by the bundled ones."""
    ids: frozenset[str]
    """Every ID known (listed, deprecated or an alias)."""
    lower: dict[str, str]
    """Lower-case ID -> ID."""
    aliases: dict[str, str]
    """Alias -> model ID."""

    def deprecation(self, model: str) -> DeprecatedModel | None:
        """The model's end-of-life entry, its own or its alias target's."""
        own = self.catalogue.deprecation(model)
        if own is not None or model not in self.aliases:
            return own
        return self.catalogue.deprecation(self.aliases[model])

    def nearest(self, model: str) -> str | None:
        """The known ID closest to ``model`` (``difflib``, imported only here), or ``None``."""
        import difflib

        found = difflib.get_close_matches(model.lower(), list(self.lower), n=1, cutoff=0.75)
        return self.lower[found[0]] if found else None


_memo: list[tuple[AuditContext, Catalogue]] = []


def catalogue(ctx: AuditContext) -> Catalogue:
    """The merged catalogue of ``ctx``'s snapshot, built once per audit (four rules ask)."""
    if _memo and _memo[0][0] is ctx:
        return _memo[0][1]
    from envaudit.inventory.models import bundled, catalogue_for, merged

    cat = merged(catalogue_for(ctx.snapshot), bundled())
    ids = frozenset((*cat.models, *(d.model for d in cat.deprecated),
                     *(a for a, _ in cat.aliases)))
    built = Catalogue(cat, ids, {m.lower(): m for m in sorted(ids)}, dict(cat.aliases))
    _memo[:] = [(ctx, built)]
    return built


def model_variables(ctx: AuditContext) -> list[str]:
    """The variables holding model IDs: the configured ones, else the defaults and every
    provider-prefixed ``*_MODEL`` the app defines."""
    configured = ctx.snapshot.model_variables
    if configured is not None:
        return list(configured)
    return list(dict.fromkeys((*MODEL_VARIABLES, *sorted(
        n for n in ctx.names() if n.startswith(PROVIDER_PREFIXES) and n.endswith(
            _MODEL_SUFFIXES)))))


def max_tokens_variables(ctx: AuditContext) -> list[str]:
    """The variables holding max-tokens settings (as ``model_variables``)."""
    configured = ctx.snapshot.max_tokens_variables
    if configured is not None:
        return list(configured)
    return list(dict.fromkeys((*MAX_TOKENS_VARIABLES, *sorted(
        n for n in ctx.names() if n.startswith(PROVIDER_PREFIXES) and n.endswith(
            _LIMIT_SUFFIXES)))))


def _claude_like(value: str) -> bool:
    return value.strip().lower().startswith("claude")


def model_values(ctx: AuditContext) -> Iterator[tuple[Site, str, list[str]]]:
    """(site, value, loaders) for every model ID the app may load and the rules audit: not
    empty, no ``$`` left by interpolation (EA208/EA215's), not a platform ID; a variable
    without the provider's prefix only when its value names a Claude model."""
    if not ctx.provider_in_use:
        return
    for name in model_variables(ctx):
        ours = name.startswith(PROVIDER_PREFIXES) or ctx.snapshot.model_variables is not None
        for site, values in ctx.site_values(name):
            for value, loaders in values:
                if not value or "$" in value or not value.strip():
                    continue
                if _PLATFORM.match(value.strip()) or (not ours and not _claude_like(value)):
                    continue
                yield site, value, loaders


def _gateway(ctx: AuditContext) -> bool:
    return not ctx.base_url_is_anthropic


class ModelUnknown(Rule):
    """
    ## What it does
    Finds a model setting (`ANTHROPIC_MODEL`, `CLAUDE_MODEL`, `ANTHROPIC_SMALL_FAST_MODEL`,
    `MODEL=claude-…`, the names in `[tool.envaudit] model-variables`) whose ID no catalogue
    knows: neither the installed SDK's list (read from its files) nor envaudit's bundled
    catalogue, which keeps the retired models the SDKs have dropped. It suggests the nearest
    known ID. Behind a gateway (`ANTHROPIC_BASE_URL` not Anthropic's) only `claude…` IDs are
    checked, as a warning: a gateway may map names of its own. Platform IDs (Bedrock
    `anthropic.claude-…-v1:0`, Vertex `claude-…@DATE`) are left alone.

    ## Why is this bad?
    The SDKs accept any string as a model, so a typo (`claude-sonet-4-6`), a made-up version
    or a name from a blog post travels to the API, which answers `404 not_found_error: model:
    …` on the first request, in production.

    ## Example
    `ANTHROPIC_MODEL=claude-sonet-4-6`

    ## Use instead
    `ANTHROPIC_MODEL=claude-sonnet-4-6` (an ID the SDK lists: `anthropic.types.Model`).

    ## References
    - docs/sdk-facts.md, "Model lists and deprecation maps in the SDKs' own files"
    - research/sdk-facts.md, section 4 and D1 (the `Model` type accepts any string)
    """

    meta = RuleMeta("EA605", "model-unknown", Severity.ERROR,
                    "a model setting holds an ID no catalogue knows",
                    "use a model ID the SDK lists (anthropic.types.Model)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per model value no catalogue knows (and not a case variant: EA606's)."""
        values = list(model_values(ctx))
        if not values:
            return
        cat = catalogue(ctx)
        gateway = _gateway(ctx)
        from envaudit.redact import is_secret, show
        for site, value, loaders in values:
            model = value.strip()
            if value in cat.ids or (model in cat.ids and model == value):
                continue
            if model.lower() in cat.lower and model == value:
                continue  # EA606
            if gateway and not _claude_like(model):
                continue
            if is_secret(site.name, value):  # a key pasted into the model's line
                problem = f"holds {show(site.name, value)}, a credential, not a model ID"
            elif model != value:
                problem = f"has white space around {model!r}: the API gets {value!r}"
            else:
                problem = f"holds {model!r}, which no catalogue knows"
            near = None if is_secret(site.name, value) else cat.nearest(model)
            hint = f"; did you mean {near!r}?" if near else ""
            via = " (unless the gateway at ANTHROPIC_BASE_URL maps it)" if gateway else ""
            message = (f"{site.name} {problem}{where(site, loaders)}: the API answers 404 "
                       f"not_found_error{via}{hint} (checked against the "
                       f"{cat.catalogue.source})")
            yield self.finding(message, site.location, site.name,
                               severity=Severity.WARNING if gateway else None,
                               fix=f"set {site.name}={near}" if near else None,
                               subject=model)


class ModelCase(Rule):
    """
    ## What it does
    Finds a model setting whose ID is a known one except for letter case
    (`Claude-Sonnet-4-6`, `CLAUDE-HAIKU-4-5`).

    ## Why is this bad?
    Model IDs are compared exactly: the API answers `404 not_found_error` for the upper-case
    spelling, and the SDK's deprecation warning (an exact dictionary look-up) never fires for
    it either.

    ## Example
    `ANTHROPIC_MODEL=Claude-Sonnet-4-6`

    ## Use instead
    `ANTHROPIC_MODEL=claude-sonnet-4-6`

    ## References
    - research/sdk-facts.md, section 4 (`if model in DEPRECATED_MODELS`: an exact look-up)
    """

    meta = RuleMeta("EA606", "model-case", Severity.ERROR,
                    "a model ID that is right except for letter case",
                    "write the model ID in lower case, exactly as the SDK lists it")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per model value that is a known ID in another case."""
        values = list(model_values(ctx))
        if not values:
            return
        cat = catalogue(ctx)
        for site, value, loaders in values:
            if value in cat.ids:
                continue
            right = cat.lower.get(value.lower())
            if right is None:
                continue
            message = (f"{site.name} holds {value!r}{where(site, loaders)}: model IDs are "
                       f"exact, so the API answers 404 not_found_error; the ID is {right!r}")
            yield self.finding(message, site.location, site.name, fix=f"set {site.name}={right}",
                               subject=value)


def _eol(ctx: AuditContext) -> Iterator[tuple[Site, str, list[str], DeprecatedModel, bool]]:
    """(site, model, loaders, its end-of-life, past it) for every model value with one."""
    values = list(model_values(ctx))
    if not values:
        return
    cat = catalogue(ctx)
    today = ctx.snapshot.today or _today()
    for site, value, loaders in values:
        entry = cat.deprecation(value)
        if entry is None:
            continue
        yield site, value, loaders, entry, entry.date is not None and entry.date <= today


def _today() -> str:
    import time

    return time.strftime("%Y-%m-%d", time.gmtime())


def _source(ctx: AuditContext) -> str:
    return catalogue(ctx).catalogue.source


class ModelRetired(Rule):
    """
    ## What it does
    Finds a model setting whose model has reached its end-of-life date (on or before the scan's
    date), as the installed SDK's `DEPRECATED_MODELS` map or envaudit's bundled catalogue
    (which keeps the models the SDKs have dropped) gives it. An alias (`claude-opus-4-0`,
    `…-latest`) shares its model's date.

    ## Why is this bad?
    A retired model is gone: every request answers `404 not_found_error: model: …`. The SDK
    only warned (`DeprecationWarning`, `console.warn`) before the date, where few people look,
    and once a model is retired newer SDK releases drop it from their lists and their warning
    map, so nothing warns any more.

    ## Example
    `ANTHROPIC_MODEL=claude-3-5-haiku-latest` (end-of-life February 19th, 2026)

    ## Use instead
    `ANTHROPIC_MODEL=claude-haiku-4-5`

    ## References
    - docs/sdk-facts.md, "Model lists and deprecation maps in the SDKs' own files"
    - research/sdk-facts.md, D2 (`DEPRECATED_MODELS`)
    - research/anchors.md, "Model not found / deprecated model 404"
    """

    meta = RuleMeta("EA607", "model-retired", Severity.ERROR,
                    "a model setting names a model past its end-of-life date",
                    "move to a current model (the SDK's anthropic.types.Model lists them)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per model value past its end-of-life."""
        for site, model, loaders, entry, past in _eol(ctx):
            if not past:
                continue
            message = (f"{site.name} names {model!r}{where(site, loaders)}, retired on "
                       f"{entry.end_of_life} (per the {_source(ctx)}): every request answers "
                       "404 not_found_error")
            yield self.finding(message, site.location, site.name, subject=model)


class ModelDeprecated(Rule):
    """
    ## What it does
    Finds a model setting whose model is deprecated with an end-of-life date still ahead of the
    scan's date, and says the date (the SDK's own words) and how many days are left.

    ## Why is this bad?
    On that date the app starts failing with `404 not_found_error`. Until then the SDK warns
    on every call (`DeprecationWarning` in Python, which is hidden by default outside
    `__main__`; `console.warn` in Node), which logs rarely surface.

    ## Example
    `ANTHROPIC_MODEL=claude-opus-4-5` (end-of-life January 22nd, 2027)

    ## Use instead
    A current model (`claude-opus-4-8`), tested before the date.

    ## References
    - research/sdk-facts.md, section 4 (the warning's text) and D2
    - docs/sdk-facts.md, "Model lists and deprecation maps in the SDKs' own files"
    """

    meta = RuleMeta("EA608", "model-deprecated", Severity.WARNING,
                    "a model setting names a deprecated model with a future end-of-life date",
                    "move to a current model before its end-of-life date")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per model value deprecated with a date ahead (or a date that is not one)."""
        today = ctx.snapshot.today or _today()
        for site, model, loaders, entry, past in _eol(ctx):
            if past:
                continue
            left = _days_between(today, entry.date) if entry.date else None
            when = f" ({left} days from the scan)" if left is not None else ""
            message = (f"{site.name} names {model!r}{where(site, loaders)}, deprecated: it "
                       f"reaches end-of-life on {entry.end_of_life}{when}, then every request "
                       f"answers 404 (per the {_source(ctx)})")
            yield self.finding(message, site.location, site.name, subject=model)


def _days_between(a: str, b: str) -> int:
    from datetime import date

    return (date.fromisoformat(b) - date.fromisoformat(a)).days


class Setting(Record):
    """A max-tokens value read as a positive integer, or why it is not one."""

    number: int | None
    """The value, when it is a positive integer written with digits only."""
    problem: str | None
    """Otherwise, what is wrong."""


_DIGITS = lazy(r"[0-9]+\Z")


def parse_max_tokens(value: str) -> Setting:
    """``value`` as a max-tokens setting; never raises (a property test holds it)."""
    if _DIGITS.match(value):
        number = int(value)
        return Setting(number, None) if number > 0 else Setting(None, "is 0")
    if value != value.strip() and _DIGITS.match(value.strip()):
        return Setting(None, "has white space around the number (Python's int() accepts it; "
                             "JavaScript's Number() and stricter parsers may not, and a quoted "
                             "value in a config file does not)")
    core = value.strip()
    if core[:1] == "-" and _DIGITS.match(core[1:]):
        return Setting(None, "is negative")
    if re.match(r"[0-9]*\.[0-9]+\Z|[0-9]+\.[0-9]*\Z", core) or re.match(
            r"[0-9.]+[eE][+-]?[0-9]+\Z", core):
        return Setting(None, "is not a whole number (int() raises ValueError; the API wants an "
                             "integer)")
    if re.match(r"[0-9]+(\.[0-9]+)?\s*[kKmM]\Z", core):
        return Setting(None, "uses a k/M suffix (int() raises ValueError; parseInt('1k') is 1)")
    if "_" in core or "," in core:
        return Setting(None, "has separators in the number (int('8_192') works in Python, "
                             "int('8,192') and JavaScript's parsers do not)")
    return Setting(None, "is not a number")


def _shown_count(name: str, value: str) -> str:
    """A max-tokens value as a message may show it. NOTE: ``MAX_TOKENS`` names match the secret
    word TOKEN, so the redaction layer hides their values; a short one is a count, never a
    credential (and under the self-check's length for secrets by name), so it is quoted; a long
    one, or one with a credential's shape, is shown as its hint."""
    from envaudit.redact import looks_like_credential, show

    if len(value) < 12 and not looks_like_credential(value):
        return repr(value)
    return show(name, value)


def limit_values(ctx: AuditContext) -> Iterator[tuple[Site, str, list[str]]]:
    """(site, value, loaders) for every max-tokens value the app may load (non-empty, no ``$``
    left by interpolation), when the provider is in use."""
    if not ctx.provider_in_use:
        return
    for name in max_tokens_variables(ctx):
        for site, values in ctx.site_values(name):
            for value, loaders in values:
                if value and "$" not in value:
                    yield site, value, loaders


class MaxTokensInvalid(Rule):
    """
    ## What it does
    Finds a max-tokens setting (`MAX_TOKENS`, `ANTHROPIC_MAX_TOKENS`,
    `CLAUDE_CODE_MAX_OUTPUT_TOKENS`, `*_MAX_TOKENS`, the names in `[tool.envaudit]
    max-tokens-variables`) that is not a positive whole number written with digits only:
    `1024 ` (white space), `1k`, `1024.0`, `8,192`, `0`, `-1`.

    ## Why is this bad?
    The value reaches `max_tokens=int(os.environ[...])` or `Number(process.env...)`: `int("1k")`
    and `int("1024.0")` raise `ValueError` at start-up or on the first request, JavaScript's
    `parseInt("1k")` quietly gives 1 (one-token answers), and the API refuses 0 and negative
    values with `400 invalid_request_error`. Parsers disagree on white space and separators, so
    the same file works in one service and not in the next.

    ## Example
    `ANTHROPIC_MAX_TOKENS=4k`

    ## Use instead
    `ANTHROPIC_MAX_TOKENS=4096`

    ## References
    - research/sdk-facts.md, section 4 (`max_tokens` is an integer the SDK computes with)
    """

    meta = RuleMeta("EA609", "max-tokens-invalid", Severity.ERROR,
                    "a max-tokens setting that is not a positive integer",
                    "write max-tokens settings as digits only (4096)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per max-tokens value that is not a positive integer."""
        for site, value, loaders in limit_values(ctx):
            setting = parse_max_tokens(value)
            if setting.problem is None:
                continue
            message = (f"{site.name}={_shown_count(site.name, value)} {setting.problem}"
                       f"{where(site, loaders)}")
            yield self.finding(message, site.location, site.name, subject=setting.problem[:20])


def paired_model(ctx: AuditContext, name: str) -> tuple[str, str] | None:
    """(variable, model ID) of the model a max-tokens variable goes with: the model variable
    with the same prefix (``SUMMARY_MAX_TOKENS`` -> ``SUMMARY_MODEL``), else the first model
    variable the app sets (``ANTHROPIC_MODEL`` first)."""
    prefix = next((name[: -len(s)] for s in (*_LIMIT_SUFFIXES, "MAX_TOKENS",
                                             "MAX_OUTPUT_TOKENS") if name.endswith(s)), None)
    candidates = model_variables(ctx)
    if prefix:
        same = [f"{prefix}_MODEL" if not prefix.endswith("_") else f"{prefix}MODEL"]
        candidates = [*same, *candidates]
    for variable in candidates:
        value = ctx.effective_value(variable)
        if value and "$" not in value:
            return variable, value.strip()
    return None


class MaxTokensTooLarge(Rule):
    """
    ## What it does
    Compares each max-tokens setting with the limits of the model it goes with (the model
    variable with the same prefix, `SUMMARY_MAX_TOKENS` with `SUMMARY_MODEL`, else
    `ANTHROPIC_MODEL` or the first model setting): an error above the model's output maximum
    when envaudit's data knows one with its source (the SDKs' files carry none today, so it is
    "not known" for every model); a warning above what a non-streaming call may ask for, which
    the SDKs refuse before sending: 21,333 tokens for every model (`3600 × max_tokens / 128000
    > 600`: longer than the 10-minute default timeout), 8,192 for the IDs in the SDK's
    `MODEL_NONSTREAMING_TOKENS` (Claude Opus 4's first-party, Bedrock and Vertex IDs, Claude
    Opus 4.1's Bedrock and Vertex IDs; the look-up is exact, so `us.anthropic.…` profiles are
    not in it).

    ## Why is this bad?
    A non-streaming `messages.create(max_tokens=N)` with the default timeout raises
    `ValueError: Streaming is required for operations that may take longer than 10 minutes.`
    (TypeScript: `AnthropicError`) before any request is sent; streaming calls
    (`messages.stream`, `stream=True`) are not affected, nor are calls with an explicit
    `timeout`. Above a model's output maximum the API answers `400 invalid_request_error:
    max_tokens: N > M`.

    ## Example
    `ANTHROPIC_MODEL=claude-sonnet-4-6` and `ANTHROPIC_MAX_TOKENS=64000` for a service that
    calls `client.messages.create(...)`.

    ## Use instead
    Stream long answers (`client.messages.stream(...)`), pass an explicit `timeout`, or keep
    `ANTHROPIC_MAX_TOKENS` at 21333 or below (8192 for the IDs in `MODEL_NONSTREAMING_TOKENS`).

    ## References
    - research/sdk-facts.md, section 4 and D4 (`MODEL_NONSTREAMING_TOKENS`,
      `_calculate_nonstreaming_timeout`), D8 (the error text)
    - envaudit/data/models.toml, `[max-tokens]` (each limit with its source)
    """

    meta = RuleMeta("EA610", "max-tokens-too-large", Severity.ERROR,
                    "a max-tokens setting above the model's output limit, or above what a "
                    "non-streaming call may ask for",
                    "lower the setting, or stream the call (client.messages.stream)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per max-tokens value above a limit of its model."""
        values = list(limit_values(ctx))
        if not values:
            return
        from envaudit.inventory.models import token_limits

        limits = token_limits()
        for site, value, loaders in values:
            number = parse_max_tokens(value).number
            if number is None:
                continue
            paired = paired_model(ctx, site.name)
            variable, model = paired if paired else (None, None)
            with_model = f" for {model} ({variable})" if model else ""
            at = where(site, loaders)
            output = limits.output.get(model or "")
            if output is not None and number > output:
                message = (f"{site.name}={_shown_count(site.name, value)}{with_model}{at} is "
                           f"above the model's output "
                           f"maximum of {output}: the API answers 400 invalid_request_error")
                yield self.finding(message, site.location, site.name, subject="output")
                continue
            own = limits.nonstreaming.get(model or "")
            cap = min(own, limits.nonstreaming_default) if own else limits.nonstreaming_default
            if number <= cap:
                continue
            why = (f"the SDK's MODEL_NONSTREAMING_TOKENS entry for {model}, {own}" if own and
                   own < limits.nonstreaming_default else
                   f"{limits.nonstreaming_default:,} (an hour per 128,000 tokens exceeds the "
                   "10-minute default timeout)")
            message = (f"{site.name}={_shown_count(site.name, value)}{with_model}{at} is above "
                       f"what a non-streaming call may ask for, {why}: messages.create() "
                       "without stream=True raises "
                       "'Streaming is required for operations that may take longer than 10 "
                       "minutes.' before sending (streaming calls and an explicit timeout are "
                       "not affected)")
            yield self.finding(message, site.location, site.name, severity=Severity.WARNING,
                               subject="nonstreaming")


RULES: tuple[Rule, ...] = (ModelUnknown(), ModelCase(), ModelRetired(), ModelDeprecated(),
                           MaxTokensInvalid(), MaxTokensTooLarge())
