"""Layer 1: sans-I/O codecs (pure functions and state machines, no sockets)."""
