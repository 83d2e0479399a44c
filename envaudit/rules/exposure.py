"""EA701-EA704: secrets where others can read them - a dotenv file git tracks or would add, a
dotenv file other users can read, a real key in an example file, a key written in the code.

The collectors decide what is a secret where they read the bytes (``envaudit.exposure``) and
keep only names, lines, formats and hints: these rules never see a value."""

from __future__ import annotations

import functools
import os
import shlex
from collections.abc import Iterator, Sequence

from envaudit.context import AuditContext
from envaudit.exposure import SECRETS_NAMED
from envaudit.model import DotenvFile, FileSecret, Finding, Location, Severity
from envaudit.rules.base import Rule, RuleMeta, listed

#: File modes mean nothing on Windows (access is decided by ACLs; ``st_mode`` says 0o666 for
#: every writable file): EA702 stays silent there.
PERMISSIONS_APPLY = os.name != "nt"
#: Group and other read bits.
_READABLE = 0o044


def _name(secret: FileSecret) -> str:
    """A variable's name as a message shows it (a name shaped like a credential - a key pasted
    on a line of its own - as its hint)."""
    return _shown(secret.name)


@functools.lru_cache(maxsize=1024)
def _shown(name: str) -> str:
    """``_name``, remembered per name (a monorepo's files repeat the same names)."""
    from envaudit.redact import hint, looks_like_credential

    return hint(name) if looks_like_credential(name) else name


def held(secrets: Sequence[FileSecret]) -> str:
    """``ANTHROPIC_API_KEY on line 2``, ``A and B``, ``A, B, C …`` (the collector stops at
    ``SECRETS_NAMED``: there may be more)."""
    names = list(dict.fromkeys(_name(s) for s in secrets))
    if len(secrets) >= SECRETS_NAMED:
        return ", ".join(names) + " …"
    if len(names) == 1:
        return f"{names[0]} on line {secrets[0].line}"
    return listed(names)


def _files(ctx: AuditContext, role: str) -> Iterator[DotenvFile]:
    """The files of ``role`` that hold secrets (``DotenvFile.secrets``)."""
    return (f for f in ctx.snapshot.files if f.role == role and f.secrets)


