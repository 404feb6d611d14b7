#ifndef RETORT_VECTOR_WIDTH_H
#define RETORT_VECTOR_WIDTH_H
/* The vector register width the build targets (-target-cpu, see Package.swift), as clang
   sees it: Swift has no #if for target features, and the micro-kernel's register blocking
   (VectorMath/TileKernel.swift) must fit the register file the compiler emits code for:
   32 × 512-bit registers with AVX-512, 16 × 256-bit with AVX2. */
#if defined(__AVX512F__)
#define RT_VECTOR_BITS 512
#elif defined(__AVX2__) || defined(__AVX__)
#define RT_VECTOR_BITS 256
#else
#define RT_VECTOR_BITS 128
#endif
#endif
