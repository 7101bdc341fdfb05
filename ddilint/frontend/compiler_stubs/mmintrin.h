/* ddilint: stand-in for a clang resource header (libclang wheels ship none): the vector types kit headers name, no intrinsics. */
#pragma once
typedef long long __m64 __attribute__((__vector_size__(8), __aligned__(8)));
