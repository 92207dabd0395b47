from trailmask.cli.main import main

main()