class DotenvCommitted(Rule):
    """
    ## What it does
    Asks the real `git` about every dotenv file that holds a secret (an `env` file, not an
    example; a symlink is left alone, git keeps only the link) and fires when git tracks it
    (committed, or staged to be), or when no ignore rule covers it, so that `git add .` would
    commit it. When the file is tracked although `.gitignore` lists it (ignored after it was
    committed), the message says so and names the rule.

    A secret is a non-empty value that envaudit would redact (a secret name such as `*_KEY`,
    `*_TOKEN`, `*_PASSWORD`, a known credential format, a password in a URL), that is not a
    documentation placeholder (EA106's list) and not written as a `${...}` reference.

    git runs at most twice per scan, side by side (`git ls-files` and `git check-ignore
    --no-index`), only when some file holds a secret and the root lies in a git work tree
    (its own or a parent folder's). No git on PATH, no work tree, a repository git cannot read
    or refuses (another user's: "dubious ownership"), no answer within 5 seconds: the scan
    records a skip (source `git`) and this rule says nothing.

    ## Why is this bad?
    Every clone, fork, CI cache and backup of the repository carries the secrets, and pushed
    keys are found by scanners within minutes. `.gitignore` does not untrack a file that was
    committed before it was listed, and removing the file later leaves it in the history.

    ## Example
    `git add -f .env`, or `git add .` before `.env` was listed in `.gitignore`.

    ## Use instead
    `git rm --cached .env`, list `.env` in `.gitignore`, commit, and rotate every secret the
    file held (it stays in the history until rewritten: `git filter-repo`). Commit a
    `.env.example` with placeholders instead.

    ## References
    - git-check-ignore(1): `--no-index` ("a path previously added with `git add -f`")
    - gitignore(5): "files already tracked by Git are not affected"
    - GitHub Docs, "Removing sensitive data from a repository"
    - docs/exposure.md (how git is asked, and what it costs)
    """

    meta = RuleMeta("EA701", "dotenv-committed", Severity.ERROR,
                    "a .env file with secrets is tracked by git, or not ignored by it",
                    "untrack it (git rm --cached), list it in .gitignore, rotate its secrets")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per ``env`` file with secrets that git tracks or does not ignore."""
        git = ctx.snapshot.git
        if git is None:
            return
        files = {f.path: f for f in _files(ctx, "env")}
        for status in git.files:
            f = files.get(status.path)
            if f is None:
                continue
            path, quoted = f.path, shlex.quote(f.path)
            secrets = f"{path} holds secrets ({held(f.secrets)})"
            details = {"tracked": status.tracked, "ignored_by": status.ignored_by,
                       "pattern": status.pattern}
            if status.tracked and status.ignored_by is not None:
                message = (f"{secrets} and git tracks it although {status.ignored_by} "
                           f"({status.pattern}) ignores it: an ignore rule does not untrack a "
                           "file that was committed")
                fix = (f"git rm --cached {quoted}, commit, and rotate the secrets: they stay "
                       "in the history")
            elif status.tracked:
                message = f"{secrets} and git tracks it: every clone and push carries them"
                fix = (f"git rm --cached {quoted}, list it in .gitignore, commit, and rotate "
                       "the secrets: they stay in the history")
            elif status.ignored_by is None:
                message = f"{secrets} and git does not ignore it: `git add .` would commit it"
                fix = f"list {posix_name(path)} in .gitignore"
            else:
                continue
            yield self.finding(message, Location("dotenv", path), fix=fix, details=details)


def posix_name(path: str) -> str:
    """The file's name (``apps/web/.env`` -> ``.env``): a ``.gitignore`` pattern without a
    slash matches it in every folder."""
    return path.rsplit("/", 1)[-1]


class DotenvPermissions(Rule):
    """
    ## What it does
    Fires when a dotenv file that holds a secret (as EA701 counts them) can be read by its
    group or by every user of the machine: its mode has the group or other read bit
    (`0644`, `0640`, `0604`). Not on Windows, where access is decided by ACLs, not modes.

    This fires on most projects: the usual umask `022` makes every new file `0644`, and git
    checks files out the same way. That is the finding, not noise: the fix is one command.

    ## Why is this bad?
    On a shared machine (a CI runner, a jump host, a dev server) any user or service account
    can read the keys. The mode also travels with the file: `COPY` into an image, `tar`,
    `rsync -a` and `scp -p` keep it. Inside a container that runs as one user the risk is
    smaller (no other user to read it), but the image's layers still hold the file for anyone
    who pulls the image: keep dotenv files out of images (`.dockerignore`) and pass the
    variables at run time.

    ## Example
    `-rw-r--r-- 1 dev dev 412 .env` (mode `0644`)

    ## Use instead
    `chmod 600 .env` (owner only); `umask 077` before creating files with secrets.

    ## References
    - chmod(1), umask(2)
    - docs/exposure.md
    """

    meta = RuleMeta("EA702", "dotenv-permissions", Severity.WARNING,
                    "a .env file with secrets is readable by group or others",
                    "chmod 600 the file (owner read/write only)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per ``env`` file with secrets whose mode has a group or other read bit."""
        if not PERMISSIONS_APPLY:
            return
        for f in _files(ctx, "env"):
            readable = f.mode & _READABLE
            if not readable:
                continue
            who = {0o040: "its group", 0o004: "every user"}.get(readable, "its group and "
                                                                           "every user")
            yield self.finding(
                f"{f.path} holds secrets ({held(f.secrets)}) and {who} can read it "
                f"(mode {f.mode:04o})",
                Location("dotenv", f.path), fix=f"chmod 600 {shlex.quote(f.path)}",
                details={"mode": f"{f.mode:04o}"})


