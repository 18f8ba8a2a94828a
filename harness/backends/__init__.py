"""Backends bring a topology up as a running stack: local (default), compose, external."""
