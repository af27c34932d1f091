"""SMS delivery behind a small backend interface, chosen by ``SMS_BACKEND``.

``console`` prints each SMS (``make run``), ``http`` posts it to the provider at
``SMS_PROVIDER_URL`` (production), ``locmem`` keeps it in memory (tests); any other value is
the dotted path of a class with the ``SmsBackend`` interface (``base.py``).
"""
