/* ddilint: stand-in for a clang resource header (libclang wheels ship none); nothing the analyses need. */
#pragma once
