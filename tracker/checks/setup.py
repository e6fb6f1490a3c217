"""Checks for module 01 (setup): tinytorch/system.py."""

from __future__ import annotations


def check_personal_info() -> None:
    from tinytorch.system import personal_info

    info = personal_info()
    assert isinstance(info, dict), f"personal_info() should return a dict, got {type(info).__name__}"
    for key in ("name", "email", "institution", "system_name"):
        value = info.get(key)
        ok = isinstance(value, str) and value.strip()
        assert ok, f"personal_info()[{key!r}]: expected non-empty text, got {value!r}"
    assert "@" in info["email"], f"expected an email address with '@', got {info['email']!r}"


def check_system_info() -> None:
    import os
    import platform

    import numpy as np

    from tinytorch.system import system_info

    info = system_info()
    assert isinstance(info, dict), f"system_info() should return a dict, got {type(info).__name__}"
    expected = {"python": platform.python_version(), "numpy": np.__version__}
    for key, want in expected.items():
        assert info.get(key) == want, f"system_info()[{key!r}]: expected {want!r}, got {info.get(key)!r}"
    assert isinstance(info.get("platform"), str) and info["platform"], "system_info()['platform'] is empty"
    cpus = info.get("cpu_count")
    assert isinstance(cpus, int) and cpus >= 1, f"system_info()['cpu_count']: expected int >= 1, got {cpus!r}"
    assert cpus == (os.cpu_count() or 1), f"cpu_count: expected {os.cpu_count()}, got {cpus}"
