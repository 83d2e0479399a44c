"""EA4xx: TLS verification switches and the CA files the app's variables name.

The files themselves are read once by ``envaudit.tls`` (``Snapshot.ca_files``); what the SDKs
do with each variable is in research/sdk-facts.md §9 and docs/sdk-facts.md ("CA files"),
proved by ``tests/rules/test_tls_behaviour.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from envaudit.collectors.tls_files import CA_DIR_VARIABLE, CONTAINER_LOADERS
from envaudit.context import AuditContext, Site
from envaudit.model import Finding, Severity
from envaudit.redact import show
from envaudit.rules.base import Rule, RuleMeta, listed

if TYPE_CHECKING:
    from envaudit.sdkfacts import SdkProfile
    from envaudit.tls import CaFile, Certificate

#: An ``SSL_CERT_FILE`` with fewer certificates than this is a private CA, not a bundle.
FEW_CERTIFICATES = 10
#: The variables naming CA files or folders, in the order their findings are reported.
_CA_NAMES = ("SSL_CERT_FILE", CA_DIR_VARIABLE, "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE",
             "CURL_CA_BUNDLE")
#: Certificates named in a message before ``+N more``.
_NAMED = 3
#: What the Python SDK does with a CA file OpenSSL refuses (measured, research §9).
_BUILD_FAILS = "Anthropic() raises {error} when the client is built (httpx and httpx2 load " \
               "SSL_CERT_FILE then)"
_NODE_IGNORES = ("Node prints 'Warning: Ignoring extra certs from `{path}`, load failed: …' at "
                 "start-up and goes on without them, so servers signed by that CA fail "
                 "(UNABLE_TO_VERIFY_LEAF_SIGNATURE or UNABLE_TO_GET_ISSUER_CERT_LOCALLY)")
#: Node 20 with a NODE_EXTRA_CA_CERTS that exists but holds no PEM certificate (measured).
_NODE_SILENT = ("Node loads no certificate from it and says nothing, so servers signed by that "
                "CA fail (UNABLE_TO_VERIFY_LEAF_SIGNATURE or UNABLE_TO_GET_ISSUER_CERT_LOCALLY)")
_REQUESTS = "requests and curl read it; the Anthropic SDKs never do"


def _host_sites(ctx: AuditContext, name: str, *, containers: bool = False
                ) -> Iterator[tuple[Site, str]]:
    """Each place ``name`` is set to a non-empty value read on this machine (a file only
    docker or compose reads describes a container: its paths are not this machine's; with
    ``containers``, those too), with that value."""
    for site in ctx.sites(name):
        for value, loaders in site.by_value().items():
            if value and (containers or not set(loaders) <= CONTAINER_LOADERS):
                yield site, value


def _ca(ctx: AuditContext, path: str, folder: bool = False) -> CaFile | None:
    return next((c for c in ctx.snapshot.ca_files if c.path == path and c.folder == folder),
                None)


def _profiles(ctx: AuditContext) -> list[SdkProfile]:
    from envaudit.sdkfacts import installed_profiles

    return installed_profiles(ctx.snapshot)


def _python_sdk(ctx: AuditContext) -> bool:
    """Whether a Python SDK may run: one is installed, or no SDK was found at all."""
    kinds = {p.kind for p in _profiles(ctx)}
    return not kinds or "python" in kinds


def _store(ctx: AuditContext) -> str:
    """The installed Python SDK's own trust store, in words."""
    stores = {p.ca for p in _profiles(ctx) if p.kind == "python"}
    labels = sorted({f"{p.sdk} {p.version}" for p in _profiles(ctx) if p.kind == "python"})
    if len(stores) == 1 and None not in stores:
        return f"{stores.pop()}, the store of {listed(labels)}"
    return "certifi's bundle (anthropic 0.x) or the OS store (anthropic 1.x-2.x with httpx2 >= 2.3)"


def _named(certs: tuple[Certificate, ...] | list[Certificate]) -> str:
    names = [c.subject or "(no CN)" for c in certs[:_NAMED]]
    more = f" +{len(certs) - _NAMED} more" if len(certs) > _NAMED else ""
    return ", ".join(names) + more


def _holds(ca: CaFile) -> str:
    n = len(ca.certificates)
    return f"{n} certificate{'s' if n != 1 else ''}" + (f": {_named(ca.certificates)}"
                                                          if n else "")


