#ifndef RETORT_CBLAS_SHIM_H
#define RETORT_CBLAS_SHIM_H
/* BLAS for Retort: OpenBLAS on Linux (Debian libopenblas-dev), Accelerate on macOS.
   We declare the few CBLAS entry points we use ourselves so that the build does not
   depend on which cblas.h the Debian alternatives system currently points to. */
#ifdef __APPLE__
#include <Accelerate/Accelerate.h>
static inline const char *rt_blas_corename(void) { return "Accelerate"; }
static inline const char *rt_blas_config(void) { return "Apple Accelerate"; }
static inline int rt_blas_num_threads(void) { return 0; }
static inline void rt_blas_set_num_threads(int n) { (void)n; }
#else
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };
void cblas_sgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA,
                 const enum CBLAS_TRANSPOSE TransB, const int M, const int N, const int K,
                 const float alpha, const float *A, const int lda, const float *B, const int ldb,
                 const float beta, float *C, const int ldc);
void cblas_sgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N,
                 const float alpha, const float *A, const int lda, const float *X, const int incX,
                 const float beta, float *Y, const int incY);
void cblas_saxpy(const int n, const float alpha, const float *x, const int incx, float *y, const int incy);
float cblas_sdot(const int n, const float *x, const int incx, const float *y, const int incy);
void cblas_sscal(const int N, const float alpha, float *X, const int incX);
/* OpenBLAS extensions */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
static inline const char *rt_blas_corename(void) { return openblas_get_corename(); }
static inline const char *rt_blas_config(void) { return openblas_get_config(); }
static inline int rt_blas_num_threads(void) { return openblas_get_num_threads(); }
static inline void rt_blas_set_num_threads(int n) { openblas_set_num_threads(n); }
#endif
#endif
