// A set of 64-bit id hashes (open addressing) for the batch's duplicate-id count.
//
// It keeps 8 bytes per distinct id, never the ids: 2^21 slots (16 MiB, mapped lazily) hold a
// million ids at half load, after which it doubles. Two different ids are taken for the same
// one only when their 64-bit hashes collide (about 3e-8 for a million ids).
//
// The first access to each page of the table is a write. Reading a page that was never written
// maps the kernel's shared zero page, and the write that follows must then replace that
// mapping and flush the translation caches of every core running the process: with several
// worker threads that is an inter-processor interrupt per page, 8% of a two-thread batch's
// CPU time on a virtual machine (docs/performance.md, "Two threads, second look").
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace oligoscreen::detail {

class IdSet {
 public:
  explicit IdSet(size_t slots_log2 = 21) { allocate(size_t{1} << slots_log2); }

  // False when `hash` was already in the set.
  bool insert(uint64_t hash) {
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 2 > mask_ + 1) grow();
    if (!place(hash)) return false;
    ++size_;
    return true;
  }

  [[nodiscard]] size_t size() const { return size_; }
  // Pages of the table written so far (for tests).
  [[nodiscard]] size_t pages_touched() const {
    size_t n = 0;
    for (bool t : touched_) n += t ? 1 : 0;
    return n;
  }

  static constexpr size_t kPageSlots = 4096 / sizeof(uint64_t);

 private:
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };

  // Writes the first slot of slot i's page if the page has not been written yet (it holds
  // zero: only its first access must be a write).
  void touch(size_t i) {
    const size_t page = i / kPageSlots;
    if (touched_[page]) return;
    touched_[page] = true;
    static_cast<volatile uint64_t*>(slots_.get())[page * kPageSlots] = 0;
  }

  bool place(uint64_t hash) {
    uint64_t* slots = slots_.get();
    size_t i = static_cast<size_t>(hash ^ (hash >> 29)) & mask_;
    touch(i);
    while (slots[i] != 0) {
      if (slots[i] == hash) return false;
      i = (i + 1) & mask_;
      if (i % kPageSlots == 0) touch(i);
    }
    slots[i] = hash;
    return true;
  }

  void allocate(size_t n) {
    // calloc: large blocks come from mmap as untouched zero pages.
    auto* p = static_cast<uint64_t*>(std::calloc(n, sizeof(uint64_t)));
    if (p == nullptr) throw std::bad_alloc();
    slots_.reset(p);
    mask_ = n - 1;
    touched_.assign((n + kPageSlots - 1) / kPageSlots, false);
  }

  void grow() {
    std::unique_ptr<uint64_t[], Free> old(slots_.release());
    const size_t old_n = mask_ + 1;
    allocate(old_n * 2);
    for (size_t i = 0; i < old_n; ++i) {
      if (old[i] != 0) place(old[i]);
    }
  }

  std::unique_ptr<uint64_t[], Free> slots_;
  std::vector<bool> touched_;  // per page of slots_
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace oligoscreen::detail
