/* Test-only LD_PRELOAD interposer for write(2)/writev(2): injects I/O faults into a process.
 *
 * OLIGOSCREEN_FAULT_WRITE_AT=k   the k-th write to a descriptor other than stderr (1-based)
 *                                and every later one fail with OLIGOSCREEN_FAULT_ERRNO
 *                                (default ENOSPC; "EIO" and "EPIPE" also understood);
 * OLIGOSCREEN_FAULT_SHORT=1      instead, the k-th write writes only half of its bytes
 *                                (a short write the caller must continue).
 * OLIGOSCREEN_FAULT_READ_AT=k    the k-th read(2) from a regular file (1-based) and every
 *                                later one fail with EIO (a disk error mid-input).
 * Without OLIGOSCREEN_FAULT_WRITE_AT / _READ_AT nothing changes. stderr is never touched, so that the
 * process can still say what went wrong. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static long fault_at = -1;
static int fault_errno = ENOSPC;
static int fault_short = 0;
static long writes = 0;

static void init(void) {
  if (fault_at >= 0) return;
  const char* at = getenv("OLIGOSCREEN_FAULT_WRITE_AT");
  fault_at = at ? atol(at) : 0;
  const char* e = getenv("OLIGOSCREEN_FAULT_ERRNO");
  if (e && strcmp(e, "EIO") == 0) fault_errno = EIO;
  if (e && strcmp(e, "EPIPE") == 0) fault_errno = EPIPE;
  const char* s = getenv("OLIGOSCREEN_FAULT_SHORT");
  fault_short = s && s[0] == '1';
}

/* 0: pass through; 1: fail; 2: short write. */
static int decide(int fd) {
  init();
  if (fd == 2 || fault_at <= 0) return 0;
  long n = __atomic_add_fetch(&writes, 1, __ATOMIC_SEQ_CST);
  if (fault_short) return n == fault_at ? 2 : 0;
  return n >= fault_at ? 1 : 0;
}

ssize_t write(int fd, const void* buf, size_t count) {
  static ssize_t (*real)(int, const void*, size_t);
  if (!real) real = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  switch (decide(fd)) {
    case 1: errno = fault_errno; return -1;
    case 2: return real(fd, buf, count > 1 ? count / 2 : count);
    default: return real(fd, buf, count);
  }
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static ssize_t (*real)(int, const struct iovec*, int);
  if (!real) real = (ssize_t(*)(int, const struct iovec*, int))dlsym(RTLD_NEXT, "writev");
  switch (decide(fd)) {
    case 1: errno = fault_errno; return -1;
    case 2: return iovcnt > 0 && iov[0].iov_len > 1 ? write(fd, iov[0].iov_base, iov[0].iov_len) : real(fd, iov, iovcnt);
    default: return real(fd, iov, iovcnt);
  }
}

static long read_at = -1;
static long reads = 0;

ssize_t read(int fd, void* buf, size_t count) {
  static ssize_t (*real)(int, void*, size_t);
  if (!real) real = (ssize_t(*)(int, void*, size_t))dlsym(RTLD_NEXT, "read");
  if (read_at < 0) {
    const char* at = getenv("OLIGOSCREEN_FAULT_READ_AT");
    read_at = at ? atol(at) : 0;
  }
  if (read_at > 0) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && __atomic_add_fetch(&reads, 1, __ATOMIC_SEQ_CST) >= read_at) {
      errno = EIO;
      return -1;
    }
  }
  return real(fd, buf, count);
}
