#!/bin/sh
# Run the worker outside docker with the production settings.
set -eu
set -a
. ./deploy/docker.env
set +a
exec python app.py
