#include "batch/output_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace oligoscreen::detail {

namespace {

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

bool same_file(const struct stat& a, const std::string& input) {
  struct stat b {};
  int rc = input == "-" ? ::fstat(STDIN_FILENO, &b) : ::stat(input.c_str(), &b);
  return rc == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

FileSink::~FileSink() {
  abort();
}

bool FileSink::open(const std::string& path, const std::vector<std::string>& inputs, std::string& error) {
  path_ = path;
  if (path.empty() || path == "-") {
    fd_ = STDOUT_FILENO;
    return true;
  }
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists) {
    for (const auto& in : inputs) {
      if (same_file(st, in)) {
        error = "'" + path + "' is also an input: refusing to overwrite it";
        return false;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      error = "'" + path + "' is a directory";
      return false;
    }
  }
  if (exists && !S_ISREG(st.st_mode)) {
    // A device, FIFO or socket: written directly, never replaced.
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) {
      error = errno_text(("cannot open '" + path + "'").c_str());
      return false;
    }
    own_ = true;
    return true;
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmpl = dir + "." + base + ".tmp-XXXXXX";
  fd_ = ::mkstemp(tmpl.data());
  if (fd_ < 0) {
    error = errno_text(("cannot create a temporary file beside '" + path + "'").c_str());
    return false;
  }
  own_ = true;
  temp_ = tmpl;
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  ::fchmod(fd_, mode);
  return true;
}

bool FileSink::write(std::string_view data) {
  if (failed_ || fd_ < 0) return false;
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno_text("write failed");
      failed_ = true;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

bool FileSink::write_pieces(const std::string_view* pieces, size_t n) {
  if (failed_ || fd_ < 0) return false;
  constexpr size_t kMaxIov = IOV_MAX;
  while (n > 0) {
    const size_t k = n < kMaxIov ? n : kMaxIov;
    iov_.resize(k);
    for (size_t i = 0; i < k; ++i) iov_[i] = iovec{const_cast<char*>(pieces[i].data()), pieces[i].size()};
    pieces += k;
    n -= k;
    iovec* v = iov_.data();
    size_t left = k;
    while (left > 0) {
      ssize_t w = ::writev(fd_, v, static_cast<int>(left));
      if (w < 0) {
        if (errno == EINTR) continue;
        error_ = errno_text("write failed");
        failed_ = true;
        return false;
      }
      // Past the pieces written whole, then into the first one written in part.
      auto done = static_cast<size_t>(w);
      while (left > 0 && done >= v->iov_len) {
        done -= v->iov_len;
        ++v;
        --left;
      }
      if (left > 0) {
        v->iov_base = static_cast<char*>(v->iov_base) + done;
        v->iov_len -= done;
      }
    }
  }
  return true;
}

bool FileSink::commit() {
  if (failed_) {
    abort();
    return false;
  }
  if (temp_.empty()) {
    if (own_ && ::close(fd_) != 0) {
      error_ = errno_text("close failed");
      fd_ = -1;
      own_ = false;
      return false;
    }
    fd_ = -1;
    own_ = false;
    return true;
  }
  if (::fsync(fd_) != 0) {
    error_ = errno_text("fsync failed");
    abort();
    return false;
  }
  if (::close(fd_) != 0) {
    fd_ = -1;
    error_ = errno_text("close failed");
    abort();
    return false;
  }
  fd_ = -1;
  own_ = false;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    error_ = errno_text(("cannot rename the output into '" + path_ + "'").c_str());
    abort();
    return false;
  }
  temp_.clear();
  size_t slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: the rename itself is durable on journalled file systems
    ::close(dfd);
  }
  return true;
}

void FileSink::abort() {
  if (own_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
  own_ = false;
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
    temp_.clear();
  }
}

}  // namespace oligoscreen::detail
