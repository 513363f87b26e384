// cf: one workload, two lock paths. Faulter threads fault fresh anonymous pages
// either from user space (mode u: a user store -> per-VMA lock on x86 6.18) or
// from the kernel (mode k: pread() from /dev/zero into the page -> a kernel-mode
// fault on a user address, which do_user_addr_fault always handles under
// mmap_lock). Both modes make the same pread() call per page (mode u reads into
// a pre-faulted scratch byte), so the only difference is the lock path: a real
// "no per-VMA lock" counterfactual of the same work on the same kernel.
// A writer thread changes VMAs: layout o = inside the faulters' region
// (mprotect/madvise split+merge), layout d = its own scratch VMAs (mmap/mprotect/munmap).
//
// cf-chain (vmalock bench/, derived from ../shared/workloads/cf.c): the faulters form a ring and take turns —
// faulter i sweeps, then hands the turn to faulter i+1 with a futex wake-up (FUTEX_WAKE_PRIVATE on that
// faulter's own word) and waits on its own word for its next turn. One faulter runs at a time, so every
// fault's delay delays the whole ring: a wake-up dependency between traced tasks that a replay must keep
// (the woken faulter starts when its waker finished, not when the trace says). Its layout-d writer populates
// every page of its scratch mapping before the munmap, which then holds mmap_lock for write for the zap.
//
// usage: cf-chain MODE(u|k) LAYOUT(o|d) nfaulters seconds pages_per_sweep faulter_sleep_us writer_sleep_us [hold_pages]
// prints per-thread pages and the run time on stdout.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
static volatile int stop;
static char mode, layout;
static size_t sweep = 16, region_len = 16UL << 20, hold_pages = 64;
static unsigned fsleep = 500, wsleep = 200;
static char *regions[64];
static long touched[64];
static int zfd, nfault;
static volatile int go[64];

static void futex_wait(volatile int *w, int val) { syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0); }
static void futex_wake(volatile int *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static char *fenced(size_t len) {
  char *p = mmap(NULL, len + 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap"); exit(1); }
  mprotect(p, PG, PROT_NONE);
  mprotect(p + PG + len, PG, PROT_NONE);
  madvise(p + PG, len, MADV_NOHUGEPAGE);
  return p + PG;
}

static void *faulter(void *arg) {
  long id = (long)arg;
  char name[16]; snprintf(name, sizeof name, "cf-fault-%ld", id);
  prctl(PR_SET_NAME, name);
  char *base = regions[id];
  char scratch[64]; memset(scratch, 0, sizeof scratch);
  size_t npages = region_len / PG, pos = 0;
  base[0] = 1; /* anon_vma prepared once, in user mode */
  while (!stop) {
    while (!go[id] && !stop) futex_wait(&go[id], 0); /* my turn */
    if (stop) break;
    go[id] = 0;
    for (size_t i = 0; i < sweep && !stop; i++) {
      char *pg = base + ((pos + i) % npages) * PG;
      if (mode == 'k') { if (pread(zfd, pg, 1, 0) != 1) { perror("pread"); exit(1); } }
      else { if (pread(zfd, scratch, 1, 0) != 1) { perror("pread"); exit(1); } *pg = 1; }
      touched[id]++;
    }
    size_t first = pos, cnt = sweep;
    if (first + cnt > npages) cnt = npages - first;
    madvise(base + first * PG, cnt * PG, MADV_DONTNEED);
    if (first + sweep > npages) madvise(base, (first + sweep - npages) * PG, MADV_DONTNEED);
    pos = (pos + sweep) % npages;
    if (fsleep) usleep(fsleep);
    long next = (id + 1) % nfault; /* the next faulter's turn */
    go[next] = 1;
    futex_wake(&go[next]);
  }
  return NULL;
}

static void *writer(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "cf-writer");
  unsigned long it = 0;
  unsigned seed = 12345;
  char *side = fenced(1 << 20);
  while (!stop) {
    if (layout == 'o') {
      /* a sub-range inside one faulter's region: split, write-lock, merge back */
      char *r = regions[it % nfault];
      size_t npg = region_len / PG;
      size_t off = (rand_r(&seed) % (npg - hold_pages)) * PG;
      size_t len = (1 + rand_r(&seed) % hold_pages) * PG;
      switch (it % 2) {
        case 0: mprotect(r + off, len, PROT_READ | PROT_WRITE | PROT_EXEC);
                mprotect(r + off, len, PROT_READ | PROT_WRITE); break;
        default: madvise(r + off, len, MADV_HUGEPAGE);
                 madvise(r + off, len, MADV_NOHUGEPAGE); break;
      }
    } else {
      char *p = mmap(NULL, hold_pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED) {
        /* cf-chain: every page populated, so munmap holds mmap_lock for write while it zaps them all */
        for (size_t i = 0; i < hold_pages; i++) p[i * PG] = 1;
        mprotect(p, PG, PROT_READ);
        munmap(p, hold_pages * PG);
      }
      mprotect(side, PG, PROT_READ);
      mprotect(side, PG, PROT_READ | PROT_WRITE);
    }
    it++;
    if (wsleep) usleep(wsleep);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 8) { fprintf(stderr, "usage: cf-chain u|k o|d nfaulters seconds sweep fsleep_us wsleep_us [hold_pages]\n"); return 2; }
  mode = argv[1][0]; layout = argv[2][0];
  int nf = atoi(argv[3]); double secs = atof(argv[4]);
  sweep = strtoul(argv[5], NULL, 0); fsleep = strtoul(argv[6], NULL, 0); wsleep = strtoul(argv[7], NULL, 0);
  if (argc > 8) hold_pages = strtoul(argv[8], NULL, 0);
  if (nf < 1 || nf > 64 || (mode != 'u' && mode != 'k') || (layout != 'o' && layout != 'd')) return 2;
  nfault = nf;
  zfd = open("/dev/zero", O_RDONLY);
  for (int i = 0; i < nf; i++) regions[i] = fenced(region_len);
  pthread_t t[64], w;
  double t0 = now();
  go[0] = 1;
  for (long i = 0; i < nf; i++) pthread_create(&t[i], NULL, faulter, (void *)i);
  pthread_create(&w, NULL, writer, NULL);
  struct timespec ts = { (time_t)secs, (long)((secs - (long)secs) * 1e9) };
  nanosleep(&ts, NULL);
  stop = 1;
  for (int i = 0; i < nf; i++) { go[i] = 1; futex_wake(&go[i]); }
  long total = 0;
  for (int i = 0; i < nf; i++) { pthread_join(t[i], NULL); total += touched[i]; }
  pthread_join(w, NULL);
  double el = now() - t0;
  for (int i = 0; i < nf; i++) printf("faulter %d pages %ld\n", i, touched[i]);
  printf("mode %c layout %c faulters %d seconds %.6f pages %ld pages_per_s %.1f\n", mode, layout, nf, el, total, total / el);
  return 0;
}
