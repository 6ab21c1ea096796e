"""Passwords, tokens, sessions and the permission matrix."""
