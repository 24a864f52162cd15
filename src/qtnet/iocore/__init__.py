"""Layer 2: the one I/O core: the only code that touches sockets, loops and threads."""
