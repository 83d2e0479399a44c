"""A Flask app that does not call Anthropic."""
