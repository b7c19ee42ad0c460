// A set of 64-bit id hashes (open addressing) for the batch's duplicate-id count.
//
// It keeps 8 bytes per distinct id, never the ids: 2^21 slots (16 MiB, mapped lazily) hold a
// million ids at half load, after which it doubles. Two different ids are taken for the same
// one only when their 64-bit hashes collide (about 3e-8 for a million ids).
//
// Every insert lands on a random slot of a table far larger than the caches. A table of 2 MiB
// or more is therefore mapped on 2 MiB boundaries and offered to the kernel for transparent
// huge pages (madvise; ignored where THP is off): 8 page faults instead of 4,096 for the
// default table, and no TLB miss per insert. `prefetch` lets the caller start the cache misses
// of a whole chunk's ids before inserting them one by one (docs/performance.md, "The
// duplicate-id table").
//
// The first access to each page of the table is a write. Reading a page that was never written
// maps the kernel's shared zero page, and the write that follows must then replace that
// mapping and flush the translation caches of every core running the process: with several
// worker threads that is an inter-processor interrupt per page, 8% of a two-thread batch's
// CPU time on a virtual machine (docs/performance.md, "Two threads, second look").
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace oligoscreen::detail {

class IdSet {
 public:
  explicit IdSet(size_t slots_log2 = 21) { allocate(size_t{1} << slots_log2); }
  ~IdSet() { release(slots_, mapped_bytes_); }
  IdSet(const IdSet&) = delete;
  IdSet& operator=(const IdSet&) = delete;

  // False when `hash` was already in the set.
  bool insert(uint64_t hash) {
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 2 > mask_ + 1) grow();
    if (!place(hash)) return false;
    ++size_;
    return true;
  }

  // Starts loading the slot where `hash` would be probed first. A hint only: the set is
  // unchanged, and a prefetch never faults, so a page not yet written stays unmapped.
  void prefetch(uint64_t hash) const {
    if (hash == 0) hash = 1;
    const size_t i = slot_of(hash);
#if defined(__x86_64__) || defined(__i386__)
    // An asm statement, not __builtin_prefetch: GCC 12 drops a loop whose only effect is
    // builtin prefetches (the loop over a chunk's ids in batch.cpp was compiled to nothing).
    asm volatile("prefetcht0 %0" : : "m"(*reinterpret_cast<const char*>(slots_ + i)));
#else
    __builtin_prefetch(slots_ + i, 0, 3);
#endif
  }

  [[nodiscard]] size_t size() const {
    return size_;
  }
  // The table's placement (for tests): whether it was mapped for huge pages, and its address.
  [[nodiscard]] bool huge_page_mapped() const {
    return mapped_bytes_ != 0;
  }
  [[nodiscard]] const void* table() const {
    return slots_;
  }
  // Pages of the table written so far (for tests).
  [[nodiscard]] size_t pages_touched() const {
    size_t n = 0;
    for (bool t : touched_) n += t ? 1 : 0;
    return n;
  }

  static constexpr size_t kPageSlots = 4096 / sizeof(uint64_t);
  static constexpr size_t kHugePage = size_t{2} << 20;

 private:
  [[nodiscard]] size_t slot_of(uint64_t hash) const {
    return static_cast<size_t>(hash ^ (hash >> 29)) & mask_;
  }

  // Writes the first slot of slot i's page if the page has not been written yet (it holds
  // zero: only its first access must be a write).
  void touch(size_t i) {
    const size_t page = i / kPageSlots;
    if (touched_[page]) return;
    touched_[page] = true;
    static_cast<volatile uint64_t*>(slots_)[page * kPageSlots] = 0;
  }

  bool place(uint64_t hash) {
    uint64_t* slots = slots_;
    size_t i = slot_of(hash);
    touch(i);
    while (slots[i] != 0) {
      if (slots[i] == hash) return false;
      i = (i + 1) & mask_;
      if (i % kPageSlots == 0) touch(i);
    }
    slots[i] = hash;
    return true;
  }

  // Zeroed slots: at least 2 MiB are mapped on a 2 MiB boundary (untouched zero pages) and
  // advised for huge pages; smaller tables, or when mapping fails, come from calloc.
  void allocate(size_t n) {
    std::vector<bool> touched((n + kPageSlots - 1) / kPageSlots, false);
    const size_t bytes = n * sizeof(uint64_t);
    slots_ = nullptr;
    mapped_bytes_ = 0;
    if (bytes >= kHugePage) {
      void* raw = ::mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (raw != MAP_FAILED) {
        const auto start = reinterpret_cast<uintptr_t>(raw);
        const uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
        if (aligned > start) ::munmap(raw, aligned - start);
        const uintptr_t tail = start + bytes + kHugePage - (aligned + bytes);
        if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + bytes), tail);
        slots_ = reinterpret_cast<uint64_t*>(aligned);
        mapped_bytes_ = bytes;
#ifdef MADV_HUGEPAGE
        ::madvise(slots_, bytes, MADV_HUGEPAGE);
#endif
      }
    }
    if (slots_ == nullptr) {
      slots_ = static_cast<uint64_t*>(std::calloc(n, sizeof(uint64_t)));
      if (slots_ == nullptr) throw std::bad_alloc();
    }
    mask_ = n - 1;
    touched_ = std::move(touched);
  }

  static void release(uint64_t* slots, size_t mapped_bytes) {
    if (mapped_bytes != 0) {
      ::munmap(slots, mapped_bytes);
    } else {
      std::free(slots);
    }
  }

  void grow() {
    uint64_t* old = slots_;
    const size_t old_mapped = mapped_bytes_;
    const size_t old_n = mask_ + 1;
    try {
      allocate(old_n * 2);
    } catch (...) {
      slots_ = old;
      mapped_bytes_ = old_mapped;
      throw;
    }
    for (size_t i = 0; i < old_n; ++i) {
      if (old[i] != 0) place(old[i]);
    }
    release(old, old_mapped);
  }

  uint64_t* slots_ = nullptr;
  size_t mapped_bytes_ = 0;    // non-zero: slots_ was mapped by allocate(), else calloc'd
  std::vector<bool> touched_;  // per page of slots_
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace oligoscreen::detail
