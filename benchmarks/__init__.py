"""Benchmarks: each path a user waits for, measured against its physical limit in the same run."""
