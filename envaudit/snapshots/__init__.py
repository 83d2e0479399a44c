"""Snapshots: the redacted record of one environment that ``envaudit snapshot`` writes and
``envaudit diff`` compares.

A snapshot is the JSON report (``--format json``, report schema 1) grown into a document of its
own: the same members, plus what a comparison needs (host facts, every file read, the installed
and declared packages, the runtimes, the processes read, the environment's name). Its version
line continues the report's: a snapshot is ``schema_version`` 2 with ``"kind":
"envaudit-snapshot"``, and a saved report is read as version 1 and upgraded
(``envaudit.snapshots.upgrade``). ``snapshot.schema.json`` beside this file is the JSON Schema
of version 2; the tests validate every snapshot they write against it.

* ``document``: build a snapshot from a report;
* ``load``: read one back (any supported version), with one-line errors for bad input;
* ``upgrade``: the explicit upgrade functions, one per version step.
"""

from __future__ import annotations

#: ``kind`` of a snapshot document (a report has no ``kind``).
KIND = "envaudit-snapshot"
#: The version ``document`` writes and ``load`` returns every snapshot upgraded to.
SCHEMA_VERSION = 2
#: The file name of the JSON Schema, in this package.
SCHEMA_FILE = "snapshot.schema.json"
