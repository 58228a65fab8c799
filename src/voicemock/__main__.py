from voicemock.cli import main

main(prog_name="voicemock")
