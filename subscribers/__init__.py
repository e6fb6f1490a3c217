"""Consumers of tracker events (the Subscriber protocol lives in tracker/bus.py).

Imports nothing on purpose: each subscriber pulls in only what it needs (rich, for the terminal).
"""
