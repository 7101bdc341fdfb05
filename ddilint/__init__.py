"""ddilint: a static analyzer for Windows kernel-driver C sources."""

__version__ = "0.1.0"

HOMEPAGE = "https://github.com/ddilint/ddilint"
