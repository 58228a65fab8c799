"""Sound in and out: reading audio files, devices, recording the answer, playback, speaking a question.

May import: bank (a question to speak), and the records, errors and helpers at the top of the package.
"""
