"""Benchmarks: how close signviz runs to this machine's limit, and what the live UI costs.

Every figure is a ratio of two times (or sizes) measured in the same run on the same
machine, against a reference that does the least the task needs: absolute times on a
shared machine mislead, ratios hold. Run them all with ``python -m benchmarks``.
"""
