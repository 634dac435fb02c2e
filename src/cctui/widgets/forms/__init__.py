"""Forms shown as dialogs over a screen: each records one thing through a domain service."""
