"""run: composing the stages and running them over many files.

``pipeline`` composes read -> understand -> verify for one file and holds no logic of its
own. ``onefile`` is the per-file task (parse, write, turn any fault into a failed row) that
every executor runs. ``batch`` decides what to parse (files collected and hashed in
``files``, skip by hash, retries, the failed-row rule of ``failures``, progress) and hands
the to-do list to an executor (``executor``): the local process pool (``pool``) or a Dask
cluster (``cluster``), imported only when used.

Must not import: ``cli``, ``review``.
"""
