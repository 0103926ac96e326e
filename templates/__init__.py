"""Jinja2 templates for `scout new`, shipped in the wheel as the `scout_templates` package."""
