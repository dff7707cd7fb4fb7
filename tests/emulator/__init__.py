"""Tests of the offline workspace emulator (tests/support/emulator)."""
