/* ddilint: stand-in for a clang resource header (libclang wheels ship none): the vector types kit headers name, no intrinsics. */
#pragma once
#include <mmintrin.h>
typedef float __m128 __attribute__((__vector_size__(16), __aligned__(16)));
