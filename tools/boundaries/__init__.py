"""The builder of coterm boundary catalogue (run by tools/build_boundaries.py)."""
