// faultwork: a FIXED amount of the overlapping workload's work, so its run time can be compared with
// and without tracing (capture overhead). NF faulter threads each write ROUNDS x 256 pages of their
// quarter of a 64 MiB region (MADV_DONTNEED after each sweep); one writer thread does WRITES
// mprotect(RW->RWX->RW) pairs on random sub-ranges inside the region, splitting/merging its VMAs.
// Prints the wall time in ms of the whole run on stdout.
//
// usage: faultwork [nfaulters=2] [rounds=400] [writes=2000]
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define PG 4096UL
static const size_t REGION = 64UL << 20;
static char *region;
static int nf = 2;
static long rounds = 400, writes = 2000;

static void *faulter(void *arg) {
  long id = (long)arg;
  size_t chunk = REGION / nf, npages = chunk / PG, pos = 0;
  char *base = region + id * chunk;
  for (long r = 0; r < rounds; r++) {
    size_t cnt = 256;
    if (pos + cnt > npages) cnt = npages - pos;
    for (size_t i = 0; i < cnt; i++) base[(pos + i) * PG] = (char)i;
    madvise(base + pos * PG, cnt * PG, MADV_DONTNEED);
    pos = (pos + cnt) % npages;
  }
  return NULL;
}

static void *writer(void *arg) {
  (void)arg;
  unsigned long s = 0x9e3779b97f4a7c15UL;
  size_t npages = REGION / PG;
  for (long w = 0; w < writes; w++) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    size_t len = (1 + s % 512) * PG;
    size_t off = (s / 512 % (npages - len / PG)) * PG;
    mprotect(region + off, len, PROT_READ | PROT_WRITE | PROT_EXEC);
    mprotect(region + off, len, PROT_READ | PROT_WRITE);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) nf = atoi(argv[1]);
  if (argc > 2) rounds = atol(argv[2]);
  if (argc > 3) writes = atol(argv[3]);
  if (nf < 1 || nf > 64) nf = 2;
  char *p = mmap(NULL, REGION + 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  mprotect(p, PG, PROT_NONE);
  mprotect(p + PG + REGION, PG, PROT_NONE);
  region = p + PG;
  madvise(region, REGION, MADV_NOHUGEPAGE);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pthread_t t[64], w;
  for (long i = 0; i < nf; i++) pthread_create(&t[i], NULL, faulter, (void *)i);
  pthread_create(&w, NULL, writer, NULL);
  for (int i = 0; i < nf; i++) pthread_join(t[i], NULL);
  pthread_join(w, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
