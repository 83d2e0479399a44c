"""EA1xx: is the Anthropic credential the app will load usable?"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from envaudit.catalogue import KeyFormat, credentials
from envaudit.context import AuditContext, Site, app_groups
from envaudit.loaders import loader_label
from envaudit.model import (
    COMPOSE,
    DOCKER_ENV_FILE,
    ENVIRONMENTS,
    PROCESS,
    PYTHON_DOTENV,
    Definition,
    Finding,
    Location,
    Severity,
)
from envaudit.redact import hint, salt
from envaudit.rules.base import Rule, RuleMeta
from envaudit.sdkfacts import fact
from envaudit.variables import misnamed_target

_WHITESPACE = " \t\r\n\x00\x0b\x0c"
_QUOTES = "\"'`"
_SMART_QUOTES = (
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\uff02\uff07"
)
_KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_INVISIBLE = frozenset("\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad\u202f\u2007\u2800")
#: What ``core`` strips from both ends: white space, ASCII and typographic quotes, invisibles.
_EDGE = _WHITESPACE + _QUOTES + _SMART_QUOTES + "".join(sorted(_INVISIBLE))
#: A key-kind segment as Anthropic spells them (``api03``, ``admin01``, ``oat01``). Only a
#: segment of this shape is quoted in a message: anything else may be part of the secret.
_KIND = re.compile(r"sk-ant-([a-z]{2,8}[0-9]{2})-")


def anthropic_variables() -> list[str]:
    """Variables that hold an Anthropic credential (API key, token, admin key)."""
    return list(credentials().variables)


def sdk_variables() -> list[str]:
    """The credential variables the Anthropic SDKs read themselves."""
    return [name for name, spec in credentials().variables.items() if spec.get("sdk")]


def credential_variables(ctx: AuditContext) -> list[str]:
    """Anthropic credential variables, plus the platform ones when the provider is in use.

    NOTE: ``AWS_ACCESS_KEY_ID`` and friends are everybody's variables: in a project that does not
    use Anthropic they are none of envaudit's business.
    """
    cat = credentials()
    names = list(cat.variables)
    if ctx.provider_in_use:
        names += list(cat.platform_variables)
    return names


def core(value: str) -> str:
    """The value without surrounding white space, quotes (ASCII or typographic) and invisible
    characters: what the user meant to paste."""
    return value.strip(_EDGE)


def is_odd_character(char: str) -> bool:
    """A character above U+007E or an invisible one: EA105's business."""
    return ord(char) > 126 or char in _INVISIBLE


def is_visible_ascii(text: str) -> bool:
    """No character EA105 would report."""
    return not any(map(is_odd_character, text))


@functools.lru_cache(maxsize=1)
def _formats() -> tuple[tuple[tuple[KeyFormat, re.Pattern[str]], ...],
                        tuple[tuple[KeyFormat, re.Pattern[str]], ...]]:
    """The catalogue's Anthropic and foreign formats, each with its pattern compiled once
    (``KeyFormat.pattern`` looks it up in ``re``'s cache at every call)."""
    cat = credentials()
    return (tuple((fmt, fmt.pattern) for fmt in cat.anthropic),
            tuple((fmt, fmt.pattern) for fmt in cat.foreign))


#: How many values the classifiers below remember: the values of a large monorepo (a run
#: classifies each value in several rules).
_REMEMBERED = 8192


@functools.lru_cache(maxsize=_REMEMBERED)
def anthropic_kind(value: str) -> KeyFormat | None:
    """The Anthropic credential format ``value`` matches exactly, if any."""
    for fmt, pattern in _formats()[0]:
        if pattern.fullmatch(value):
            return fmt
    return None


@functools.lru_cache(maxsize=_REMEMBERED)
def foreign_kind(value: str) -> KeyFormat | None:
    """Another provider's credential format ``value`` matches, if any."""
    if value.startswith("sk-ant-") or credentials().any_foreign.fullmatch(value) is None:
        return None
    for fmt, pattern in _formats()[1]:
        if pattern.fullmatch(value):
            return fmt
    return None


def _looks_random(body: str) -> bool:
    """A key's random part rather than a template's words (``your-key-here``, ``xxxx``)."""
    classes = sum((any(c.isupper() for c in body), any(c.islower() for c in body),
                   any(c.isdigit() for c in body)))
    return len(body) >= 32 and len(set(body)) >= 12 and classes >= 2


@functools.lru_cache(maxsize=_REMEMBERED)
def is_placeholder(value: str) -> bool:
    """A documentation placeholder rather than a credential.

    A well-formed key never is one, and neither is an ``sk-ant-`` value whose random part looks
    random: a truncated real key that happens to start with ``xxx`` or ``your`` is EA107's.
    """
    text = core(value)
    if text.startswith("sk-ant-"):
        kind = _KIND.match(text)
        if _looks_random(text[kind.end():] if kind else text[len("sk-ant-"):]):
            return False  # the common key, well-formed or not: no pattern needed (nor compiled)
    # NOTE: then the placeholder patterns: they turn away the common value fastest.
    if not text or credentials().placeholders.fullmatch(text) is None:
        return False
    return not (anthropic_kind(text) or foreign_kind(text))


