"""EA1xx: is the Anthropic credential the app will load usable?"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from envaudit.catalogue import KeyFormat, credentials
from envaudit.context import AuditContext, Site
from envaudit.model import DOCKER_ENV_FILE, PROCESS, PYTHON_DOTENV, Finding, Location, Severity
from envaudit.redact import hint
from envaudit.rules.base import Rule, RuleMeta
from envaudit.sdkfacts import fact

_LOADER_NAMES = {PYTHON_DOTENV: "python-dotenv", DOCKER_ENV_FILE: "docker --env-file",
                 PROCESS: "the process environment"}
_WHITESPACE = " \t\r\n\x00\x0b\x0c"
_QUOTES = "\"'`"
_KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_INVISIBLE = frozenset("\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad\u202f\u2007\u2800")


def anthropic_variables() -> list[str]:
    """Variables that hold an Anthropic credential (API key, token, admin key)."""
    return list(credentials().variables)


def credential_variables() -> list[str]:
    """Anthropic and platform credential variables."""
    cat = credentials()
    return list(cat.variables) + list(cat.platform_variables)


def core(value: str) -> str:
    """The value without surrounding white space and quotes: what the user meant to paste."""
    out = value.strip(_WHITESPACE + "\u00a0")
    while len(out) >= 2 and out[0] in _QUOTES and out[-1] == out[0]:
        out = out[1:-1].strip(_WHITESPACE)
    return out.strip(_QUOTES)


def anthropic_kind(value: str) -> KeyFormat | None:
    """The Anthropic credential format ``value`` matches exactly, if any."""
    for fmt in credentials().anthropic:
        if fmt.pattern.fullmatch(value):
            return fmt
    return None


def foreign_kind(value: str) -> KeyFormat | None:
    """Another provider's credential format ``value`` matches, if any."""
    if value.startswith("sk-ant-"):
        return None
    for fmt in credentials().foreign:
        if fmt.pattern.fullmatch(value):
            return fmt
    return None


def is_placeholder(value: str) -> bool:
    """A documentation placeholder rather than a credential."""
    text = core(value)
    if not text or anthropic_kind(text) or foreign_kind(text):
        return False
    return credentials().placeholders.fullmatch(text) is not None


def where(site: Site, loaders: list[str]) -> str:
    """`` (as docker --env-file reads it)`` when only some loaders in use see this value."""
    if site.location.source == "process" or len(loaders) == len(site.values):
        return ""
    return " (as " + " and ".join(_LOADER_NAMES.get(x, x) for x in loaders) + " reads it)"


def value_sites(ctx: AuditContext, names: list[str]) -> Iterator[tuple[Site, str, list[str]]]:
    """(site, value, loaders) for every non-empty value of ``names`` the app may load."""
    for name in names:
        for site in ctx.sites(name):
            for value, loaders in site.by_value().items():
                if value:
                    yield site, value, loaders


class KeyMissing(Rule):
    """
    ## What it does
    Checks that some Anthropic credential reaches the app: `ANTHROPIC_API_KEY`,
    `ANTHROPIC_AUTH_TOKEN`, a profile (`ANTHROPIC_PROFILE` or an active profile file),
    workload-identity federation variables, or platform credentials (Bedrock, Vertex, Foundry).
    It looks at the process environment and at every `.env` file the app may load; it does not
    fire with `--no-process-env`, where the run-time environment is unknown.

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
        if not ctx.has_process_env or not ctx.provider_in_use:
            return
        cat = credentials()
        names = list(cat.variables) + list(cat.platform_variables) + list(cat.platform_markers)
        names.append(cat.profile_variable)
        if any(ctx.effective_value(n) for n in names):
            return
        if any(all(ctx.effective_value(n) for n in group) for group in cat.federation):
            return
        if ctx.snapshot.profile_files:
            return
        files = [f.path for f in ctx.env_files]
        searched = "the process environment" + (
            " and " + ", ".join(files[:5]) + (" …" if len(files) > 5 else "") if files else "")
        message = (f"no Anthropic credential is set: searched {searched}. "
                   f"{fact('key-missing', 'python')}; {fact('key-missing', 'ts')}")
        yield self.finding(message, Location("process"), "ANTHROPIC_API_KEY")


class KeyEmpty(Rule):
    """
    ## What it does
    Finds a credential variable that is defined but empty (`ANTHROPIC_API_KEY=`) where it is
    the value the app ends up with, or exported empty in the process environment.

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
        """Fire on empty winning definitions and empty exported variables."""
        for name in credential_variables():
            winners = {ctx.effective(name, loader) for loader in ctx.snapshot.loaders}
            for site in ctx.sites(name):
                empty = [ld for ld, v in site.values.items() if not v]
                if not empty:
                    continue
                is_process = site.location.source == "process"
                won = any(w is not None and w.location == site.location for w in winners)
                if not (is_process or won):
                    continue
                bare = all(site.values[ld] is None for ld in empty)
                what = "is declared without a value" if bare else "is empty"
                message = f"{name} {what}{where(site, empty)}: {fact('key-empty', 'all')}"
                if is_process and any(s.location.source == "dotenv" and any(s.values.values())
                                      for s in ctx.sites(name)):
                    message += f"; {fact('key-empty', 'exported')}"
                yield self.finding(message, site.location, name)


