"""tinytorch-tracker: checks a student's TinyTorch code on every save and celebrates each unlock.

Kept import-free so `tinytorch-tracker --help` starts fast; the parts import what they need lazily.
"""

__version__ = "0.1.0"
