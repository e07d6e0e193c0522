"""The model: the watch floor's records and rules. Pure: no I/O, no SQL, no Textual.

One module per feature (``incidents``, ``aid``, ``partners``, ``isf``, ``plan``, ``headlines``,
``watch``), each holding its records, its status machine (``transitions``), its field checks and
its folding; and the modules every feature shares: ``choice`` (the string enum), ``access``
(roles, permissions, actors, releasability), ``journal`` (what the journal records), ``errors``
(the refusals) and ``transitions`` (one table type and one step function for every status machine).
The store (``console/store``) maps these records to rows and back; see docs/architecture.md.
"""