def _why_no_certificate(ca: CaFile) -> str:
    """Why OpenSSL finds no certificate in a file that was read."""
    if ca.size == 0:
        return "the file is empty"
    if ca.looks_der:
        return "it is one DER (binary) certificate; OpenSSL reads CA files as PEM"
    if ca.encoding == "utf-16":
        return "it is UTF-16 text (PowerShell's > writes that); OpenSSL reads bytes"
    if ca.other_blocks:
        return f"it holds only {listed(sorted(set(ca.other_blocks)))} block(s), no CERTIFICATE"
    return "no '-----BEGIN CERTIFICATE-----' line starts a line"


class TlsVerifyDisabled(Rule):
    """
    ## What it does
    Finds switches that turn certificate verification off, where the app can load them:
    `NODE_TLS_REJECT_UNAUTHORIZED=0`, and `PYTHONHTTPSVERIFY=0`. Node honours only the exact
    value `0` (`false`, `no`, an empty value leave verification on: reported as info, since
    the line does not do what it says); `PYTHONHTTPSVERIFY` is read by no Anthropic SDK and by
    no upstream CPython, only by `urllib` on distributions that patched PEP 493 in (RHEL 7's
    Python), so it is a warning that verification is in fact still on for the SDK.

    ## Why is this bad?
    With `NODE_TLS_REJECT_UNAUTHORIZED=0` every TLS connection the Node process makes, the
    TypeScript SDK's `fetch` included, accepts any certificate: whoever sits on the path (a
    hotel Wi-Fi, a compromised proxy) reads the API key in the `X-Api-Key` or
    `Authorization` header. It usually stays in a `.env` long after the one debugging
    session it was added for. Node prints `Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED
    environment variable to '0' makes TLS connections and HTTPS requests insecure`.

    ## Example
    `.env` with `NODE_TLS_REJECT_UNAUTHORIZED=0`, added to get past a corporate proxy's
    `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`.

    ## Use instead
    Trust the proxy's CA instead: `NODE_EXTRA_CA_CERTS=/path/corp-ca.pem` for Node,
    `SSL_CERT_FILE` with a full bundle that includes it for the Python SDK (EA404, EA405).

    ## References
    - Node.js documentation, `NODE_TLS_REJECT_UNAUTHORIZED` and `NODE_EXTRA_CA_CERTS`
    - PEP 493 (`PYTHONHTTPSVERIFY`, a redistributor's switch for Python 2.7)
    - docs/sdk-facts.md, "CA files and TLS switches" (Node 20 run against a local server)
    """

    meta = RuleMeta("EA401", "tls-verify-disabled", Severity.ERROR,
                    "a variable turns TLS certificate verification off",
                    "remove it and trust the proxy's CA instead (NODE_EXTRA_CA_CERTS, "
                    "SSL_CERT_FILE with a full bundle)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per place that sets one of the switches."""
        if not ctx.provider_in_use:
            return
        for site, value in _host_sites(ctx, "NODE_TLS_REJECT_UNAUTHORIZED", containers=True):
            if value == "0":
                message = ("NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off "
                           "for every TLS connection of the Node process, the TypeScript SDK's "
                           "included: anyone on the path can read the API key")
                yield self.finding(message, site.location, site.name, subject=value)
            elif value != "1":
                message = (f"NODE_TLS_REJECT_UNAUTHORIZED={value[:20]!r} has no effect: Node "
                           "turns verification off only for the exact value '0' (verification "
                           "stays on)")
                yield self.finding(message, site.location, site.name, severity=Severity.INFO,
                                   subject="no-effect",
                                   fix="remove the line: it changes nothing")
        for site, value in _host_sites(ctx, "PYTHONHTTPSVERIFY", containers=True):
            if value.strip() == "0":
                message = ("PYTHONHTTPSVERIFY=0 does not turn verification off for the Anthropic "
                           "Python SDK (httpx and httpx2 never read it, nor does upstream "
                           "CPython; only urllib on PEP 493-patched builds such as RHEL's): a "
                           "TLS error it was meant to silence is still there")
                yield self.finding(message, site.location, site.name, severity=Severity.WARNING,
                                   subject=value,
                                   fix="remove it; trust the CA with SSL_CERT_FILE (a full "
                                       "bundle) instead")


class CaFileMissing(Rule):
    """
    ## What it does
    Finds a CA variable whose path does not exist on this machine, is a folder where a file is
    expected (or a file where `SSL_CERT_DIR` wants a folder), or cannot be read:
    `SSL_CERT_FILE`, `SSL_CERT_DIR` (when `SSL_CERT_FILE` is unset), `NODE_EXTRA_CA_CERTS`,
    `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`. A relative path is taken from the audited folder
    (where the app is assumed to start). Files that only docker or compose read are left out:
    their paths are the container's.

    ## Why is this bad?
    The Python SDK loads `SSL_CERT_FILE` when the client is built: a missing file makes
    `Anthropic()` raise `FileNotFoundError: [Errno 2] No such file or directory` (a folder:
    `IsADirectoryError`), before any request, in anthropic 0.x (httpx) and 1.x-2.x (httpx2)
    alike. A missing `SSL_CERT_DIR` builds the client, then every HTTPS request fails with
    `CERTIFICATE_VERIFY_FAILED` (only that folder is searched). Node ignores a missing
    `NODE_EXTRA_CA_CERTS` with a warning (a folder without one), and the private CA is then
    not trusted.
    `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE` matter to requests and curl only (warning).

    ## Example
    `SSL_CERT_FILE=/etc/ssl/corp/ca.pem` copied from a colleague's machine.

    ## Use instead
    Point the variable at a file that exists where the app runs, or unset it (an empty
    `SSL_CERT_FILE` is ignored: the default store is used).

    ## References
    - research/sdk-facts.md §9 (ran against a private-CA server, anthropic 0.125.0 and 2.10.0)
    - docs/sdk-facts.md, "CA files and TLS switches" (anthropic 2.17.0, Node 20)
    """

    meta = RuleMeta("EA402", "ca-file-missing", Severity.ERROR,
                    "a CA variable names a path that does not exist or cannot be read",
                    "point it at a file that exists where the app runs, or unset it")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per place naming a path that is not there."""
        if not ctx.provider_in_use:
            return
        cert_file = ctx.effective_value("SSL_CERT_FILE")
        for name in _CA_NAMES:
            if name == CA_DIR_VARIABLE and cert_file:
                continue  # SSL_CERT_FILE wins: the folder is never looked at
            for site, path in _host_sites(ctx, name):
                shown = show(name, path)  # a credential pasted here is not printed
                ca = _ca(ctx, path, name == CA_DIR_VARIABLE)
                if ca is None or ca.status in ("ok", "folder", "too-large"):
                    continue
                what = f"{name}={shown}: {ca.reason}"
                severity = None
                if name == "SSL_CERT_FILE":
                    if ca.status == "not-a-file":
                        effect = ("OpenSSL opens it when the client is built (reading a FIFO "
                                  "blocks until something writes to it)")
                        severity = Severity.WARNING
                    elif ca.status == "unreadable":
                        effect = _BUILD_FAILS.format(error="PermissionError or OSError")
                    else:
                        effect = _BUILD_FAILS.format(error=ca.openssl_error)
                elif name == CA_DIR_VARIABLE:
                    effect = ("the client is built, then every HTTPS request fails with "
                              "CERTIFICATE_VERIFY_FAILED: only this folder is searched, the "
                              "default store is not loaded")
                elif name == "NODE_EXTRA_CA_CERTS":
                    effect = (_NODE_IGNORES.format(path=shown) if ca.status == "missing"
                              else _NODE_SILENT)
                    severity = Severity.WARNING
                else:
                    effect = (f"requests raises OSError 'Could not find a suitable TLS CA "
                              f"certificate bundle' on every HTTPS request ({_REQUESTS})")
                    severity = Severity.WARNING
                yield self.finding(f"{what}; {effect}", site.location, name, subject=path,
                                   severity=severity)


class CaFileInvalid(Rule):
    """
    ## What it does
    Reads each CA file the app's variables name (`SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`,
    `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`) as OpenSSL does, and fires when OpenSSL would
    refuse it: no PEM certificate at all (an empty file, a DER certificate, a private key, UTF-16
    text, a `BEGIN` line that does not start its line), or a certificate block that does not
    decode (a truncated copy, a broken line). Also a `SSL_CERT_DIR` folder without any
    `<hash>.0` file, which OpenSSL's lookup by subject hash never finds. A file over 4 MiB is
    not read: an info finding says it was not checked.

    ## Why is this bad?
    For `SSL_CERT_FILE`, `Anthropic()` raises `ssl.SSLError: [X509:
    NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found` (or `[X509] PEM lib` for a broken
    block) when the client is built. Node loads nothing from a bad `NODE_EXTRA_CA_CERTS` and,
    unlike for a missing file, prints no warning (Node 20); a folder without hashed names
    makes every verification fail.

    ## Example
    `SSL_CERT_FILE=corp-ca.cer`, exported from Windows as "DER encoded binary X.509".

    ## Use instead
    Convert it to PEM (`openssl x509 -inform der -in corp-ca.cer -out corp-ca.pem`), re-save a
    UTF-16 file as ASCII, or run `openssl rehash DIR` for a folder.

    ## References
    - research/sdk-facts.md §9 (a private key as SSL_CERT_FILE)
    - docs/sdk-facts.md, "CA files and TLS switches" (what OpenSSL 3 accepts, measured)
    """

    meta = RuleMeta("EA403", "ca-file-invalid", Severity.ERROR,
                    "a CA file holds no certificate OpenSSL can load",
                    "convert it to PEM (openssl x509 -inform der -in F -out F.pem)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per place naming a file OpenSSL refuses."""
        if not ctx.provider_in_use:
            return
        cert_file = ctx.effective_value("SSL_CERT_FILE")
        for name in _CA_NAMES:
            for site, path in _host_sites(ctx, name):
                shown = show(name, path)  # a credential pasted here is not printed
                if name == CA_DIR_VARIABLE:
                    ca = _ca(ctx, path, True)
                    if cert_file or ca is None or ca.status != "folder" or ca.hashed_files:
                        continue
                    message = (f"SSL_CERT_DIR={shown} holds no <hash>.0 file ({ca.other_files} "
                               "other files): OpenSSL looks certificates up by subject hash, so "
                               "every HTTPS request fails with CERTIFICATE_VERIFY_FAILED")
                    yield self.finding(message, site.location, name, subject=path,
                                       fix=f"run openssl rehash {shown} (or c_rehash)")
                    continue
                ca = _ca(ctx, path)
                if ca is not None and ca.status == "too-large":
                    message = (f"{name}={shown} was not read ({ca.reason}): whether OpenSSL "
                               "accepts it, and its certificates' dates, were not checked")
                    yield self.finding(message, site.location, name, subject=path,
                                       severity=Severity.INFO,
                                       fix="a CA bundle is a few hundred KB: check that the "
                                           "variable names the right file")
                    continue
                error = ca.openssl_error if ca is not None and ca.status == "ok" else None
                if ca is None or error is None:
                    continue
                why = (f"{ca.bad_blocks} PEM block(s) do not decode (a truncated or edited "
                       "copy)" if ca.bad_blocks else _why_no_certificate(ca))
                severity = None
                if name == "SSL_CERT_FILE":
                    effect = _BUILD_FAILS.format(error=error)
                elif name == "NODE_EXTRA_CA_CERTS":
                    effect = _NODE_SILENT
                    severity = Severity.WARNING
                else:
                    effect = f"requests cannot load it ({_REQUESTS})"
                    severity = Severity.WARNING
                yield self.finding(f"{name}={shown}: {why}; {effect}", site.location, name,
                                   subject=path, severity=severity)


