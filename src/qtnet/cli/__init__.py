"""The ``qtnet`` command line: ``qtnet --help`` lists the commands.

Kept import-free on purpose: ``qtnet --help`` must not pay for asyncio,
uvloop or the Qt API classes.  Each command's module is imported only when
that command runs (see :mod:`qtnet.cli.main`).
"""
