"""The advisor's knowledge as data: entries written from the source article and salary factor tables.

The files here are TOML, meant to be edited by people; `ptcc knowledge check` validates them.
"""