class SecretInExample(Rule):
    """
    ## What it does
    Finds a real-looking credential in an example file (`.env.example`, `.env.sample`,
    `.env.template`, `.env.dist`): a value in a known credential format (Anthropic's keys and
    tokens, and the other providers' formats EA109 knows) that is not a documentation
    placeholder (EA106's list), whose random part varies (not `sk-ant-api03-xxxx…`), and that
    spells none of the words fake keys are written with (`EXAMPLE`, `FAKE`, `DUMMY`,
    `SAMPLE`, `REDACTED` …: AWS's documented `AKIAIOSFODNN7EXAMPLE` passes). Every variable of
    the file is looked at, whatever its name. The message shows the key's hint, never the key.

    ## Why is this bad?
    Example files are committed and shared by design: a real key copied into one (the usual
    way: `cp .env .env.example`, then forgetting one line) is leaked to everyone who can read
    the repository.

    ## Example
    `ANTHROPIC_API_KEY=sk-ant-api03-…` (a real key) in `.env.example`

    ## Use instead
    `ANTHROPIC_API_KEY=` or `ANTHROPIC_API_KEY=sk-ant-api03-...` in the example, and rotate the
    key that was there: treat it as leaked.

    ## References
    - data/credentials.toml (formats and placeholders)
    - Anthropic Console, API keys (revoke and create a key)
    """

    meta = RuleMeta("EA703", "secret-in-example", Severity.ERROR,
                    "a real-looking credential in .env.example / .sample / .template",
                    "rotate the key and leave a placeholder in the example file")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per real-looking credential in an example file."""
        from envaudit.rules.credentials import article

        for f in _files(ctx, "example"):
            for secret in f.secrets:
                if secret.kind is None:
                    continue
                name = _name(secret)
                yield self.finding(
                    f"{name} holds {article(secret.kind)} {secret.kind} that looks real "
                    f"({secret.hint}) in an example file, which is committed and shared",
                    Location("dotenv", f.path, secret.line),
                    variable=name if name == secret.name else None,
                    fix=f"rotate the key (treat it as leaked) and write {name}= in "
                        f"{posix_name(f.path)}",
                    subject=secret.hint or "")


class KeyHardcoded(Rule):
    """
    ## What it does
    Finds a credential written in the project's files: a real-looking credential (as EA703
    tells one: a known format, not a placeholder, a varied random part, no `EXAMPLE`/`FAKE`
    word) in any file the source analysis reads - the entry points and the modules they
    import, `package.json`, `pyproject.toml`, Dockerfiles (`ENV`/`ARG` lines), Procfiles,
    Makefiles - and in the compose files of the top folders and the configuration files
    (`*.json`, `*.yaml`, `*.toml`, `*.ini`, `*.cfg` …, lock files aside) of the root and of
    `.devcontainer`. The message shows the key's hint, never the key.

    It is not a scanner of the whole tree or of the history (gitleaks and trufflehog are): a
    module nothing imports and the test files are not read, so a key used as a test fixture
    there is not reported. A key in a gitignored local configuration file is reported all the
    same: move it to the environment.

    ## Why is this bad?
    The key ships with everything built from the code: the repository and its clones, the
    container image's layers, the JavaScript bundle a browser downloads, the logs that print
    the configuration. It cannot be rotated without a release, and every environment shares
    it.

    ## Example
    `client = Anthropic(api_key="sk-ant-api03-…")`; `ENV ANTHROPIC_API_KEY=sk-ant-api03-…` in
    a Dockerfile; `"apiKey": "sk-ant-…"` in `config.json`.

    ## Use instead
    `Anthropic()` (the SDK reads `ANTHROPIC_API_KEY` from the environment), the variable set at
    run time (`docker run -e`, compose `environment:` from the shell, a secret manager), and
    the written key rotated.

    ## References
    - Anthropic API docs, "API keys" (keep keys out of code)
    - Docker docs, "Build secrets" (`ENV` and `ARG` values stay in the image)
    """

    meta = RuleMeta("EA704", "key-hardcoded", Severity.ERROR,
                    "a credential literal in source or config files",
                    "read the key from the environment and rotate the written one")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per credential literal the source analysis found."""
        from envaudit.rules.credentials import article

        code = ctx.snapshot.code
        if code is None:
            return
        for key in code.hardcoded_keys:
            yield self.finding(
                f"{article(key.kind).capitalize()} {key.kind} is written here "
                f"({key.hint}): it ships with the code, the image and every clone",
                key.location, subject=key.fingerprint)


RULES: tuple[Rule, ...] = (DotenvCommitted(), DotenvPermissions(), SecretInExample(),
                           KeyHardcoded())
