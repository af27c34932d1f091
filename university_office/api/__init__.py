"""The REST API of universities' own systems (``/api/v1/``), on Django REST framework.

A request carries a token its international office made (``Authorization: Bearer <key>``); the
token names the university, and every read and write goes through the office's selectors and
services with that university, exactly as the office's pages do (channel "api").
"""
