"""Qt's network examples, headless, written exactly as PySide6 programs.

Swap the ``qtnet`` imports for ``PySide6.QtCore`` / ``PySide6.QtNetwork`` and
each one runs on real Qt.  Run one with ``python -m qtnet.examples.<name>
--help`` or through the ``qtnet`` command (``qtnet <name-with-dashes> --help``):

* ``fortune_server``, ``fortune_client``, ``blocking_fortune_client``,
  ``threaded_fortune_server`` (``fortunes``: the fortunes and their framings);
* ``loopback``;
* ``broadcast_sender`` / ``broadcast_receiver`` and ``multicast_sender`` /
  ``multicast_receiver``: UDP broadcast and multicast between hosts.
"""
