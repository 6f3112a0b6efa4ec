"""Load and latency benchmarks of codegen, side by side with the machine's own limits.

``python -m bench`` (see ``bench/__main__.py``) starts everything itself: a fresh
database, the server as subprocesses, the baselines, and load generators in
their own processes. Results go to ``bench/results/`` and ``docs/perf/``.
"""
