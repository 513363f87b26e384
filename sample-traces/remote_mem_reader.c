// remote_mem_reader: a drop-in for ../shared/workloads/remote_reader (same arguments) whose remote
// reads are all __access_remote_vm: from ANOTHER process, keep pread()ing a WIN-byte window of the
// target's region from /proc/PID/mem. mem_rw() copies through a one-page bounce buffer: one
// access_remote_vm() — mmap_read_lock_killable, GUP-remote, copy, unlock — per page; van Riel's
// proposal (spec §6 h) copies each present page under lock_vma_under_rcu instead. The window is taken from the
// middle of the region (away from where the faulters start), rotating over 8 windows.
//
// usage: remote_mem_reader PID ADDR(hex) LEN [seconds=1.0] [sleep_us=500]   (WIN env, default 131072; ftrace-remote-mem.sh sets 65536)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];

static double now(void) {
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s PID ADDR LEN [secs] [sleep_us]\n", argv[0]); return 2; }
  int pid = atoi(argv[1]);
  unsigned long addr = strtoul(argv[2], NULL, 16);
  size_t len = strtoul(argv[3], NULL, 0);
  double secs = argc > 4 ? atof(argv[4]) : 1.0;
  unsigned sleep_us = argc > 5 ? strtoul(argv[5], NULL, 0) : 500;
  size_t win = getenv("WIN") ? strtoul(getenv("WIN"), NULL, 0) : 128 * 1024;
  if (win > sizeof buf) win = sizeof buf;
  if (win * 8 > len / 2) win = len / 16;
  prctl(PR_SET_NAME, "remote-mem-rdr");
  char mem[64];
  snprintf(mem, sizeof mem, "/proc/%d/mem", pid);
  int fd = open(mem, O_RDONLY);
  if (fd < 0) { perror(mem); return 1; }
  double end = now() + secs;
  unsigned long it = 0, ok = 0, err = 0;
  while (now() < end) {
    off_t pos = (off_t)(addr + len / 2 + (it % 8) * win);
    if (pread(fd, buf, win, pos) == (ssize_t)win) ok++; else err++;
    it++;
    if (sleep_us) usleep(sleep_us);
  }
  close(fd);
  fprintf(stderr, "remote_mem_reader: %lu preads of %zu bytes, ok=%lu err=%lu\n", it, win, ok, err);
  return 0;
}
