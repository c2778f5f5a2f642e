"""The ``coterm`` command line: one module per command; the library never imports this package."""
