"""The domain: SQLAlchemy models and the services that change them.

Nothing here imports Textual; screens and the CLI call these services.
"""
