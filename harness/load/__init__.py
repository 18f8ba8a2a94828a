"""Load generation: Locust users for every traffic class, and the runner that starts Locust.

Locust monkey-patches the standard library with gevent when it is imported, which breaks
`requests` (and threads) in the harness process. So only `users.py` and `locustfile.py` import
Locust, and only the Locust subprocess imports them; every other module here is plain Python.
"""
