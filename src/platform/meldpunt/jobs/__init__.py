"""Background work: the dramatiq broker, the job registry, the outbox relay, the worker and the scheduler.

Imports no domain module; domain modules register their jobs here with ``@job``.
"""
