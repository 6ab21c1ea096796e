"""The web shell: the layout every page shares (base templates, menu, static files), sign-in
and the home page, the WebSocket event hub, and health, readiness and metrics.

The shared HTTP kit is :mod:`omnivox.http`; each domain's own pages live in its package.
"""
