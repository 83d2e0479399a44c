"""Tests of envaudit's loader models against the real loaders (python-dotenv, docker CLI)."""
