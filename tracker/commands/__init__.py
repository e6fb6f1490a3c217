"""The implementations of the CLI's commands, one area per file, imported only when used."""
