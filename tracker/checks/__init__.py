"""Smoke checks, one file per course module (`tracker/checks/<module id>.py`).

Each file holds plain `check_<what>()` functions, run in definition order inside the sandboxed
worker against the student's workspace. A check imports from `tinytorch.<file>` inside its body,
uses small inputs and plain asserts whose message says what was expected and what came back.
A check passes on the reference solution and, on a stubbed module, stops at NotImplementedError.
"""
