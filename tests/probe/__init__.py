"""Tests of ``envaudit probe`` and its servers on 127.0.0.1 (``doubles``)."""
