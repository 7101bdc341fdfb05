/* ddilint: stand-in for a clang resource header (libclang wheels ship none): the vector types kit headers name, no intrinsics. */
#pragma once
#include <xmmintrin.h>
typedef double __m128d __attribute__((__vector_size__(16), __aligned__(16)));
typedef long long __m128i __attribute__((__vector_size__(16), __aligned__(16)));
