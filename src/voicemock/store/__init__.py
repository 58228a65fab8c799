"""What is kept on disk: session folders of takes, the history database, coach corrections.

May import: assess, speech, audio, bank, and the records, errors and helpers at the top of the package.
"""
