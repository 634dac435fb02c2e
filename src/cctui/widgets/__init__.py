"""Reusable widgets and display helpers; they never import SQLAlchemy or psycopg."""