class KeyWhitespace(Rule):
    """
    ## What it does
    Finds white space or control characters around (or inside) a credential value as the app's
    loader yields it: a trailing newline, CR, space or tab, a leading space, an embedded line
    break or a NUL byte.

    ## Why is this bad?
    The Python SDK puts the value into a header unchanged; h11 refuses it and every request
    fails with the misleading `APIConnectionError: Connection error.` (after two retries). The
    TypeScript SDK trims the value, so the same key works from Node, and the bug looks
    environment-specific. Typical sources: `echo key > file` (newline), a double-quoted
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
        for site, value, loaders in value_sites(ctx, credential_variables()):
            problem = describe_whitespace(value)
            if problem is None:
                continue
            if "NUL" in problem:
                effect = fact("key-nul", "python")
            elif value[0] in _WHITESPACE and value[-1] not in _WHITESPACE:
                effect = fact("key-whitespace", "python-leading")
            else:
                effect = fact("key-whitespace", "python")
            message = (f"{site.name} {problem}{where(site, loaders)}: {effect}; "
                       f"{fact('key-whitespace', 'ts')}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


def describe_whitespace(value: str) -> str | None:
    """What is wrong with the white space of ``value``, or ``None``."""
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
    container with the quotes, and the API answers 401 `invalid x-api-key`. The same file works
    with python-dotenv, node dotenv and compose, which strip the quotes, so it works locally and
    fails in the container. Doubled quoting (`"'sk-…'"`) does the same with every loader.

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
        for site, value, loaders in value_sites(ctx, credential_variables()):
            text = value.strip(_WHITESPACE)
            if not text or (text[0] not in _QUOTES and text[-1] not in _QUOTES):
                continue
            docker_only = loaders == [DOCKER_ENV_FILE]
            cause = ("docker --env-file takes values verbatim, so the quotes are part of the key"
                     if docker_only else "the value is quoted twice or the quote is unbalanced")
            message = (f"{site.name} still carries its quotes{where(site, loaders)}: {cause}; "
                       f"{fact('key-quoted', 'all')}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class KeyNonAscii(Rule):
    """
    ## What it does
    Finds non-ASCII or invisible characters in a credential: smart quotes, a no-break space,
    zero-width spaces, a byte-order mark, letters from another script.

    ## Why is this bad?
    Copying a key from a chat, a PDF or a word processor brings these along. anthropic 0.x raises
    `UnicodeEncodeError` before sending; anthropic >= 1.0 sends the bytes and gets 401; the
    TypeScript SDK throws `Cannot convert argument to a ByteString` above U+00FF. Invisible
    characters make the key look right on screen.

    ## Example
    `ANTHROPIC_API_KEY=’sk-ant-api03-…AA’` (typographic quotes).

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
        for site, value, loaders in value_sites(ctx, credential_variables()):
            bad = [(i, c) for i, c in enumerate(value) if ord(c) > 126 or c in _INVISIBLE]
            if not bad:
                continue
            index, char = bad[0]
            name = unicodedata.name(char, "unnamed character")
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            message = (f"{site.name} contains U+{ord(char):04X} {name} at position {index + 1}"
                       f"{more}{where(site, loaders)}: {fact('key-non-ascii', 'python-0')}; "
                       f"{fact('key-non-ascii', 'python-2')}; {fact('key-non-ascii', 'ts')}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class KeyPlaceholder(Rule):
    """
    ## What it does
    Finds a documentation placeholder where the credential should be: `sk-ant-your-key-here`,
    `your-api-key`, `<ANTHROPIC_API_KEY>`, `xxx`, `changeme`, `TODO`, `...`.

    ## Why is this bad?
    The template was copied to `.env` (or into the deployment) and never filled in. The API
    answers 401, or, for a value such as `...`, the request looks fine and fails late.

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
        for site, value, loaders in value_sites(ctx, credential_variables()):
            if is_placeholder(value):
                message = (f"{site.name} holds a placeholder, not a key{where(site, loaders)}: "
                           "the API answers 401 invalid x-api-key")
                yield self.finding(message, site.location, site.name, subject=",".join(loaders))


class KeyMalformed(Rule):
    """
    ## What it does
    Checks the shape of every value that starts with `sk-ant-`: an API key is `sk-ant-api03-`
    followed by 93 characters of `A-Z a-z 0-9 _ -` and ending in `AA` (108 characters), an Admin
    key is the same after `sk-ant-admin01-` (110 characters), an OAuth token is `sk-ant-oat01-`
    followed by 40 or more such characters.

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
        for site, value, loaders in value_sites(ctx, credential_variables()):
            text = core(value)
            if not text.startswith("sk-ant-") or anthropic_kind(text) or is_placeholder(text):
                continue
            problem = diagnose_shape(text)
            message = (f"{site.name} is not a well-formed Anthropic key: {problem}"
                       f"{where(site, loaders)}; the API answers 401 invalid x-api-key")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders))


