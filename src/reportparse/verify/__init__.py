"""verify: a Report's figures checked against each other, and the check report an auditor reads.

In: the Report's document fields, sections, measures and amounts. Out: ``model.Check`` rows
(``checks.run``), and the printed report (``report``: text, JSON, CSV).

Rooms: ``checks`` (the checks), ``figures`` (numbers and quotes as a message writes them),
``report`` (the check report over an output folder's tables).

Must not import: ``store``, ``run``.
"""
