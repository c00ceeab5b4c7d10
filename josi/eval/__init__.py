"""Evaluation library behind evals/: cases, generation cache, statistics, gate verdicts, reports."""
