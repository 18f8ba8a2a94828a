"""The small shared core every mock service is built from.

Modules are imported on demand: an HTTP-only service never loads the SIP code (memory).
"""
