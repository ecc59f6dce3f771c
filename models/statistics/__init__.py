"""The figures halls publish: per-day rollups kept by triggers, the raw path, rankings, exports."""
