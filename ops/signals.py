"""Celery signal receivers (filled in below)."""
