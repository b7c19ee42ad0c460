// The batch pipeline: N threads (the calling thread and N - 1 more), each cutting the next
// chunk from the inputs, screening it, and writing whatever chunks are next in input order.
// Chunks come from a fixed pool, which bounds memory and makes reading wait when writing falls
// behind (a chunk is recycled only once written).
#include "batch/batch.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
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

// The chunks in flight and the hand-over between threads. Every thread is a worker: it cuts
// the next chunk from the inputs (one thread at a time, `read_mu`), screens it, and marks it
// done under `mu`; whoever marks done the oldest unwritten chunk writes it, and every done
// chunk after it, in order (one writer at a time: `writing`). No thread waits for another to
// be scheduled to read or write: on 2 cores a separate reader and writer used to stall both
// workers whenever either was runnable but not running.
//
// Each thread has its own chunks (kChunksPerThread) and screens only those: a chunk's buffers
// (its input bytes, ~0.7 MB of output) stay in the cache of the core that last wrote them.
// From one shared pool, most chunks were taken by the other thread than the one that used
// them last, and each such take moved the whole output buffer between the two cores' caches.
struct Pipeline {
  static constexpr size_t kChunksPerThread = 3;
  std::mutex mu;
  std::vector<std::vector<Chunk*>> free;               // per thread: its chunks not in flight
  std::unique_ptr<std::condition_variable[]> cv_free;  // per thread: one of its chunks came free
  std::vector<Chunk*> ring;                            // chunk of sequence number s at [s % size] until written
  uint64_t next_write = 0;                             // sequence number of the oldest unwritten chunk
  bool writing = false;                                // a thread is writing chunks (and owns the writing state)
  bool stop = false;                                   // the writer failed: read no more
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
  for (size_t o = 0; o < m.outputs.size(); ++o)
    st.by_output[o].assign(m.schema.enums[m.outputs[o].enum_id].values.size(), 0);

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
  std::vector<std::unique_ptr<Chunk>> pool(Pipeline::kChunksPerThread * threads);
  Pipeline pl;
  pl.ring.assign(pool.size(), nullptr);
  pl.free.resize(threads);
  pl.cv_free = std::make_unique<std::condition_variable[]>(threads);
  for (size_t i = 0; i < pool.size(); ++i) {
    pool[i] = std::make_unique<Chunk>();
    pool[i]->owner = static_cast<unsigned>(i % threads);
    pl.free[i % threads].push_back(pool[i].get());
  }

  // Reading state: touched only under read_mu.
  std::mutex read_mu;
  RecordReader reader(m.schema, opt.max_record_bytes, opt.strict);
  std::vector<FileStats> reader_files(inputs.size());
  size_t file = 0;
  bool file_open = false;
  uint64_t bytes_before = 0;
  uint64_t seq = 0;
  bool stopped = false;

  // The next chunk of the inputs, numbered and placed in the ring; nullptr when the inputs are
  // exhausted or the writer failed.
  auto take = [&](unsigned me) -> Chunk* {
    Chunk* c = nullptr;
    {
      std::unique_lock lk(pl.mu);
      pl.cv_free[me].wait(lk, [&] { return !pl.free[me].empty() || pl.stop; });
      if (pl.stop) return nullptr;
      c = pl.free[me].back();
      pl.free[me].pop_back();
    }
    std::lock_guard rl(read_mu);
    auto give_back = [&] {
      std::lock_guard lk(pl.mu);
      pl.free[me].push_back(c);
    };
    while (!file_open) {
      if (stopped || file == inputs.size()) {
        give_back();
        return nullptr;
      }
      if (reader.open(inputs[file].path, opt.input_format, reader_files[file])) {
        file_open = true;
      } else {
        ++file;
      }
    }
    {
      std::lock_guard lk(pl.mu);
      if (pl.stop) {
        stopped = true;
        pl.free[me].push_back(c);
        return nullptr;
      }
      c->seq = seq++;
      pl.ring[c->seq % pl.ring.size()] = c;
    }
    c->file = static_cast<uint32_t>(file);
    c->csv = reader.csv();
    const bool more = reader.fill(*c, opt.chunk_records, opt.chunk_bytes, reader_files[file]);
    c->bytes_end = bytes_before + reader.bytes_consumed();
    c->last_of_file = !more;
    if (!more) {
      bytes_before += reader.size();
      file_open = false;
      ++file;
    }
    return c;
  };

  // Writing state: touched only by the thread that set pl.writing.
  IdSet ids;
  std::vector<std::string_view> pieces;
  bool failed = false;
  BatchProgress pr;
  pr.bytes_total = bytes_total;
  auto write_chunk = [&](Chunk* c) {
    if (!failed) {
      bool ok = true;
      if (!c->splices.empty()) {
        pieces.clear();
        spliced_pieces(c->out, c->splices, pieces);
        ok = sink.write_pieces(pieces.data(), pieces.size());
      } else if (!c->out.empty()) {
        ok = sink.write(c->out);
      }
      if (!ok) {
        failed = true;
        st.write_failed = true;
        st.write_error = sink.error();
        std::lock_guard lk(pl.mu);
        pl.stop = true;
        for (unsigned t = 0; t < threads; ++t) pl.cv_free[t].notify_all();
      }
    }
    if (failed) return;
    // The id table is far larger than the caches: start every id's cache miss at once.
    for (const RecordInfo& info : c->info) {
      if (info.has_id) ids.prefetch(info.id_hash);
    }
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
  };

  // Marks `c` screened; if it is the oldest unwritten chunk and nobody is writing, writes it
  // and every done chunk after it, recycling each.
  auto finish = [&](Chunk* c) {
    std::unique_lock lk(pl.mu);
    c->done = true;
    if (pl.writing || c->seq != pl.next_write) return;
    pl.writing = true;
    for (;;) {
      Chunk*& slot = pl.ring[pl.next_write % pl.ring.size()];
      Chunk* w = slot;
      if (w == nullptr || w->seq != pl.next_write || !w->done) break;
      slot = nullptr;
      lk.unlock();
      write_chunk(w);
      lk.lock();
      w->reset();
      pl.free[w->owner].push_back(w);
      ++pl.next_write;
      pl.cv_free[w->owner].notify_one();
    }
    pl.writing = false;
  };

  // Shared by the workers and read only: a chunk's splices point into them until it is written,
  // which may be after the thread that screened it has ended.
  const ResultFragments fragments =
      opt.output_format == BatchOutputFormat::Jsonl ? make_result_fragments(m) : ResultFragments{};
  auto work = [&](unsigned me) {
    ChunkWorker worker(m, opt, &fragments);
    while (Chunk* c = take(me)) {
      worker.run(*c, sources[c->file]);
      finish(c);
    }
  };
  // With several threads the calling thread only waits: a worker allocates its scratch from its
  // own thread's malloc arena, so no worker's per-record writes land in a cache line shared with
  // the rule set model, which the calling thread allocated and every worker reads.
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) workers.emplace_back(work, t);
    for (auto& w : workers) w.join();
  }

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
