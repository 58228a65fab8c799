"""Judging an answer: sentence features and the signal classifier, delivery, fillers, structure, and the
rubric scorecard built from them. No I/O beyond loading the shipped model.

May import: speech, audio, bank, and the records, errors and helpers at the top of the package.
"""
