// bench/file-faults.c: file-backed faults that wait for I/O (VM_FAULT_RETRY) and two threads re-mapping one file.
// 2 faulters map an 8 MB file (/var/tmp/ff.data), read every 4th page after the page cache was dropped
// (fadvise DONTNEED), unmap; a writer mprotects an anonymous region meanwhile.
// gcc -O2 -pthread -o /tmp/file-faults bench/file-faults.c && sudo ./vmalock capture -w WS -- /tmp/file-faults 0.4
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#define PG 4096UL
static volatile int stop; static int fd; static size_t flen = 8UL << 20; static long pages[8];
static void *faulter(void *a) {
  long id = (long)a; char n[16]; snprintf(n, sizeof n, "ff-fault-%ld", id); prctl(PR_SET_NAME, n);
  volatile char sink = 0;
  while (!stop) {
    char *p = mmap(NULL, flen, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    for (size_t i = 0; i < flen / PG && !stop; i += 4) { sink += p[i * PG]; pages[id]++; }
    munmap(p, flen);
    posix_fadvise(fd, 0, flen, POSIX_FADV_DONTNEED);
    usleep(200);
  }
  return NULL;
}
static void *writer(void *a) {
  (void)a; prctl(PR_SET_NAME, "ff-writer");
  char *r = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  while (!stop) { mprotect(r, 1 << 16, PROT_READ); mprotect(r, 1 << 16, PROT_READ | PROT_WRITE); usleep(300); }
  return NULL;
}
int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 0.5;
  fd = open("/var/tmp/ff.data", O_RDWR | O_CREAT, 0644);
  if (ftruncate(fd, flen)) return 1;
  char buf[4096]; for (int i = 0; i < 4096; i++) buf[i] = i;
  for (size_t o = 0; o < flen; o += 4096) if (pwrite(fd, buf, 4096, o) != 4096) return 1;
  fsync(fd); posix_fadvise(fd, 0, flen, POSIX_FADV_DONTNEED);
  pthread_t t[2], w;
  for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, faulter, (void *)i);
  pthread_create(&w, NULL, writer, NULL);
  struct timespec ts = { (time_t)secs, (long)((secs - (long)secs) * 1e9) }; nanosleep(&ts, NULL);
  stop = 1; for (int i = 0; i < 2; i++) pthread_join(t[i], NULL); pthread_join(w, NULL);
  printf("pages %ld %ld\n", pages[0], pages[1]); return 0;
}
