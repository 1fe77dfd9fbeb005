"""Realistic communities of practice, generated: for the demo, the tests and the benchmarks."""
