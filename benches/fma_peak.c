// The machine's peak f32 FMA rate, the ceiling of every GEMM-bound ratio in docs/performance.md:
// each thread runs 16 independent AVX-512 FMA chains (enough to cover latency on two FMA ports).
// gcc -O3 -mavx512f -funroll-loops -pthread benches/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define ITERS 2000000000L
static void *work(void *arg) {
  __m512 a[16]; __m512 m = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 16; i++) a[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < ITERS / 16; it++)
    for (int i = 0; i < 16; i++) a[i] = _mm512_fmadd_ps(a[i], m, c);
  float s = 0; for (int i = 0; i < 16; i++) s += _mm512_reduce_add_ps(a[i]);
  *(float *)arg = s; return NULL;
}
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2; pthread_t t[64]; float out[64];
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) pthread_create(&t[i], 0, work, &out[i]);
  for (int i = 0; i < n; i++) pthread_join(t[i], 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  double flop = (double)n * (ITERS / 16) * 16 * 16 * 2; // 16 lanes, 2 flop per FMA
  printf("threads %d: %.1f GFLOP/s (%.3f s, checksum %g)\n", n, flop / s / 1e9, s, out[0]);
}
