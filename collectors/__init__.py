"""Collectors: the only code that talks to the network or reads source files.

Each source has a reader (offline format -> rows for raw tables) shared by its live collector,
and returns a `warehouse.LoadBatch`; the warehouse writes it.
"""
