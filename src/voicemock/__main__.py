from voicemock.cli import main

main()
