import sys

try:
    from coterm.cli.main import main
except KeyboardInterrupt:  # interrupted while importing: nothing was written yet
    print("coterm: interrupted; no partial output was left behind", file=sys.stderr)
    sys.exit(130)

main()
