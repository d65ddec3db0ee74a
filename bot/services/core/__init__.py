"""Shared pieces of every domain: access scopes, errors, the messenger port, paging, phones,
dates and working days (calendar), workbooks, official headers, tenants and the Russian texts."""
