#include "batch/record_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace oligoscreen::detail {

namespace {

constexpr size_t kBlock = 1u << 20;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool blank_line(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
  }
  return true;
}

std::string where(const InputError& e) {
  if (!e.pos.valid()) return e.message;
  return "line " + std::to_string(e.pos.line) + ", column " + std::to_string(e.pos.col) + ": " + e.message;
}

}  // namespace

RecordReader::RecordReader(const Schema& schema, size_t max_record_bytes, bool strict, size_t read_block)
    : schema_(schema),
      max_(max_record_bytes),
      strict_(strict),
      block_(read_block == 0 ? kBlock : read_block),
      splitter_(max_record_bytes) {}

RecordReader::~RecordReader() {
  close();
}

void RecordReader::close() {
  if (own_fd_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
  own_fd_ = false;
}

bool RecordReader::refill(FileStats& stats, bool keep, size_t want) {
  if (eof_ || failed_) return false;
  if (begin_ > 0 && !keep) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    consumed_ += begin_;
    begin_ = 0;
  }
  const size_t ask = want == 0 || want > block_ ? block_ : want;
  if (buf_.size() < end_ + ask) buf_.resize(std::max(end_ + ask, buf_.size() + buf_.size() / 2));
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, ask);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failed_ = true;
      stats.error = std::string("cannot read: ") + std::strerror(errno);
      stats.error_kind = "io";
      return false;
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return true;
  }
}

bool RecordReader::open(const std::string& path, BatchInputFormat format, FileStats& stats) {
  close();
  eof_ = failed_ = skipping_ = have_header_ = false;
  begin_ = end_ = 0;
  consumed_ = size_ = 0;
  line_ = 1;
  record_ = 0;
  header_.reset();
  splitter_ = CsvSplitter(max_);
  if (path == "-") {
    fd_ = STDIN_FILENO;
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      stats.error = std::string("cannot open: ") + std::strerror(errno);
      stats.error_kind = "io";
      return false;
    }
    own_fd_ = true;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  if (S_ISDIR(st.st_mode)) {
    stats.error = "is a directory";
    stats.error_kind = "io";
    close();
    return false;
  }

  if (format == BatchInputFormat::Auto && path != "-") {
    if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json")) {
      format = BatchInputFormat::Jsonl;
    } else if (ends_with(path, ".csv")) {
      format = BatchInputFormat::Csv;
    }
  }
  if (format == BatchInputFormat::Auto) {
    // By content: the first non-blank byte (after a BOM) of what can be read.
    for (;;) {
      size_t i = begin_;
      if (end_ - i >= 3 && std::memcmp(buf_.data() + i, "\xEF\xBB\xBF", 3) == 0) i += 3;
      while (i < end_ && (buf_[i] == ' ' || buf_[i] == '\t' || buf_[i] == '\r' || buf_[i] == '\n')) ++i;
      if (i < end_) {
        format = buf_[i] == '{' ? BatchInputFormat::Jsonl : BatchInputFormat::Csv;
        break;
      }
      if (eof_ || end_ - begin_ > max_) {
        format = BatchInputFormat::Jsonl;  // empty: no records either way
        break;
      }
      if (!refill(stats)) {
        if (failed_) return false;
      }
    }
  }
  csv_ = format == BatchInputFormat::Csv;
  stats.format = csv_ ? "csv" : "jsonl";
  return true;
}

void RecordReader::add_record(Chunk& c, size_t begin, size_t end, uint32_t line) {
  RawRecord r;
  r.len = static_cast<uint32_t>(end - begin);
  r.line = line;
  r.record = ++record_;
  if (in_chunk_) {
    r.offset = static_cast<uint32_t>(begin);  // buf_ is the chunk's text
  } else {
    r.offset = static_cast<uint32_t>(c.text_size);
    if (c.text.size() < c.text_size + r.len) c.text.resize(std::max(c.text_size + r.len, 2 * c.text.size()));
    std::memcpy(c.text.data() + c.text_size, buf_.data() + begin, r.len);
    c.text_size += r.len;
  }
  c.records.push_back(r);
}

void RecordReader::add_error(Chunk& c, InputError e, uint32_t line) {
  RawRecord r;
  r.offset = 0;
  r.line = line;
  r.record = ++record_;
  r.split_error = static_cast<int32_t>(c.split_errors.size());
  c.split_errors.push_back(std::move(e));
  c.records.push_back(r);
}

bool RecordReader::fill(Chunk& c, size_t max_records, size_t max_bytes, FileStats& stats) {
  if (fd_ < 0 && !failed_) return false;
  bool more = csv_ ? fill_csv(c, max_records, max_bytes, stats) : fill_jsonl(c, max_records, max_bytes, stats);
  if (csv_) c.header = header_;
  if (failed_ && stats.error.empty()) stats.error = "cannot read";
  if (!more) close();
  return more && !failed_;
}

