"""Facts a company states about its own incidents, read from its words, and an incident's facts gathered once.

- ``stated_times``, ``what_broke``, ``where``: pure readings of the company's words (times, parts, regions);
- ``context``: the plain shapes (incident, statements, what the messages tell) and pure derivations;
- ``gather``: the one step that reads the store into that plain context (render.py never does);
- ``record``: one incident as ``bot.py incidents --json`` prints it, from the same plain facts.
"""
