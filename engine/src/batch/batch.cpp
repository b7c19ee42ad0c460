// The batch pipeline: one reader (the calling thread) cuts inputs into chunks; N workers
// screen chunks; one writer writes them in input order and counts. Chunks come from a fixed
// pool, which bounds memory and makes the reader wait when the writer falls behind.
#include "batch/batch.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "batch/chunk.hpp"
#include "batch/id_set.hpp"
#include "batch/record_reader.hpp"
#include "batch/worker.hpp"

namespace oligoscreen::detail {

bool BatchStats::file_errors() const {
  for (const auto& f : files) {
    if (!f.error.empty()) return true;
  }
  return false;
}

namespace {

uint64_t input_size(const std::string& path) {
  struct stat st {};
  int rc = path == "-" ? ::fstat(STDIN_FILENO, &st) : ::stat(path.c_str(), &st);
  if (rc != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

struct Pipeline {
  std::mutex mu;
  std::condition_variable cv_free, cv_work, cv_done;
  std::vector<Chunk*> free_list;
  std::deque<Chunk*> work;
  std::deque<Chunk*> order;
  bool reading_done = false;
  bool stop = false;  // the writer failed: read no more
};

}  // namespace

BatchStats run_batch(const RuleSetModel& m, const std::vector<BatchInput>& inputs, const BatchOptions& opt,
                     OutputSink& sink, const std::function<void(const BatchProgress&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

  BatchStats st;
  st.files.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) st.files[i].name = inputs[i].label;
  st.by_output.resize(m.outputs.size());
  for (size_t o = 0; o < m.outputs.size(); ++o) st.by_output[o].assign(m.schema.enums[m.outputs[o].enum_id].values.size(), 0);

  std::vector<std::string> sources(inputs.size());
  if (opt.source_key) {
    for (size_t i = 0; i < inputs.size(); ++i) sources[i] = inputs[i].label;
  }
  uint64_t bytes_total = 0;
  for (const auto& in : inputs) {
    uint64_t n = input_size(in.path);
    if (n == 0 && in.path == "-") {
      bytes_total = 0;
      break;
    }
    bytes_total += n;
  }

  const unsigned threads = opt.threads == 0 ? 1 : opt.threads;
  std::vector<std::unique_ptr<Chunk>> pool(2 * threads + 2);
  Pipeline pl;
  for (auto& c : pool) {
    c = std::make_unique<Chunk>();
    pl.free_list.push_back(c.get());
  }

  // Workers.
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      ChunkWorker worker(m, opt);
      for (;;) {
        Chunk* c = nullptr;
        {
          std::unique_lock lk(pl.mu);
          pl.cv_work.wait(lk, [&] { return !pl.work.empty() || pl.reading_done; });
          if (pl.work.empty()) return;
          c = pl.work.front();
          pl.work.pop_front();
        }
        worker.run(*c, sources[c->file]);
        {
          std::lock_guard lk(pl.mu);
          c->done = true;
        }
        pl.cv_done.notify_all();
      }
    });
  }

  // Writer.
  std::thread writer([&] {
    IdSet ids;
    bool failed = false;
    BatchProgress pr;
    pr.bytes_total = bytes_total;
    for (;;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lk(pl.mu);
        pl.cv_done.wait(lk, [&] { return (!pl.order.empty() && pl.order.front()->done) || (pl.order.empty() && pl.reading_done); });
        if (pl.order.empty()) break;
        c = pl.order.front();
        pl.order.pop_front();
      }
      if (!failed) {
        if (!c->out.empty() && !sink.write(c->out)) {
          failed = true;
          st.write_failed = true;
          st.write_error = sink.error();
          std::lock_guard lk(pl.mu);
          pl.stop = true;
        }
      }
      if (!failed) {
        FileStats& f = st.files[c->file];
        f.blank_lines += c->blank_lines;
        st.blank_lines += c->blank_lines;
        size_t code_at = 0;
        for (const RecordInfo& info : c->info) {
          ++st.records;
          ++f.records;
          if (info.ok) {
            ++st.results;
            for (size_t o = 0; o < m.outputs.size(); ++o) ++st.by_output[o][c->codes[code_at++]];
          } else {
            ++st.errors;
            ++f.errors;
            ++st.errors_by_kind[std::string(c->ids, info.kind_offset, info.kind_len)];
          }
          if (info.has_id && !ids.insert(info.id_hash)) {
            ++st.duplicate_ids;
            if (st.duplicate_first.size() < opt.duplicate_names) {
              std::string id(c->ids, info.id_offset, info.id_len);
              bool named = false;
              for (const auto& d : st.duplicate_first) named = named || d == id;
              if (!named) st.duplicate_first.push_back(std::move(id));
            }
          }
        }
        if (progress) {
          pr.records = st.records;
          pr.bytes_done = c->bytes_end;
          pr.seconds = elapsed();
          progress(pr);
        }
      }
      {
        std::lock_guard lk(pl.mu);
        c->reset();
        pl.free_list.push_back(c);
      }
      pl.cv_free.notify_one();
    }
  });

  // Reader (this thread).
  RecordReader reader(m.schema, opt.max_record_bytes, opt.strict);
  std::vector<FileStats> reader_files(inputs.size());
  uint64_t bytes_before = 0;
  uint64_t seq = 0;
  bool stopped = false;
  for (size_t i = 0; i < inputs.size() && !stopped; ++i) {
    FileStats& fs = reader_files[i];
    if (!reader.open(inputs[i].path, opt.input_format, fs)) continue;
    for (bool more = true; more;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lk(pl.mu);
        pl.cv_free.wait(lk, [&] { return !pl.free_list.empty() || pl.stop; });
        if (pl.stop) {
          stopped = true;
          break;
        }
        c = pl.free_list.back();
        pl.free_list.pop_back();
      }
      c->seq = seq++;
      c->file = static_cast<uint32_t>(i);
      c->csv = reader.csv();
      more = reader.fill(*c, opt.chunk_records, opt.chunk_bytes, fs);
      c->bytes_end = bytes_before + reader.bytes_consumed();
      c->last_of_file = !more;
      {
        std::lock_guard lk(pl.mu);
        pl.order.push_back(c);
        pl.work.push_back(c);
      }
      pl.cv_work.notify_one();
    }
    bytes_before += reader.size();
  }
  {
    std::lock_guard lk(pl.mu);
    pl.reading_done = true;
  }
  pl.cv_work.notify_all();
  pl.cv_done.notify_all();
  for (auto& w : workers) w.join();
  writer.join();

  for (size_t i = 0; i < inputs.size(); ++i) {
    FileStats& f = st.files[i];
    f.format = reader_files[i].format;
    f.error = reader_files[i].error;
    f.error_kind = reader_files[i].error_kind;
    f.warnings = reader_files[i].warnings;
  }
  st.complete = !st.write_failed && !stopped && !st.file_errors();
  st.seconds = elapsed();
  return st;
}

}  // namespace oligoscreen::detail
