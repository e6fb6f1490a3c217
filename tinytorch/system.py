"""Module 01 - Setup: who is building this TinyTorch, and on what machine.

The first module checks that the environment works and that the work is signed. Fill in your own
details below, or set the environment variables TINYTORCH_NAME, TINYTORCH_EMAIL and
TINYTORCH_INSTITUTION, which take precedence.

Public names
- `personal_info() -> dict`: keys "name", "email", "institution", "system_name" (all non-empty str).
- `system_info() -> dict`: keys "python" (e.g. "3.11.7"), "platform", "machine", "numpy" (version),
  "cpu_count" (int).
"""

from __future__ import annotations

import os
import platform

import numpy as np

NAME = "Your Name"  # <- put your name here
EMAIL = "you@example.com"  # <- and your email
INSTITUTION = "Independent Learner"


def personal_info() -> dict[str, str]:
    """The developer's details, from TINYTORCH_* environment variables or the constants above."""
    ### BEGIN SOLUTION hint: os.environ.get("TINYTORCH_NAME") etc., falling back to the constants above
    name = os.environ.get("TINYTORCH_NAME") or NAME
    email = os.environ.get("TINYTORCH_EMAIL") or EMAIL
    institution = os.environ.get("TINYTORCH_INSTITUTION") or INSTITUTION
    return {"name": name, "email": email, "institution": institution, "system_name": f"{name}'s TinyTorch"}
    ### END SOLUTION


def system_info() -> dict[str, str | int]:
    """What the code runs on: worth printing next to any benchmark number."""
    ### BEGIN SOLUTION hint: platform.python_version(), platform.platform(), np.__version__, os.cpu_count()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count() or 1,
    }
    ### END SOLUTION
