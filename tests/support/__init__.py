"""Test doubles shared by the template tests."""
