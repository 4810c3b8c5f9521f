"""Benchmarks for BDR Desk: ``make bench`` (``python -m bench.run_all``). Never part of ``make test``.

Each bench prints figures and a ratio against a baseline measured in the same run, so the numbers stay
meaningful on any machine.
"""
