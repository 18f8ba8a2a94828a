"""`make bench`: the performance targets, measured (never asserted in a timed test)."""
