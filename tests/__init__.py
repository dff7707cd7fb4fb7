"""Tests of the template: they render it first and test what users get."""
