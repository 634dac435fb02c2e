"""Letters: the queued letters of one kind rendered into one PDF batch (fpdf2).

The domain decides what is queued; this package only renders and records. It never imports
Textual. :mod:`cctui.letters.batches` is the entry point (preview, issue, reprint).
"""
