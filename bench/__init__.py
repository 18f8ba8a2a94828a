"""`make bench`: the DESIGN.md §8 targets, measured (never asserted in a timed test)."""
