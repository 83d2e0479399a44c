"""What is installed where the app runs: Python environments (``python_envs``), read from the
files installers write, never by importing the packages or running an interpreter per package."""
