from coterm.cli.main import main

main()
