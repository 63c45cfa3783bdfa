"""Server-rendered pages (Jinja2): parent dashboard, admin console, kid web launcher.

They call the same services as the JSON API; forms work without JavaScript.
"""