class CaBundleIgnored(Rule):
    """
    ## What it does
    Finds `REQUESTS_CA_BUNDLE` or `CURL_CA_BUNDLE` set (typically to a corporate or
    TLS-intercepting proxy's CA) while neither `SSL_CERT_FILE` nor `SSL_CERT_DIR` is, in an app
    that may run the Python SDK. The message names the store the installed release verifies
    against instead (certifi's bundle for anthropic 0.x and httpx2 < 2.3, the OS store for
    httpx2 >= 2.3) and what the file holds.

    ## Why is this bad?
    No version of the Anthropic Python SDK reads them (httpx and httpx2 read only
    `SSL_CERT_FILE` and `SSL_CERT_DIR`): `curl` and `requests` succeed through the proxy
    while the SDK fails with `APIConnectionError` caused by `CERTIFICATE_VERIFY_FAILED: unable
    to get local issuer certificate`.

    ## Example
    `.env` sets `HTTPS_PROXY` and `REQUESTS_CA_BUNDLE=certs/corp-proxy-ca.pem`, nothing else.

    ## Use instead
    Set `SSL_CERT_FILE` to a bundle that holds the public CAs and the proxy's CA
    (`cat /etc/ssl/certs/ca-certificates.crt certs/corp-proxy-ca.pem > certs/bundle.pem`): it
    replaces the store (EA405). With anthropic >= 1.0 and httpx2 >= 2.3, installing the CA into
    the OS store (`update-ca-certificates`) also works.

    ## References
    - research/sdk-facts.md, headline 4 and §9 (ran: `REQUESTS_CA_BUNDLE` ignored by 0.125.0
      and 2.10.0)
    - `tests/rules/test_tls_behaviour.py` (anthropic 2.17.0 against a private-CA server)
    """

    meta = RuleMeta("EA404", "ca-bundle-ignored", Severity.WARNING,
                    "REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE set without SSL_CERT_FILE: the Python "
                    "SDK ignores them",
                    "set SSL_CERT_FILE to a full bundle that includes the CA")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per effective bundle variable the SDK ignores."""
        if not ctx.provider_in_use or not _python_sdk(ctx):
            return
        if ctx.effective_value("SSL_CERT_FILE") or ctx.effective_value("SSL_CERT_DIR"):
            return
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            path = ctx.effective_value(name)
            shown = show(name, path) if path else ""
            winner = next((d for loader in ctx.snapshot.loaders
                           if (d := ctx.effective(name, loader)) is not None), None)
            if not path or winner is None:
                continue
            ca = _ca(ctx, path)
            holds = f" ({_holds(ca)})" if ca is not None and ca.status == "ok" else ""
            message = (f"{name}={shown}{holds} is ignored by the Anthropic Python SDK: it "
                       f"verifies against {_store(ctx)}, so a proxy or server signed by this "
                       "CA fails with CERTIFICATE_VERIFY_FAILED (requests and curl trust it)")
            full = ca is not None and len(ca.certificates) >= FEW_CERTIFICATES
            fix = (f"also set SSL_CERT_FILE={shown} (it holds a full bundle)" if full else
                   f"set SSL_CERT_FILE to a bundle of the system CAs plus {shown} (it replaces "
                   "the store)")
            yield self.finding(message, winner.location, name, subject=path, fix=fix)


class CaFileReplacesStore(Rule):
    """
    ## What it does
    Finds an effective `SSL_CERT_FILE` that OpenSSL loads but that holds fewer than 10
    certificates (a private or proxy CA rather than a bundle), in an app that may run the
    Python SDK.

    ## Why is this bad?
    `SSL_CERT_FILE` replaces the trust store, it does not add to it: with a one-certificate
    file the SDK's SSL context holds exactly that CA. Servers signed by a public CA, such as
    `api.anthropic.com` when the request is not intercepted, then fail with
    `CERTIFICATE_VERIFY_FAILED` (`unable to get local issuer certificate`). It works only while
    every request goes through the proxy that re-signs it; a `NO_PROXY` entry or a laptop off
    the VPN breaks it.

    ## Example
    `SSL_CERT_FILE=certs/corp-ca.pem` holding only the corporate root.

    ## Use instead
    A bundle with the public CAs and the private one: `cat /etc/ssl/certs/ca-certificates.crt
    certs/corp-ca.pem > certs/bundle.pem` (or certifi's `cacert.pem`), and `SSL_CERT_FILE`
    pointing at it.

    ## References
    - research/sdk-facts.md §9 (`SSL_CERT_FILE` replaces the store: 1 CA in the context)
    - `tests/rules/test_tls_behaviour.py` (anthropic 2.17.0: the private CA only)
    """

    meta = RuleMeta("EA405", "ca-file-replaces-store", Severity.WARNING,
                    "SSL_CERT_FILE holds only a few certificates: it replaces the trust store",
                    "point SSL_CERT_FILE at a full bundle that includes the private CA")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per place setting the effective ``SSL_CERT_FILE`` to a small file."""
        if not ctx.provider_in_use or not _python_sdk(ctx):
            return
        path = ctx.effective_value("SSL_CERT_FILE")
        shown = show("SSL_CERT_FILE", path) if path else ""
        ca = _ca(ctx, path) if path else None
        if ca is None or ca.status != "ok" or ca.openssl_error is not None:
            return
        if not 0 < len(ca.certificates) < FEW_CERTIFICATES:
            return
        for site, value in _host_sites(ctx, "SSL_CERT_FILE"):
            if value != path:
                continue
            message = (f"SSL_CERT_FILE={shown} holds only {_holds(ca)}; it replaces "
                       f"{_store(ctx)}: servers signed by any other CA, api.anthropic.com "
                       "when not intercepted by a proxy, fail with CERTIFICATE_VERIFY_FAILED")
            yield self.finding(message, site.location, "SSL_CERT_FILE", subject=path)


class CaCertExpired(Rule):
    """
    ## What it does
    Reads the validity dates of every certificate in the CA files the app's variables name
    (`SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`; the files
    of a `SSL_CERT_DIR` folder are not read, which would cost ~11 ms for `/etc/ssl/certs`), and
    fires for each file holding a certificate that has expired
    or is not yet valid at the time of the scan (`notAfter` / `notBefore`, read from the
    certificate itself). A full bundle (10 certificates or more, some of them valid: the
    system's, certifi's, or one built from them) is left alone: distributions keep expired
    roots there, and a chain through a valid root is unaffected.

    ## Why is this bad?
    A chain through an expired CA fails with `CERTIFICATE_VERIFY_FAILED: certificate has
    expired` (Python) or `CERT_HAS_EXPIRED` (Node), typically the day a corporate proxy's CA was
    renewed and the copy in the repository was not.

    ## Example
    `NODE_EXTRA_CA_CERTS=certs/corp-ca.pem` whose only certificate expired on 2021-01-01.

    ## Use instead
    Replace the file with the CA's current certificate (ask whoever runs the proxy, or export it
    from the OS store).

    ## References
    - RFC 5280 §4.1.2.5 (validity)
    """

    meta = RuleMeta("EA406", "ca-cert-expired", Severity.WARNING,
                    "a certificate in a configured CA file is expired or not yet valid",
                    "replace the file with the CA's current certificate")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per place naming a file with a certificate out of its validity."""
        if not ctx.provider_in_use:
            return
        for name in _CA_NAMES:
            for site, path in _host_sites(ctx, name):
                shown = show(name, path)  # a credential pasted here is not printed
                ca = _ca(ctx, path, name == CA_DIR_VARIABLE)
                if ca is None or not ca.certificates:
                    continue
                expired = [c for c in ca.certificates
                           if c.not_after is not None and c.not_after < ca.read_at]
                early = [c for c in ca.certificates
                         if c.not_before is not None and c.not_before > ca.read_at]
                if not expired and not early:
                    continue
                if len(ca.certificates) >= FEW_CERTIFICATES and len(expired) + len(early) < len(
                        ca.certificates):
                    # a full bundle (the system's, certifi's, or one built from them): the
                    # distributions keep expired roots in it, and a chain through a valid root
                    # is unaffected; warning there would fire on every Debian machine
                    continue
                parts = [f"{c.subject or '(no CN)'} expired on {c.not_after[:10]}"
                         for c in expired[:_NAMED] if c.not_after]
                parts += [f"{c.subject or '(no CN)'} is valid only from {c.not_before[:10]}"
                          for c in early[:_NAMED] if c.not_before]
                more = len(expired) + len(early) - len(parts)
                bad = len(expired) + len(early)
                message = (f"{name}={shown}: {bad} of its {len(ca.certificates)} certificate"
                           f"{'s' if len(ca.certificates) != 1 else ''} out of validity "
                           f"({'; '.join(parts)}{f' +{more} more' if more else ''}): a chain "
                           "through it fails (Python: CERTIFICATE_VERIFY_FAILED certificate has "
                           "expired; Node: CERT_HAS_EXPIRED)")
                yield self.finding(message, site.location, name, subject=path)


RULES: tuple[Rule, ...] = (TlsVerifyDisabled(), CaFileMissing(), CaFileInvalid(),
                           CaBundleIgnored(), CaFileReplacesStore(), CaCertExpired())