def diagnose_shape(text: str) -> str:
    """Why an ``sk-ant-`` value matches no format (length, alphabet, ending, kind)."""
    for fmt in credentials().anthropic:
        if not text.startswith(fmt.prefix):
            continue
        body = text[len(fmt.prefix):]
        problems = []
        if fmt.length is not None and len(text) != fmt.length:
            lost = "truncated" if len(text) < fmt.length else "padded or pasted twice"
            problems.append(f"{len(text)} characters instead of {fmt.length} ({lost})")
        elif fmt.length is None and len(body) < 40:
            problems.append(f"only {len(body)} characters after {fmt.prefix}")
        odd = sorted({c for c in body if c not in _KEY_ALPHABET and c.isascii()})
        if odd:
            shown = " ".join(repr(c) for c in odd[:5])
            problems.append(f"characters outside A-Z a-z 0-9 _ - ({shown})")
        if fmt.length is not None and not text.endswith("AA"):
            problems.append("it does not end in 'AA'")
        return ", ".join(problems) or f"it does not match the {fmt.label} format"
    rest = text[len("sk-ant-"):]
    kind = rest.split("-", 1)[0]
    if 0 < len(kind) <= 8 and kind.isalnum() and "-" in rest:
        return (f"unknown key kind 'sk-ant-{kind}-' (known: sk-ant-api03-, sk-ant-admin01-, "
                "sk-ant-oat01-)")
    return ("no known key kind follows 'sk-ant-' (known: sk-ant-api03-, sk-ant-admin01-, "
            "sk-ant-oat01-)")


