"""Speech to text: the Whisper model, transcription (whole-file and live), sentences, hesitations Whisper
dropped, transcript writers.

May import: audio, bank, and the records, errors and helpers at the top of the package.
"""
