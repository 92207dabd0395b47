"""The service layer (L3): the single path every request takes.

Interfaces (cli, api, web) call only this package. ``query.run_query`` is the one function that
runs SQL on data: authenticate (done by the interface, giving an Actor) → authorize → guard and
mask (prepare) → bind parameters → execute → audit → answer.
"""
