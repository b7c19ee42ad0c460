// A set of 64-bit id hashes (open addressing) for the batch's duplicate-id count.
//
// It keeps 8 bytes per distinct id, never the ids: 2^21 slots (16 MiB, mapped lazily) hold a
// million ids at half load, after which it doubles. Two different ids are taken for the same
// one only when their 64-bit hashes collide (about 3e-8 for a million ids).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace oligoscreen::detail {

class IdSet {
 public:
  explicit IdSet(size_t slots_log2 = 21) { allocate(size_t{1} << slots_log2); }

  // False when `hash` was already in the set.
  bool insert(uint64_t hash) {
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 2 > mask_ + 1) grow();
    if (!place(slots_.get(), mask_, hash)) return false;
    ++size_;
    return true;
  }

  [[nodiscard]] size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };

  static bool place(uint64_t* slots, size_t mask, uint64_t hash) {
    size_t i = static_cast<size_t>(hash ^ (hash >> 29)) & mask;
    while (slots[i] != 0) {
      if (slots[i] == hash) return false;
      i = (i + 1) & mask;
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
  }

  void grow() {
    std::unique_ptr<uint64_t[], Free> old(slots_.release());
    const size_t old_n = mask_ + 1;
    allocate(old_n * 2);
    for (size_t i = 0; i < old_n; ++i) {
      if (old[i] != 0) place(slots_.get(), mask_, old[i]);
    }
  }

  std::unique_ptr<uint64_t[], Free> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace oligoscreen::detail
