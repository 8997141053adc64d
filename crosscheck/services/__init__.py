"""Writes of the 大数据比对 feature: lists (sources), rules and their runs, reviews."""
