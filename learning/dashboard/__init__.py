"""The Board executive dashboard: its figures, the annual report, the reports by reporting line
and their exports. It reads the apps through their selectors; nothing outside it imports it but
``figure`` (a count shown as the link to its records), which training's own pages use too.

``scope`` (who reads what, for which period), ``figure`` (a count and the list behind it), one
module per section of figures (``reviews``, ``actions``, ``loop``, ``assurance``, ``returns``),
``overview`` (the dashboard page), ``annual_report``, ``reporting_lines``, ``exports``, and the
web layer (``forms``, ``views``, ``urls``, ``templates/dashboard/``).
"""
