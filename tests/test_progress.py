"""The progress bar: only on a terminal, never in CI or with --quiet; it counts files."""

from __future__ import annotations

import io

import pytest

from ddilint import progress as progress_module


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTerminal:
    """stderr as a terminal; called in the test body (pytest's capture resets sys.stderr after fixtures run)."""
    fake = FakeTerminal()
    monkeypatch.setattr("sys.stderr", fake)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DDILINT_NO_PROGRESS", raising=False)
    return fake


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch):
    terminal(monkeypatch)
    assert progress_module.wanted(quiet=False)
    assert not progress_module.wanted(quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not progress_module.wanted(quiet=False)


def test_not_wanted_when_stderr_is_a_pipe(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.delenv("CI", raising=False)
    assert not progress_module.wanted(quiet=False)


def test_bar_is_drawn_and_cleared(monkeypatch):
    fake = terminal(monkeypatch)
    monkeypatch.setattr(progress_module, "DELAY_SECONDS", 0)
    with progress_module.progress(3, enabled=True) as advance:
        advance(2)
        advance(1)
    drawn = fake.getvalue()
    assert "/3 [" in drawn and "ddilint" in drawn and drawn.endswith("\r")  # drawn, then cleared


def test_disabled_bar_draws_nothing(monkeypatch):
    fake = terminal(monkeypatch)
    with progress_module.progress(3, enabled=False) as advance:
        advance(3)
    assert fake.getvalue() == ""
