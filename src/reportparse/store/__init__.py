"""store: the Parquet contract and everything that reads or writes it.

In: a Report (writing) or an output folder (reading). Out: part files, DataFrames, exports.

Rooms: ``schema`` (every table's columns, types and descriptions: the contract),
``layout`` (where a document's part files live; the writer and the readers share it),
``write`` (one document's parts, committed atomically; the batch's lock), ``dataset``
(reading an output folder back, with duplicate links), ``export`` (CSV and Excel copies).

Must not import: ``verify``, ``run``.
"""