bool RecordReader::fill_jsonl(Chunk& c, size_t max_records, size_t max_bytes, FileStats& st) {
  // Records are cut in the chunk's own text when what is left of the last read is small: the
  // bytes are then read(2) into the chunk by the thread that screens it, into that core's cache,
  // and never copied (with several threads, copying them out of a shared buffer read by another
  // thread moved every other chunk's input between the cores' caches). After a large read (the
  // format sniffed from the first bytes), the records are copied out of the reader's buffer.
  const size_t tail = end_ - begin_;
  if (tail > kDirectTail) return cut_jsonl(c, max_records, max_bytes, st);
  std::swap(buf_, c.text);  // buf_: the chunk's storage; c.text: the reader's, holding the tail
  if (buf_.size() < tail) buf_.resize(std::max(tail, kDirectTail));
  std::memcpy(buf_.data(), c.text.data() + begin_, tail);
  consumed_ += begin_;
  begin_ = 0;
  end_ = tail;
  in_chunk_ = true;
  const bool more = cut_jsonl(c, max_records, max_bytes, st);
  in_chunk_ = false;
  std::swap(buf_, c.text);
  const size_t rest = end_ - begin_;
  if (buf_.size() < rest) buf_.resize(std::max(rest, kDirectTail));
  std::memcpy(buf_.data(), c.text.data() + begin_, rest);
  consumed_ += begin_;
  begin_ = 0;
  end_ = rest;
  return more;
}

// How much to ask of read(2) for the rest of a chunk cut in place: about the records still
// wanted (at the average line length so far) plus a little, so that little is left over.
size_t RecordReader::chunk_read_size(const Chunk& c, size_t max_records, size_t max_bytes) const {
  const uint64_t lines = line_ > 1 ? line_ - 1 : 0;
  const uint64_t per_line = lines == 0 ? 1024 : std::max<uint64_t>(16, (consumed_ + begin_) / lines);
  const uint64_t want_records = max_records > c.records.size() ? max_records - c.records.size() : 1;
  const uint64_t want = std::min<uint64_t>(per_line * want_records, max_bytes) + 2 * per_line + 1024;
  return static_cast<size_t>(std::clamp<uint64_t>(want, 4096, block_));
}

bool RecordReader::cut_jsonl(Chunk& c, size_t max_records, size_t max_bytes, FileStats& st) {
  auto more_bytes = [&] { return refill(st, in_chunk_, in_chunk_ ? chunk_read_size(c, max_records, max_bytes) : 0); };
  while (c.records.size() < max_records && (in_chunk_ ? begin_ : c.text_size) < max_bytes) {
    if (skipping_) {
      const void* nl = std::memchr(buf_.data() + begin_, '\n', end_ - begin_);
      if (nl == nullptr) {
        if (in_chunk_) {  // drop the skipped bytes: the next read lands where they were
          consumed_ += end_ - begin_;
          end_ = begin_;
        } else {
          begin_ = end_;
        }
        if (eof_ || !more_bytes()) return false;
        continue;
      }
      begin_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
      ++line_;
      skipping_ = false;
      continue;
    }
    const char* p = buf_.data() + begin_;
    const size_t avail = end_ - begin_;
    const void* nl = std::memchr(p, '\n', avail);
    size_t len;
    if (nl == nullptr) {
      if (!eof_ && avail <= max_) {
        if (!more_bytes()) return false;
        continue;
      }
      if (avail == 0) return false;  // end of input
      len = avail;
    } else {
      len = static_cast<size_t>(static_cast<const char*>(nl) - p);
    }
    if (len > max_) {
      InputError e;
      e.kind = "limit";
      e.pos = Pos{line_, 1, 0};
      e.message = "record longer than the limit of " + std::to_string(max_) + " bytes";
      add_error(c, std::move(e), line_);
      if (nl == nullptr) {
        begin_ = end_;
        skipping_ = !eof_;
        if (eof_) return false;
        continue;
      }
    } else if (blank_line(p, len)) {
      ++c.blank_lines;
    } else {
      add_record(c, begin_, begin_ + len, line_);
    }
    begin_ += nl == nullptr ? len : len + 1;
    ++line_;
  }
  return true;
}

bool RecordReader::fill_csv(Chunk& c, size_t max_records, size_t max_bytes, FileStats& stats) {
  while (c.records.size() < max_records && c.text_size < max_bytes) {
    CsvSplit s = splitter_.split(buf_.data(), end_, begin_, eof_, cells_, line_);
    if (s.status == CsvStatus::NeedMore) {
      begin_ = s.next;
      if (eof_) {
        if (!have_header_) {
          stats.error = "no header row (the first row names the columns and must include id)";
          stats.error_kind = "missing_id";
          failed_ = true;
        }
        return false;
      }
      if (!refill(stats)) return false;
      continue;
    }
    const uint32_t first_line = line_;
    line_ += s.lines;
    if (s.status == CsvStatus::Blank) {
      ++c.blank_lines;
      begin_ = s.next;
      continue;
    }
    if (!have_header_) {
      have_header_ = true;
      if (s.status == CsvStatus::Error) {
        stats.error = "header: " + where(s.error);
        stats.error_kind = s.error.kind;
        failed_ = true;
        return false;
      }
      auto h = std::make_shared<CsvHeader>();
      InputError err;
      std::vector<PatientWarning> warnings;
      bool ok = h->parse(schema_, cells_, err, warnings, strict_, &splitter_.cell_positions(), first_line);
      for (const auto& w : warnings) stats.warnings.push_back(where(InputError{"", "", w.pos, false, w.message}));
      if (!ok) {
        stats.error = "header: " + where(err);
        stats.error_kind = err.kind;
        failed_ = true;
        return false;
      }
      header_ = std::move(h);
      c.header = header_;
      begin_ = s.next;
      continue;
    }
    if (s.status == CsvStatus::Error) {
      add_error(c, s.error, first_line);
    } else {
      add_record(c, s.begin, s.next, first_line);  // not begin_: the rest of an over-long line may come first
    }
    begin_ = s.next;
  }
  return true;
}

}  // namespace oligoscreen::detail
