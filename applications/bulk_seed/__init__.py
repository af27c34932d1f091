"""The pieces of ``manage.py seed_bulk`` (the command itself, thin, is in
``applications/management/commands/seed_bulk.py``; its docstring tells what the data is).

- ``reference_data``: names, places, faculties, the mixes of levels and fields, messages.
- ``status_plan``: how many applications of each status (exact, and known to the tests).
- ``context``: what a run reads once (policies, universities, staff) and the state it carries.
- ``staff``: the officers and supervisors.
- ``students``, ``application_rows``, ``history``, ``notice_rows``, ``document_rows``: the row
  makers, one concern each; all draw from the one seeded generator, always in the same order.
- ``chunk``: one chunk of applications with all their related rows.
- ``copy_writer``: the tables written with ``COPY``, and the thread that writes them.
- ``run``: the chunks through the writer, then fresh statistics.
"""
