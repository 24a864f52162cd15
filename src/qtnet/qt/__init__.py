"""Layer 3: the Qt API classes (thin, faithful, one module per class family)."""