def article(text: str) -> str:
    """``an`` before a vowel sound (``an OpenAI``, ``an xAI``, ``an AWS``), else ``a``."""
    vowel = text[:1].lower() in "aeiou" or text.startswith("xAI") or (
        text[:1] in "FHLMNRSX" and text[1:2].isupper())
    return "an" if vowel else "a"


def where(site: Site, loaders: list[str]) -> str:
    """`` (as docker --env-file reads it)`` when only some loaders in use see this value."""
    if site.location.source in ENVIRONMENTS or len(loaders) == len(site.values):
        return ""
    return " (as " + " and ".join(loader_label(x) for x in loaders) + " reads it)"


def value_sites(ctx: AuditContext, names: list[str]) -> Iterator[tuple[Site, str, list[str]]]:
    """(site, value, loaders) for every non-empty value of ``names`` the app may load."""
    for name in names:
        for site, values in ctx.site_values(name):
            for value, loaders in values:
                if value:
                    yield site, value, loaders


def has_credential(ctx: AuditContext) -> bool:
    """Some credential reaches the app: a variable, a profile, federation, platform credentials."""
    cat = credentials()
    names = list(cat.variables) + list(cat.platform_variables) + list(cat.platform_markers)
    names.append(cat.profile_variable)
    if any(ctx.effective_value(n) for n in names):
        return True
    if any(all(ctx.effective_value(n) for n in group) for group in cat.federation):
        return True
    return bool(ctx.snapshot.profile_files)


def empty_winners(ctx: AuditContext) -> list[Definition]:
    """Winning definitions of an SDK credential variable that are empty or bare (EA102's)."""
    out = []
    for name in sdk_variables():
        for loader in ctx.snapshot.loaders or (PYTHON_DOTENV,):
            d = ctx.effective(name, loader)
            if d is not None and not d.value and d not in out:
                out.append(d)
    return out


def misnamed_sites(ctx: AuditContext) -> Iterator[tuple[Site, str]]:
    """(site, real name) for every near-miss name that holds a value (EA112's)."""
    for name in sorted(ctx.names()):
        target = misnamed_target(name)
        if target is None:
            continue
        for site in ctx.sites(name):
            if any(site.values.values()):
                yield site, target


class KeyMissing(Rule):
    """
    ## What it does
    Checks that some Anthropic credential reaches the app: `ANTHROPIC_API_KEY`,
    `ANTHROPIC_AUTH_TOKEN`, a profile (`ANTHROPIC_PROFILE` or an active profile file),
    workload-identity federation variables, or platform credentials (Bedrock, Vertex, Foundry).
    It looks at the process environment and at every `.env` file the app may load; it does not
    fire with `--no-process-env`, where the run-time environment is unknown. A key that is
    defined but empty is EA102's (it is blocked, not missing); a key under a near-miss name is
    named in the message and reported by EA112.

    ## Why is this bad?
    Neither SDK checks for a key when the client is built. The first request fails instead:
    Python raises `TypeError: "Could not resolve authentication method…"`, TypeScript throws
    `Error: Could not resolve authentication method…`, far from the cause.

    ## Example
    A project whose `.env.example` lists `ANTHROPIC_API_KEY`, with no `.env` and nothing
    exported.

    ## Use instead
    Export `ANTHROPIC_API_KEY` in the deployment, or put it in the `.env` the app loads.

    ## References
    - research/sdk-facts.md, "Missing key" and D8
    """

    meta = RuleMeta("EA101", "key-missing", Severity.ERROR,
                    "no Anthropic credential is set in any source the app will load",
                    "set ANTHROPIC_API_KEY in the environment or in the .env file the app loads")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once when the provider is in use and no credential is found."""
        if not ctx.has_process_env or not ctx.provider_in_use or has_credential(ctx):
            return
        if empty_winners(ctx):
            return
        files = [f.path for f in ctx.env_files]
        searched = ctx.environment_words() + (
            " and " + ", ".join(files[:5]) + (" …" if len(files) > 5 else "") if files else "")
        listed = sorted({f.path for f in ctx.example_files for reading in f.readings
                         for d in reading.definitions if d.name == "ANTHROPIC_API_KEY"})
        template = (f" ({listed[0]} lists ANTHROPIC_API_KEY, but nothing the app loads sets it)"
                    if listed else "")
        near = sorted({site.name for site, target in misnamed_sites(ctx)
                       if target in credentials().variables})
        if near:
            template += f" ({', '.join(near)} {'looks' if len(near) == 1 else 'look'} like a " \
                        "near-miss name: EA112)"
        message = (f"no Anthropic credential is set: searched {searched}{template}. "
                   f"{fact('key-missing', 'python')}; {fact('key-missing', 'ts')}")
        yield self.finding(message, ctx.environment_location, "ANTHROPIC_API_KEY")


class KeyEmpty(Rule):
    """
    ## What it does
    Finds a credential variable that is defined but empty (`ANTHROPIC_API_KEY=`, or a bare
    `ANTHROPIC_API_KEY` line) where it matters: exported empty while a `.env` file holds the
    value (the empty variable blocks it), or the definition the app ends up with while no other
    credential is set. An empty line in a `.env` file is left alone when a higher-precedence
    source sets the key, when another credential is in use, and, for discovered files, with
    `--no-process-env` (the deployment may set the key).

    ## Why is this bad?
    Both SDKs treat `""` as unset, so the first request fails with "Could not resolve
    authentication method". An exported empty variable is worse: `load_dotenv()` and
    `dotenv.config()` keep existing variables, even empty ones, so the key in `.env` never
    loads.

    ## Example
    `export ANTHROPIC_API_KEY=` in a shell profile, with the real key in `.env`.

    ## Use instead
    `unset ANTHROPIC_API_KEY`, or give it the real value. An empty line in a committed
    template is fine when a higher-precedence source sets the key.

    ## References
    - research/sdk-facts.md, headline fact 11
    - research/dotenv-semantics.md, "Already-set process variable, including an EMPTY one"
    """

    meta = RuleMeta("EA102", "key-empty", Severity.ERROR,
                    "a credential variable is defined but empty",
                    "give the variable its value, or remove the empty definition")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire on empty exported variables that block a file value, and on empty winning
        definitions of an SDK variable while no credential is set."""
        winners = empty_winners(ctx)
        found = has_credential(ctx)
        sdk = set(sdk_variables())
        for name in credential_variables(ctx):
            for site in ctx.sites(name):
                empty = [ld for ld, v in site.values.items() if not v]
                if not empty:
                    continue
                is_process = site.location.source in ENVIRONMENTS
                blocks = is_process and any(
                    s.location.source == "dotenv" and any(s.values.values())
                    for s in ctx.sites(name))
                won = any(w.name == name and w.location == site.location for w in winners)
                known_env = ctx.has_process_env or (
                    site.file is not None and site.file.origin != "discovered")
                if not (blocks or (name in sdk and won and known_env and not found)):
                    continue
                bare = all(site.values[ld] is None for ld in empty)
                what = "is declared without a value" if bare else "is empty"
                effects = [fact("key-empty", "all")] if name in sdk else []
                if blocks:
                    effects.append(fact("key-empty", "exported"))
                message = f"{name} {what}{where(site, empty)}: {'; '.join(effects)}"
                yield self.finding(message, site.location, name)


