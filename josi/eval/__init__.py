"""Evaluation library behind evals/: cases, generation cache, statistics, gate verdicts, reports.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
