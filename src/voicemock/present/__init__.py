"""What a person reads: text and Markdown reports, the review page, the history plot, progress bars.

May import: store, assess, speech, audio, bank, and the records, errors and helpers at the top.
"""
