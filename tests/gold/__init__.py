"""Tests of the gold star schema: pure builders in one Spark session, wiring, end-to-end runs."""
