"""Compositions of the stages: score one answer, a practice round, batches (here or on a Dask cluster),
training and evaluating the classifier.

May import every stage (present, store, assess, speech, audio, bank) and the top-level records. No stage
imports a flow.
"""
