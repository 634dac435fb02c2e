"""The collections workflow: action types, notes, to-dos, follow-ups, calls, promises, disputes.

Every service here takes the acting staff member, checks their role first, writes an audit
row and keeps the customer's maintained workflow figures (open actions, last and next call,
next promise) equal to what :data:`cctui.domain.figures.TRUTH_SQL` computes, in the caller's
transaction.
"""
