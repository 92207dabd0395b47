"""Command-line interface (L4). Each ``cmd_*`` module contributes ``COMMANDS``; main.py finds them."""
