"""Reporters: they see findings and notifications only, never checks or parsers."""
