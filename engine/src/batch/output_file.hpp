// Where a batch writes: standard output, a device or pipe written directly, or a regular file
// written through a temporary file beside it and renamed into place on success.
//
// Contract:
//  - only a path that does not exist or names a regular file gets temp + fsync + rename; any
//    other existing path (/dev/null, a FIFO, a terminal) is opened and written directly and is
//    never replaced, removed or truncated by a rename;
//  - open() refuses a target that is the same file (device and inode) as one of `inputs`;
//  - after a failed write, or abort(), the temporary file is removed and the target untouched;
//  - a replaced regular file keeps its permission bits; a new one gets 0666 & ~umask.
#pragma once

#include <sys/uio.h>

#include <string>
#include <string_view>
#include <vector>

#include "batch/batch.hpp"

namespace oligoscreen::detail {

class FileSink : public OutputSink {
 public:
  FileSink() = default;
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  // `path` empty or "-": standard output. False with `error` set on failure.
  bool open(const std::string& path, const std::vector<std::string>& inputs, std::string& error);
  bool write(std::string_view data) override;
  // With writev(2), up to IOV_MAX pieces per call.
  bool write_pieces(const std::string_view* pieces, size_t n) override;
  [[nodiscard]] std::string error() const override { return error_; }
  // Makes the output final: fsync + rename for a temporary file. False with error() on failure
  // (then nothing was renamed and the temporary file is gone).
  bool commit();
  // Gives up: removes the temporary file (the target is left as it was).
  void abort();
  [[nodiscard]] bool atomic() const { return !temp_.empty(); }

 private:
  int fd_ = -1;
  bool own_ = false;
  bool failed_ = false;
  std::string path_, temp_, error_;
  std::vector<struct iovec> iov_;
};

}  // namespace oligoscreen::detail
