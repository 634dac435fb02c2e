"""Dunning (seed 000; OCA/Tryton practice): the steps, the daily run, reminders and mail.

* :mod:`.steps` — the dunning ladder admins edit: days after due, letter, fee, agency.
* :mod:`.run` — the daily step moving open invoices up the ladder, one letter per customer
  per step, a fee at most once per invoice per step.
* :mod:`.manual` — a reminder for chosen invoices, queued by hand.
* :mod:`.mail` — invoices of customers who take paper, queued for the next mail batch.
* :mod:`.letters` — the queue of letters waiting to be printed.
"""
