"""A Django app that uses S3, not Anthropic."""
