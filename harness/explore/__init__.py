"""`harness explore`: search fault schedules within a scenario's `explore:` bounds, shrink the
first one that breaks its target to the smallest, and write it as a scenario that reproduces it.

    bounds.py    the `explore:` section resolved against the scenario's clock and topology
    schedule.py  one candidate schedule (faults) and its size; as scenario YAML
    strategy.py  hypothesis strategies that draw schedules within the bounds
    example.py   a schedule -> the scenario file of one example (and of the reproducer)
    search.py    the search: budget, memo, progress, stopping; hypothesis drives it
    start.py     claim one stack for the whole search, run it, write what it found
"""
