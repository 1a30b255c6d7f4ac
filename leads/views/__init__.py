"""Pages of the leads area, one module per topic: thin, over leads.selectors and leads.services.

Every page checks permissions on the server. A lead the user may not see is a 404 (never
a 403 that would reveal it exists); a lead they see but may not act on is a 403. Forms
are validated, then one service is called; its ValidationError or DomainError goes back
onto the form (400, 409 for a conflict), so a bad input is never a 500 and never
half-written (each service runs in one transaction).

- listing: every lead the user may see, filtered and sorted;
- desks: sales' inbox and marketing's rejected queue, whose rows act with htmx (rows);
- lead_page: a lead's page, and the actions on one lead (moves, touches, reassignment);
- records: creating and editing a lead's record;
- reason_codes: the reasons managers keep for reject, recycle and lose;
- importing: importing leads from a CSV file (mounted apart, leads/import_urls.py);
- common: the visible lead or a 404, a page of a list, a service call onto a form.
"""
