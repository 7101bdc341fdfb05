"""Frontends turn C files into ddilint's IR; nothing outside this package imports a parser."""
