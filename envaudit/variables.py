"""Which variables envaudit reads: the one registry the collectors filter definitions with.

A monorepo's dotenv files hold tens of thousands of assignments; the rules and the
effective-configuration table read a few dozen variables. ``scan`` keeps a definition only when
``relevant(name)`` is true, so that time and memory follow what is audited, not the size of the
tree (every line is still parsed: a dropped line or a bad byte is found wherever it is).
``tests/test_variables.py`` runs every rule case with and without the filter and compares.

A rule that reads a new variable adds it here (a name, a prefix or a predicate).
"""

from __future__ import annotations

from collections.abc import Callable

from envaudit.catalogue import credentials

#: Name prefixes of the provider's variables (the table lists every set one).
PROVIDER_PREFIXES = ("ANTHROPIC_", "CLAUDE_")
#: The effective-configuration table's variables, in its order.
TABLE_VARIABLES = (
    "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_MODEL", "ANTHROPIC_PROFILE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
    "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_USE_ENV_PROXY",
)
#: Loader options read from the environment (``AuditContext`` models them): node dotenv's
#: ``dotenv/config`` options and python-dotenv's off switch.
LOADER_OPTIONS = ("DOTENV_PATH", "DOTENV_CONFIG_PATH", "DOTENV_OVERRIDE",
                  "DOTENV_CONFIG_OVERRIDE", "PYTHON_DOTENV_DISABLED")
#: Rows the table shows even when the variable is set nowhere.
TABLE_ALWAYS = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")
#: Variables the network model reads beyond the table's (``envaudit.network``): CGI's
#: ``REQUEST_METHOD`` drops ``HTTP_PROXY`` in Python.
NETWORK_VARIABLES = ("REQUEST_METHOD",)
#: TLS switches EA401 reads beyond the table's (``envaudit.rules.tls``).
TLS_VARIABLES = ("PYTHONHTTPSVERIFY",)
#: Variables holding a model ID (EA605-EA608; ``[tool.envaudit] model-variables`` replaces
#: them). Names without the provider's prefix are audited only when their value names a Claude
#: model (``MODEL=gpt-5`` belongs to another provider).
MODEL_VARIABLES = (
    "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "CLAUDE_MODEL",
    "CLAUDE_CODE_SUBAGENT_MODEL", "MODEL", "MODEL_NAME", "LLM_MODEL", "DEFAULT_MODEL",
)
#: Variables holding a max-tokens setting (EA609, EA610; ``max-tokens-variables`` replaces them).
MAX_TOKENS_VARIABLES = (
    "ANTHROPIC_MAX_TOKENS", "CLAUDE_MAX_TOKENS", "CLAUDE_CODE_MAX_OUTPUT_TOKENS", "MAX_TOKENS",
    "MAX_OUTPUT_TOKENS", "LLM_MAX_TOKENS",
)


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
    """The real credential variable ``name`` was probably meant to be, or ``None`` (EA112)."""
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
        if upper.startswith(prefix):
            rest = upper[len(prefix):]
            if rest in real:
                return rest
            if rest in cat.misnamed:
                return "ANTHROPIC_API_KEY"
    if _distance(upper, "ANTHROPIC_API_KEY", 2) <= 2:
        return "ANTHROPIC_API_KEY"
    return None


def _known() -> frozenset[str]:
    cat = credentials()
    names = {*cat.variables, *cat.platform_variables, *cat.platform_markers,
             cat.profile_variable, *TABLE_VARIABLES, *LOADER_OPTIONS, *MODEL_VARIABLES,
             *MAX_TOKENS_VARIABLES, *TLS_VARIABLES, *NETWORK_VARIABLES}
    names.update(name for group in cat.federation for name in group)
    return frozenset(names)


#: A filter of variable names: given names, the ones to keep.
KeyFilter = Callable[[set[str]], set[str]]

_verdicts: dict[str, bool] = {}
_seen: set[str] = set()
_relevant: set[str] = set()
_known_names: frozenset[str] | None = None


def relevant(name: str) -> bool:
    """Whether a rule or the effective-configuration table reads ``name`` (memoised: the same
    names recur in every file of a tree)."""
    verdict = _verdicts.get(name)
    if verdict is None:
        global _known_names
        if _known_names is None:
            _known_names = _known()
        verdict = _verdicts[name] = (name.startswith(PROVIDER_PREFIXES) or name in _known_names
                                     or misnamed_target(name) is not None)
    return verdict


def relevant_among(names: set[str]) -> set[str]:
    """The names in ``names`` that ``relevant`` accepts (a ``KeyFilter``): set operations on
    the verdicts so far, a call of ``relevant`` only for names never seen before."""
    for name in names - _seen:
        if relevant(name):
            _relevant.add(name)
        _seen.add(name)
    return names & _relevant