class KeyWrongKind(Rule):
    """
    ## What it does
    Checks that the kind of Anthropic credential fits its variable: an API key
    (`sk-ant-api03-`) in `ANTHROPIC_API_KEY`, an OAuth token (`sk-ant-oat01-`) in
    `ANTHROPIC_AUTH_TOKEN` or `CLAUDE_CODE_OAUTH_TOKEN`, an Admin key (`sk-ant-admin01-`) only in
    an admin variable such as `ANTHROPIC_ADMIN_KEY`.

    ## Why is this bad?
    The SDKs accept any string, so an Admin key in `ANTHROPIC_API_KEY` (it cannot call the
    Messages API) or an OAuth token sent as an API key fails only at the server, with 401.
    `ANTHROPIC_AUTH_TOKEN` is sent as `Authorization: Bearer`, which older SDKs never pair with
    `X-Api-Key`, so an API key placed there is not presented as one.

    ## Example
    `ANTHROPIC_API_KEY=sk-ant-admin01-…AA`

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA` (create an API key in the Console; keep Admin keys for
    the Admin API).

    ## References
    - research/sdk-facts.md, "Anthropic credential formats", "Both API key and auth token set"
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
            target = {"api-key": "ANTHROPIC_API_KEY", "admin-key": "ANTHROPIC_ADMIN_KEY",
                      "oauth-token": "ANTHROPIC_AUTH_TOKEN"}.get(fmt.kind, "its own variable")
            if site.name == "ANTHROPIC_AUTH_TOKEN" and fmt.kind == "api-key":
                effect = ("the SDKs send ANTHROPIC_AUTH_TOKEN as 'Authorization: Bearer'; "
                          "anthropic < 2.0 and @anthropic-ai/sdk < 1.0 then send no X-Api-Key")
            elif fmt.kind == "admin-key":
                effect = "an Admin key only works with the Admin API; Messages calls get 401"
            else:
                effect = "the API rejects it with 401"
            message = (f"{site.name} holds an {fmt.label}{where(site, loaders)}: {effect}; "
                       f"it belongs in {target}")
            yield self.finding(message, site.location, site.name, subject=",".join(loaders),
                               fix=f"move the {fmt.label} to {target}")


class KeyForeign(Rule):
    """
    ## What it does
    Finds another provider's key format (OpenAI `sk-proj-`, Google `AIza`, Groq `gsk_`, xAI
    `xai-`, OpenRouter `sk-or-v1-`, AWS `AKIA`, GitHub `ghp_` …) in an Anthropic credential
    variable. It stays silent when `ANTHROPIC_BASE_URL` points at a third-party gateway, whose
    own keys are expected there.

    ## Why is this bad?
    A copy-paste from the wrong line of a secrets manager, or a multi-provider `.env` with the
    names mixed up. The API answers 401 `invalid x-api-key`, and the key is sent to a party
    that did not issue it.

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
            message = (f"{site.name} holds a {fmt.label} ({fmt.provider}, {fmt.prefix}…)"
                       f"{where(site, loaders)}: the Anthropic API answers 401 invalid x-api-key "
                       f"and the {fmt.provider} key is sent to Anthropic")
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
    Warns when both `ANTHROPIC_API_KEY` and `ANTHROPIC_AUTH_TOKEN` are effective, and says what
    each SDK line sends.

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
        token = ctx.effective("ANTHROPIC_AUTH_TOKEN")
        location = token.location if token else Location("process")
        message = ("ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are both set: "
                   f"{fact('auth-conflict', 'python-2')}; {fact('auth-conflict', 'python-mid')}; "
                   f"{fact('auth-conflict', 'python-old')}")
        yield self.finding(message, location, "ANTHROPIC_AUTH_TOKEN")


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning ``limit + 1``) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def misnamed_target(name: str) -> str | None:
    """The real variable ``name`` was probably meant to be, or ``None``."""
    cat = credentials()
    real = set(cat.variables) | set(cat.platform_variables)
    if name in real or name.startswith(("ANTHROPIC_BEDROCK", "ANTHROPIC_VERTEX")):
        return None
    upper = name.upper().replace("-", "_")
    if upper in real:
        return upper
    if name in cat.misnamed or upper in cat.misnamed:
        return "ANTHROPIC_API_KEY"
    for prefix in cat.misnamed_prefixes:
        if upper.startswith(prefix) and upper[len(prefix):] in real:
            return upper[len(prefix):]
    if _distance(upper, "ANTHROPIC_API_KEY", 2) <= 2:
        return "ANTHROPIC_API_KEY"
    return None


class KeyMisnamed(Rule):
    """
    ## What it does
    Finds a credential stored under a near-miss name (`ANTHROPIC_KEY`, `CLAUDE_API_KEY`,
    `ANTROPIC_API_KEY`, `anthropic_api_key`, `VITE_ANTHROPIC_API_KEY` …) while the real
    variable is not set.

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
        for name in sorted(ctx.names()):
            target = misnamed_target(name)
            if target is None or ctx.effective_value(target):
                continue
            for site in ctx.sites(name):
                if not any(site.values.values()):
                    continue
                message = (f"{name} holds a value but the SDKs read {target}, which is not set: "
                           f"{fact('key-missing', 'python')}")
                yield self.finding(message, site.location, name, fix=f"rename {name} to {target}")


class KeyDivergent(Rule):
    """
    ## What it does
    Finds a credential variable with different values in different sources (the process
    environment, `.env`, `.env.local`, an `--env-file`), and says which one wins.

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
        """Fire once per variable whose non-empty values differ across sources."""
        for name in credential_variables():
            per_source: dict[str, tuple[Location, str]] = {}
            for site in ctx.sites(name):
                source = site.location.path or site.location.source
                value = site.values.get(PROCESS) or site.values.get(PYTHON_DOTENV)
                if value is None and site.values:
                    value = next(iter(site.values.values()))
                if value:
                    per_source[source] = (site.location, value)  # last in a file wins
            if len({v for _, v in per_source.values()}) < 2:
                continue
            winner = ctx.effective(name)
            shown = "; ".join(f"{loc.display()} {hint(v)}" for loc, v in per_source.values())
            win = winner.location.display() if winner else "none"
            message = (f"{name} has {len(per_source)} different values: {shown}. "
                       f"The app gets the one from {win} (an exported variable beats .env for "
                       "load_dotenv() and dotenv.config(); the last --env-file wins for docker)")
            location = winner.location if winner else next(iter(per_source.values()))[0]
            yield self.finding(message, location, name)


RULES: tuple[Rule, ...] = (
    KeyMissing(), KeyEmpty(), KeyWhitespace(), KeyQuoted(), KeyNonAscii(), KeyPlaceholder(),
    KeyMalformed(), KeyWrongKind(), KeyForeign(), KeyUnrecognised(), AuthConflict(),
    KeyMisnamed(), KeyDivergent(),
)
