"""What is asked and how it is scored: the rubric and question-bank TOML files, loaded and validated.

May import: the records, errors and resources at the top of the package. Nothing else of voicemock.
"""
