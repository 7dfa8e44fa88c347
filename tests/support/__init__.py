"""Support code for the tests, imported by test modules: neither tests nor conftest files.

Where shared test code lives:

- ``tests/factories.py``: plain functions that build objects in the database (candidates, drafts, staff, fees,
  dictionaries); tests override only what they are about.
- ``tests/fixtures/``: pytest fixtures shared across folders, registered with ``pytest_plugins`` in
  ``tests/conftest.py``; tests ask for them by name and never import them.
- ``tests/support/``: everything else a test imports (the run's database, posting forms, payment helpers, real
  app and database servers).

No module imports a ``test_*`` module or a ``conftest`` (tests/test_test_layout.py checks it).
"""
