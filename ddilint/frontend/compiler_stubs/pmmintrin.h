/* ddilint: stand-in for a clang resource header (libclang wheels ship none): the vector types kit headers name, no intrinsics. */
#pragma once
#include <emmintrin.h>
