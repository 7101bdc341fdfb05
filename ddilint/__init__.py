"""ddilint: a static analyzer for Windows kernel-driver C sources."""

__version__ = "0.1.0"
