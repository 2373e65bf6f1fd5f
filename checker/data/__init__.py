"""Datasets of the checked project: loading (pyarrow or Spark), profiles, comparisons and GX suites.

Nothing here imports pandas, pyarrow, pyspark or great_expectations at module level: only a data rule
that runs pays for them.
"""
