"""Pages of the campaigns area, one module per topic; thin, over selectors, analytics and services.

- listing: the list and the quarter calendar;
- campaign: a campaign's page, planning it (create, edit) and moving its status;
- records: spend, checklist items and review notes, recorded from the campaign page;
- touches: a campaign's touches, one at a time or from a CSV;
- comparison: campaigns side by side for a period, and the CSV export.
"""
