"""``envaudit probe``: one live request along the path the installed SDK would take.

``plan.plan(ctx)`` computes what the SDK would send and along which path (a ``ProbeTarget``,
and the credential's value apart from it); ``run.run(target, credential)`` sends it, stage by
stage, each timed and bounded, and returns a ``ProbeResult``; ``curl.curl_command`` prints
the equivalent curl command; ``render`` turns the audited result into text, JSON or Markdown.
Nothing here is imported by ``scan``: the probe runs only when asked. docs/probe.md describes
the stages, the JSON fields and the limits.
"""
