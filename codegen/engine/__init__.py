"""The engine: the worker (claim, lease, reaper), the pipeline (stages) and the event bus."""
