"""One module per CLI subcommand; each defines ``HELP``, ``add_arguments(parser)`` and ``main(args) -> int``."""
