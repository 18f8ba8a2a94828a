"""The mock dispatch world: one module or package per service + a small core.

Start a service with `python -m mock_services.<module> [--config FILE]`; the wire protocols
and the control API are described in docs/architecture.md.
"""