class KeyWhitespace(Rule):
    """
    ## What it does
    Finds white space or control characters around (or inside) a credential value as the app's
    loader yields it: a trailing newline, CR, space or tab, a leading space, an embedded line
    break or a NUL byte.

    ## Why is this bad?
    The Python SDK puts the value into a header unchanged; h11 refuses it and every request
    fails with the misleading `APIConnectionError: Connection error.` (after two retries;
    anthropic 2.17 names the host and the cause instead: `Connection to HOST failed:
    LocalProtocolError`, still without saying it is the key). The
    TypeScript SDK trims the ends of the value, so the same key works from Node, and the bug
    looks environment-specific. Typical sources: `echo key > file` (newline), a double-quoted
    `"sk-…\\n"`, a Windows CR, or docker `--env-file` keeping trailing spaces.

    ## Example
    `ANTHROPIC_API_KEY="sk-ant-api03-…AA\\n"`

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA` with nothing after the key.

    ## References
    - research/sdk-facts.md, headline fact 8 and section 1 "Malformed keys"
    """

    meta = RuleMeta("EA103", "key-whitespace", Severity.ERROR,
                    "white space or control characters around the credential",
                    "remove the white space around the key (and check how the value is quoted)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value with surrounding white space, a line break or a NUL."""
        for site, value, loaders in value_sites(ctx, credential_variables(ctx)):
            problem = describe_whitespace(value)
            if problem is None:
                continue
            at_ends = problem.startswith(("ends with", "starts with"))
            if "NUL" in problem:
                effect = fact("key-nul", "python")
            elif problem.startswith("starts with"):
                effect = fact("key-whitespace", "python-leading")
            else:
                effect = fact("key-whitespace", "python")
            ts = fact("key-whitespace", "ts" if at_ends else "ts-inner")
            message = f"{site.name} {problem}{where(site, loaders)}: {effect}; {ts}"
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


def describe_whitespace(value: str) -> str | None:
    """What is wrong with the white space of ``value``, or ``None``."""
    if not value:
        return None
    if "\x00" in value:
        return "contains a NUL byte"
    names = {"\n": "a newline", "\r": "a carriage return (CR)", " ": "a space", "\t": "a tab",
             "\x0b": "a vertical tab", "\x0c": "a form feed"}
    if value[-1] in names:
        return f"ends with {names[value[-1]]}"
    if value[0] in names:
        return f"starts with {names[value[0]]}"
    if "\n" in value or "\r" in value:
        return "contains a line break"
    return None


class KeyQuoted(Rule):
    """
    ## What it does
    Finds a credential whose value still carries quote characters as the loader yields it.

    ## Why is this bad?
    `docker run --env-file` takes values verbatim: `ANTHROPIC_API_KEY="sk-ant-…"` reaches the
    container with the quotes, and the API answers 401 (so does compose's `env_file` with
    `format: raw`). The same file works with python-dotenv, node dotenv and compose's default
    format, which strip the quotes, so it works locally and fails in the container. Doubled
    quoting (`"'sk-…'"`), backticks (python-dotenv keeps them) and a secret saved with its
    quotes in CI settings do the same with every loader.

    ## Example
    `ANTHROPIC_API_KEY="sk-ant-api03-…AA"` in a file given to `docker run --env-file`.

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA` (no quotes: keys need none).

    ## References
    - research/dotenv-semantics.md, "What bites", item 1
    """

    meta = RuleMeta("EA104", "key-quoted", Severity.ERROR,
                    "the credential value still carries its quotes",
                    "remove the quotes around the key (docker --env-file keeps them)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value that starts or ends with a quote character."""
        for site, value, loaders in value_sites(ctx, credential_variables(ctx)):
            text = value.strip(_WHITESPACE)
            if not text or (text[0] not in _QUOTES and text[-1] not in _QUOTES):
                continue
            if site.location.source in ENVIRONMENTS:
                cause = "the variable was exported with its quotes (a quoted CI secret?)"
            elif loaders == [DOCKER_ENV_FILE]:
                cause = "docker --env-file takes values verbatim"
            elif all(ld == DOCKER_ENV_FILE or _compose_raw(site, ld) for ld in loaders):
                cause = ("compose reads the file with format: raw, which takes values verbatim "
                         "(docker --env-file's rules)")
            elif "`" in (text[0], text[-1]) and PYTHON_DOTENV in loaders:
                cause = "python-dotenv does not treat backticks as quotes (node dotenv does)"
            elif len(text) >= 2 and text[0] == text[-1]:
                cause = "the value is quoted twice"
            else:
                cause = "a quote is unbalanced"
            message = (f"{site.name} still carries its quotes{where(site, loaders)}: {cause}; "
                       f"{fact('key-quoted', 'all')}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


def _compose_raw(site: Site, loader: str) -> bool:
    """``loader`` is compose reading ``site``'s file with ``format: raw``."""
    if loader != COMPOSE or site.file is None:
        return False
    reading = site.file.reading(COMPOSE)
    return reading is not None and reading.raw


class KeyNonAscii(Rule):
    """
    ## What it does
    Finds non-ASCII or invisible characters in a credential: smart quotes, a no-break space,
    zero-width spaces, a byte-order mark, letters from another script.

    ## Why is this bad?
    Copying a key from a chat, a PDF or a word processor brings these along. anthropic 0.x raises
    `UnicodeEncodeError` before sending; anthropic >= 1.0 sends the bytes and the server rejects
    the key; the TypeScript SDK throws `Cannot convert argument to a ByteString` above U+00FF.
    Invisible characters make the key look right on screen.

    ## Example
    `ANTHROPIC_API_KEY=“sk-ant-api03-…AA”` (typographic quotes).

    ## Use instead
    Paste the key from the Console into a plain-text editor; keep it ASCII.

    ## References
    - research/sdk-facts.md, section 1 "Malformed keys" and D8
    """

    meta = RuleMeta("EA105", "key-non-ascii", Severity.ERROR,
                    "non-ASCII or invisible characters in the credential",
                    "retype or re-copy the key as plain ASCII")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value with a character outside printable ASCII (white space aside)."""
        for site, value, loaders in value_sites(ctx, credential_variables(ctx)):
            if value.isascii() and "\x7f" not in value:
                continue  # NOTE: the common value, checked without a call per character
            bad = [(i, c) for i, c in enumerate(value) if is_odd_character(c)]
            if not bad:
                continue
            index, char = bad[0]
            import unicodedata

            if "\udc80" <= char <= "\udcff":  # an undecodable byte (a process environment)
                shown = f"the byte 0x{ord(char) - 0xDC00:02X}, which is not UTF-8,"
            else:
                shown = f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            message = (f"{site.name} contains {shown} at position {index + 1}"
                       f"{more}{where(site, loaders)}: {fact('key-non-ascii', 'python-0')}; "
                       f"{fact('key-non-ascii', 'python-2')}; {fact('key-non-ascii', 'ts')}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class KeyPlaceholder(Rule):
    """
    ## What it does
    Finds a documentation placeholder where the credential should be: `sk-ant-your-key-here`,
    `your-api-key`, `<ANTHROPIC_API_KEY>`, `xxx`, `changeme`, `TODO`, `...`. A well-formed key
    never counts, whatever words its random part holds, and neither does a truncated real key
    (EA107 reports it).

    ## Why is this bad?
    The template was copied to `.env` (or into the deployment) and never filled in. The API
    rejects it with 401, which reads like a revoked key.

    ## Example
    `ANTHROPIC_API_KEY=sk-ant-your-key-here` in `.env`.

    ## Use instead
    Put the real key in `.env` (kept out of git); leave placeholders to `.env.example`.

    ## References
    - research/anchors.md, "Users ask / complain" (dotenv-safe, envalid)
    """

    meta = RuleMeta("EA106", "key-placeholder", Severity.ERROR,
                    "a documentation placeholder instead of a credential",
                    "replace the placeholder with the real key")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value that is a known placeholder."""
        for site, value, loaders in value_sites(ctx, credential_variables(ctx)):
            if is_placeholder(value):
                message = (f"{site.name} holds a placeholder, not a credential"
                           f"{where(site, loaders)}: a template value that was never filled in; "
                           f"{fact('key-rejected', 'all')}")
                yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class KeyMalformed(Rule):
    """
    ## What it does
    Checks the shape of every value that starts with `sk-ant-`: an API key is `sk-ant-api03-`
    followed by 93 characters of `A-Z a-z 0-9 _ -` and ending in `AA` (108 characters), an Admin
    key is the same after `sk-ant-admin01-` (110 characters), an OAuth token is `sk-ant-oat01-`
    followed by 40 or more such characters. Values with non-ASCII or invisible characters are
    left to EA105.

    ## Why is this bad?
    A truncated or padded copy (a lost last character, a line wrapped by the terminal, a
    pasted-twice key) is rejected by the API with 401, and neither SDK checks the shape, so the
    failure names nothing. Secret scanners (gitleaks, trufflehog) also skip such keys.

    ## Example
    `ANTHROPIC_API_KEY=sk-ant-api03-…A` (107 characters: the final `A` was lost).

    ## Use instead
    Copy the whole key again from the Console.

    ## References
    - research/sdk-facts.md, "Anthropic credential formats"
    """

    meta = RuleMeta("EA107", "key-malformed", Severity.ERROR,
                    "an sk-ant- key whose length, alphabet or ending is wrong",
                    "copy the whole key again from the Anthropic Console")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per ``sk-ant-`` value that matches no Anthropic format."""
        for site, value, loaders in value_sites(ctx, credential_variables(ctx)):
            text = core(value)
            if (not text.startswith("sk-ant-") or anthropic_kind(text) or is_placeholder(text)
                    or not is_visible_ascii(text)):
                continue
            problem = diagnose_shape(text)
            message = (f"{site.name} is not a well-formed Anthropic credential"
                       f"{where(site, loaders)}: {problem}; {fact('key-rejected', 'all')}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


def diagnose_shape(text: str) -> str:
    """Why an ``sk-ant-`` value matches no format (length, alphabet, ending, kind).

    Only public facts are quoted: lengths, the kind prefix, the odd characters' set.
    """
    literal = ("it ends with a literal backslash escape ('\\n' or '\\r': single quotes and "
               "docker --env-file do not decode escapes)"
               if text.endswith(("\\n", "\\r")) else None)
    for fmt in credentials().anthropic:
        if not text.startswith(fmt.prefix):
            continue
        body = text[len(fmt.prefix):]
        problems = [literal] if literal else []
        if fmt.length is not None and len(text) != fmt.length:
            lost = "truncated" if len(text) < fmt.length else "padded or pasted twice"
            problems.append(f"{len(text)} characters instead of {fmt.length} ({lost})")
        elif fmt.length is None and len(body) < 40:
            problems.append(f"only {len(body)} characters after {fmt.prefix} (40 or more expected)")
        odd = sorted({c for c in body if c not in _KEY_ALPHABET and c.isascii()})
        if odd and not literal:
            shown = " ".join(repr(c) for c in odd[:5])
            problems.append(f"characters outside A-Z a-z 0-9 _ - ({shown})")
        if fmt.length is not None and not text.endswith("AA") and not literal:
            problems.append("it does not end in 'AA'")
        return ", ".join(problems) or f"it does not match the {fmt.label} format"
    known = "known: sk-ant-api03-, sk-ant-admin01-, sk-ant-oat01-"
    kind = _KIND.match(text)
    if kind:
        return f"unknown key kind 'sk-ant-{kind.group(1)}-' ({known})"
    return f"no key kind follows 'sk-ant-' ({known})"


class KeyWrongKind(Rule):
    """
    ## What it does
    Checks that the kind of Anthropic credential fits its variable: an API key
    (`sk-ant-api03-`) in `ANTHROPIC_API_KEY`, an OAuth token (`sk-ant-oat01-`) in
    `ANTHROPIC_AUTH_TOKEN` or `CLAUDE_CODE_OAUTH_TOKEN`, an Admin key (`sk-ant-admin01-`) only in
    an admin variable such as `ANTHROPIC_ADMIN_KEY`; a refresh token (`sk-ant-ort01-`) nowhere.

    ## Why is this bad?
    The SDKs accept any string, so the mistake shows only at the server, as a 401. An Admin key
    cannot call the Messages API. An OAuth token in `ANTHROPIC_API_KEY` is sent as `X-Api-Key`
    by anthropic < 2.0 ("invalid x-api-key") and as a bearer token without the OAuth beta
    header by newer SDKs. An API key in `ANTHROPIC_AUTH_TOKEN` works with anthropic >= 2.0 and
    @anthropic-ai/sdk >= 1.0 (they send API keys as `Authorization: Bearer` too) but not with
    older SDKs, which send no `X-Api-Key` then; that case is a warning.

    ## Example
    `ANTHROPIC_API_KEY=sk-ant-admin01-…AA`

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA` (create an API key in the Console; keep Admin keys for
    the Admin API).

    ## References
    - research/sdk-facts.md, "Anthropic credential formats", "Both API key and auth token set"
    - research/anchors.md, user pain 2 (OAuth token as API key)
    """

    meta = RuleMeta("EA108", "key-wrong-kind", Severity.ERROR,
                    "the key kind does not fit the variable (admin key or OAuth token as API key)",
                    "move the credential to the variable made for its kind")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value whose Anthropic kind the variable does not accept."""
        variables = credentials().variables
        for site, value, loaders in value_sites(ctx, anthropic_variables()):
            fmt = anthropic_kind(core(value))
            if fmt is None or fmt.kind in variables[site.name]["accepts"]:
                continue
            effect, fix, severity = _wrong_kind(site.name, fmt)
            message = (f"{site.name} holds {article(fmt.label)} {fmt.label}"
                       f"{where(site, loaders)}: {effect}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders),
                               fix=fix, severity=severity)


def _wrong_kind(name: str, fmt: KeyFormat) -> tuple[str, str, Severity | None]:
    """(effect, fix, severity override) for credential kind ``fmt`` found in variable ``name``."""
    if fmt.kind == "admin-key":
        return ("Admin keys only work with the Admin API, so Messages requests fail (the SDKs "
                "send it unchecked); it belongs in ANTHROPIC_ADMIN_KEY",
                "put an API key (sk-ant-api03-) here; keep the Admin key in ANTHROPIC_ADMIN_KEY",
                None)
    if fmt.kind == "oauth-refresh-token":
        return ("a refresh token cannot authenticate requests: it is only exchanged for an "
                "access token", "remove the refresh token; use an API key (sk-ant-api03-)", None)
    if name == "ANTHROPIC_API_KEY" and fmt.kind == "oauth-token":
        return (f"{fact('key-rejected', 'oauth-as-key')}; OAuth tokens are Claude Code's "
                "(CLAUDE_CODE_OAUTH_TOKEN)",
                "create an API key (sk-ant-api03-) in the Console for the SDK", None)
    if name == "ANTHROPIC_AUTH_TOKEN" and fmt.kind == "api-key":
        return ("anthropic >= 2.0 and @anthropic-ai/sdk >= 1.0 send it as 'Authorization: "
                "Bearer' either way, but older SDKs send ANTHROPIC_AUTH_TOKEN without X-Api-Key "
                "and the API refuses it; it belongs in ANTHROPIC_API_KEY",
                "move the API key to ANTHROPIC_API_KEY", Severity.WARNING)
    labels = {f.kind: f.label for f in credentials().anthropic}
    accepted = " or ".join(labels.get(k, k) for k in credentials().variables[name]["accepts"])
    target = {"api-key": "ANTHROPIC_API_KEY", "oauth-token": "CLAUDE_CODE_OAUTH_TOKEN"}.get(
        fmt.kind, "its own variable")
    return (f"{name} expects {article(accepted)} {accepted}; it belongs in {target}",
            f"move the {fmt.label} to {target}", None)


class KeyForeign(Rule):
    """
    ## What it does
    Finds another provider's key format (OpenAI `sk-proj-`, Google `AIza`, Groq `gsk_`, xAI
    `xai-`, OpenRouter `sk-or-v1-`, AWS `AKIA`, GitHub `ghp_` …) in an Anthropic credential
    variable. It stays silent when `ANTHROPIC_BASE_URL` points at a third-party gateway, whose
    own keys are expected there.

    ## Why is this bad?
    A copy-paste from the wrong line of a secrets manager, or a multi-provider `.env` with the
    names mixed up. The API answers 401, and the key is sent to a party that did not issue it.

    ## Example
    `ANTHROPIC_API_KEY=sk-proj-…`

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA`; keep `OPENAI_API_KEY` for the OpenAI key.

    ## References
    - research/sdk-facts.md, "Anthropic credential formats"; providers' documented prefixes
    """

    meta = RuleMeta("EA109", "key-foreign", Severity.ERROR,
                    "another provider's key format in an Anthropic variable",
                    "put the Anthropic key here and the other provider's key in its own variable")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value matching a foreign format while the base URL is Anthropic's."""
        if not ctx.base_url_is_anthropic:
            return
        for site, value, loaders in value_sites(ctx, anthropic_variables()):
            fmt = foreign_kind(core(value))
            if fmt is None:
                continue
            message = (f"{site.name} holds {article(fmt.label)} {fmt.label} ({fmt.prefix}…)"
                       f"{where(site, loaders)}: {fact('key-rejected', 'all')}, and the "
                       f"{fmt.provider} key is sent to Anthropic")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class KeyUnrecognised(Rule):
    """
    ## What it does
    Flags an Anthropic credential that matches no known format at all (not `sk-ant-…`, not
    another provider's, not a placeholder), while the base URL is Anthropic's.

    ## Why is this bad?
    Anthropic issues credentials only in the `sk-ant-` formats, so anything else is almost
    certainly the wrong secret (a password, a gateway's virtual key, an encrypted value that was
    never decrypted). It is a warning: a proxy in front of the API may accept its own tokens.

    ## Example
    `ANTHROPIC_API_KEY=4f9a0c1e-...` with no `ANTHROPIC_BASE_URL`.

    ## Use instead
    The `sk-ant-api03-` key from the Console, or set `ANTHROPIC_BASE_URL` to the gateway that
    issued the token.

    ## References
    - research/sdk-facts.md, "Anthropic credential formats"
    """

    meta = RuleMeta("EA110", "key-unrecognised", Severity.WARNING,
                    "a credential that matches no known format",
                    "check that this is the Anthropic key (or set ANTHROPIC_BASE_URL to the "
                    "gateway that issued it)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per value that matches no format."""
        if not ctx.base_url_is_anthropic:
            return
        for site, value, loaders in value_sites(ctx, anthropic_variables()):
            text = core(value)
            if (not text or text.startswith("sk-ant-") or foreign_kind(text)
                    or is_placeholder(text) or "${" in text):
                continue
            message = (f"{site.name} matches no known credential format{where(site, loaders)} "
                       f"({len(text)} characters); Anthropic keys start with sk-ant-")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class AuthConflict(Rule):
    """
    ## What it does
    Warns when both `ANTHROPIC_API_KEY` and `ANTHROPIC_AUTH_TOKEN` are effective, says where
    each comes from and what each SDK line sends.

    ## Why is this bad?
    The outcome depends on the SDK version: anthropic >= 2.0 (and @anthropic-ai/sdk >= 1.0) use
    the API key and log a warning; 0.50 - 1.17 send both `X-Api-Key` and `Authorization: Bearer`
    (a gateway may pick either); 0.41 - 0.49 send only `X-Api-Key`. A stale token or key left in
    the environment silently decides which identity is billed, or breaks auth after an upgrade.

    ## Example
    `ANTHROPIC_API_KEY` in `.env` and `ANTHROPIC_AUTH_TOKEN` exported by a gateway setup script.

    ## Use instead
    Keep exactly one of them.

    ## References
    - research/sdk-facts.md, "Both API key and auth token set"
    """

    meta = RuleMeta("EA111", "auth-conflict", Severity.WARNING,
                    "API key and auth token both effective",
                    "unset the one you do not mean to use")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once when both are effective."""
        if not (ctx.effective_value("ANTHROPIC_API_KEY")
                and ctx.effective_value("ANTHROPIC_AUTH_TOKEN")):
            return
        key, token = _winner(ctx, "ANTHROPIC_API_KEY"), _winner(ctx, "ANTHROPIC_AUTH_TOKEN")
        location = token.location if token else ctx.environment_location
        origin = ""
        if key is not None and token is not None:
            origin = (f" (ANTHROPIC_API_KEY from {_from(key.location)}, ANTHROPIC_AUTH_TOKEN "
                      f"from {_from(token.location)})")
        message = (f"ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are both set{origin}: "
                   f"{fact('auth-conflict', 'python-2')}; {fact('auth-conflict', 'python-mid')}; "
                   f"{fact('auth-conflict', 'python-old')}")
        yield self.finding(message, location, "ANTHROPIC_AUTH_TOKEN")


def _winner(ctx: AuditContext, name: str) -> Definition | None:
    """The first non-empty winning definition over the loaders in use."""
    for loader in ctx.snapshot.loaders or (PYTHON_DOTENV,):
        d = ctx.effective(name, loader)
        if d is not None and d.value:
            return d
    return None


def _from(location: Location) -> str:
    return location.environment() if location.source in ENVIRONMENTS else location.display()


class KeyMisnamed(Rule):
    """
    ## What it does
    Finds a credential stored under a near-miss name (`ANTHROPIC_KEY`, `CLAUDE_API_KEY`,
    `ANTROPIC_API_KEY`, `anthropic_api_key`, `VITE_ANTHROPIC_API_KEY` …) while the real
    variable is not set. A near-miss name in the process environment, and near misses of
    platform variables (`aws_access_key_id`), count only in projects that use Anthropic.

    ## Why is this bad?
    The SDKs read exactly `ANTHROPIC_API_KEY` (or `ANTHROPIC_AUTH_TOKEN`); environment variable
    names are case-sensitive on Linux. The key is right there in `.env`, and the app still says
    "Could not resolve authentication method". Framework prefixes (`VITE_`, `NEXT_PUBLIC_`)
    also ship the key to the browser bundle.

    ## Example
    `CLAUDE_API_KEY=sk-ant-api03-…AA` and no `ANTHROPIC_API_KEY`.

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA`

    ## References
    - research/sdk-facts.md, section 1 (variables read by the client)
    """

    meta = RuleMeta("EA112", "key-misnamed", Severity.ERROR,
                    "a near-miss variable name holds the credential",
                    "rename the variable to ANTHROPIC_API_KEY")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per near-miss definition with a value while the real variable is unset."""
        if ctx.effective_value("ANTHROPIC_API_KEY") or ctx.effective_value("ANTHROPIC_AUTH_TOKEN"):
            return
        anthropic = credentials().variables
        for site, target in misnamed_sites(ctx):
            name = site.name
            if ctx.effective_value(target):
                continue
            # NOTE: a near-miss name exported in the shell (CLAUDE_API_KEY for some CLI) says
            # nothing about a project that does not use Anthropic; one in its .env does.
            ambient = site.location.source in ENVIRONMENTS or target not in anthropic
            if ambient and not ctx.provider_in_use:
                continue
            if target in anthropic:
                reader, effect = "the SDKs read", fact("key-missing", "python")
            else:
                reader = "the platform clients read"
                effect = "the platform client and its credential chain never see this value"
            prefix = next((p for p in credentials().misnamed_prefixes
                           if name.upper().startswith(p)), None)
            exposed = (f"; the {prefix} prefix also ships the value to the browser bundle"
                       if prefix else "")
            message = (f"{name} holds a value but {reader} {target}, which is not set: "
                       f"{effect}{exposed}")
            yield self.finding(message, site.location, name, fix=f"rename {name} to {target}")


class KeyDivergent(Rule):
    """
    ## What it does
    Finds a credential variable with different values in sources that one app may load
    together (the process environment, `.env`, `.env.local`, an `--env-file`, a compose
    `environment:` entry), and says which one each loader in use ends up with. Sibling
    folders of a monorepo (`apps/a/.env`, `apps/b/.env`) are different apps and are not
    compared; placeholders are EA106's.

    ## Why is this bad?
    A rotated key updated in one place only: the app keeps the old value from a source that
    wins (an exported variable beats `.env` for `load_dotenv()` and `dotenv.config()`), and
    the edit seems to have no effect.

    ## Example
    `ANTHROPIC_API_KEY` exported in `~/.bashrc` (old key) and set in `.env` (new key).

    ## Use instead
    Keep the key in one place, or make the copies identical.

    ## References
    - research/dotenv-semantics.md, "Precedence between files and the process environment"
    """

    meta = RuleMeta("EA113", "key-divergent", Severity.WARNING,
                    "the same credential has different values in different sources",
                    "keep one copy of the key, or update every copy")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per variable and app whose non-empty values differ across sources."""
        wording = _Wording(tuple(dict.fromkeys(ctx.snapshot.loaders or (PYTHON_DOTENV,))))
        for name in credential_variables(ctx):
            values: dict[int, str] = {}
            sites: list[Site] = []
            for site in ctx.sites(name):
                value = _comparable_value(site)
                if value:
                    values[id(site)] = value
                    sites.append(site)
            seen: set[frozenset[int]] = set()
            for group in app_groups(sites):
                ids = frozenset(map(id, group))
                if ids in seen:
                    continue
                seen.add(ids)
                finding = self._divergence(ctx, name, group, values, wording)
                if finding is not None:
                    yield finding

    def _divergence(self, ctx: AuditContext, name: str, group: list[Site],
                    values: dict[int, str], wording: _Wording) -> Finding | None:
        # NOTE: the last definition in a file wins
        per_source = {site.location.path or site.location.source: site for site in group}
        if len({values[id(site)] for site in per_source.values()}) < 2:
            return None
        chosen = [ctx.effective(name, loader, among=group) for loader in wording.loaders]
        shown = "; ".join([wording.site(site, values[id(site)]) for site in per_source.values()])
        message = (f"{name} has {len(per_source)} different values: {shown}. "
                   f"{wording.winners(chosen)}")
        if any(site.location.source in ENVIRONMENTS for site in per_source.values()):
            message += (" (load_dotenv() and dotenv.config() never override an exported "
                        "variable)")
        first = chosen[0]
        location = first.location if first else next(iter(per_source.values())).location
        subject = ",".join(sorted(per_source))
        return self.finding(message, location, name, subject=subject)


class _Wording:
    """EA113's phrases, each made once per run: a root ``.env``'s site is in every app of a
    monorepo, and most apps' loaders end up with the same sources."""

    def __init__(self, loaders: tuple[str, ...]) -> None:
        self.loaders = loaders
        """The loaders in use, each once."""
        self._labels = [loader_label(loader) for loader in loaders]
        self._key = salt()
        self._sites: dict[int, str] = {}
        self._winners: dict[tuple[int, ...], tuple[str, tuple[Location, ...]]] = {}

    def site(self, site: Site, value: str) -> str:
        """``.env:3 sk-ant-api03-…x9AA (108 chars, fp …)``: where, and the value's hint."""
        text = self._sites.get(id(site))
        if text is None:
            text = self._sites[id(site)] = f"{_from(site.location)} {hint(value, self._key)}"
        return text

    def winners(self, chosen: list[Definition | None]) -> str:
        """``python-dotenv and node dotenv get the one from .env:3; …`` for the definitions
        the loaders (in order) end up with."""
        # NOTE: keyed by the locations' identities; the entry keeps the locations alive, so
        # an identity is never another location's.
        key = tuple([0 if d is None else id(d.location) for d in chosen])
        known = self._winners.get(key)
        if known is not None:
            return known[0]
        by_source: dict[str, list[str]] = {}
        for label, d in zip(self._labels, chosen):
            if d is not None:
                by_source.setdefault(_from(d.location), []).append(label)
        text = "; ".join(f"{' and '.join(labels)} {'get' if len(labels) > 1 else 'gets'} the "
                         f"one from {src}" for src, labels in by_source.items())
        self._winners[key] = (text, tuple(d.location for d in chosen if d is not None))
        return text


def _comparable_value(site: Site) -> str | None:
    """The value a site contributes to EA113: non-empty and not a placeholder, else ``None``."""
    value = site.values.get(PROCESS) or site.values.get(PYTHON_DOTENV)
    if value is None and site.values:
        value = next(iter(site.values.values()))
    if not value or is_placeholder(value):
        return None
    return value


RULES: tuple[Rule, ...] = (
    KeyMissing(), KeyEmpty(), KeyWhitespace(), KeyQuoted(), KeyNonAscii(), KeyPlaceholder(),
    KeyMalformed(), KeyWrongKind(), KeyForeign(), KeyUnrecognised(), AuthConflict(),
    KeyMisnamed(), KeyDivergent(),
)
