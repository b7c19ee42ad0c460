// A bump allocator for one evaluation: reset between records, memory kept.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace oligoscreen::detail {

class Arena {
 public:
  void* allocate(size_t bytes) {
    bytes = (bytes + 15) & ~size_t{15};
    if (blocks_.empty() || used_ + bytes > block_size(blocks_.size() - 1)) grow(bytes);
    void* p = blocks_.back().get() + used_;
    used_ += bytes;
    return p;
  }
  void reset() {
    if (blocks_.size() > 1) {
      // Keep only the largest block so that steady state needs one block.
      auto last = std::move(blocks_.back());
      size_t size = sizes_.back();
      blocks_.clear();
      sizes_.clear();
      blocks_.push_back(std::move(last));
      sizes_.push_back(size);
    }
    used_ = 0;
  }

 private:
  size_t block_size(size_t i) const { return sizes_[i]; }
  void grow(size_t at_least) {
    size_t size = sizes_.empty() ? 16384 : sizes_.back() * 2;
    while (size < at_least) size *= 2;
    blocks_.push_back(std::make_unique<std::byte[]>(size));
    sizes_.push_back(size);
    used_ = 0;
  }
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::vector<size_t> sizes_;
  size_t used_ = 0;
};

}  // namespace oligoscreen::detail
