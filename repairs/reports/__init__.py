"""Managers' reports: `generator` computes rows in the database, the formatters
(`formats`: JSON, CSV, HTML, PDF) only format them, `exports` renders large PDFs in a Celery task
and mails the monthly one."""
