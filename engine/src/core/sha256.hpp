// SHA-256 (FIPS 180-4), written from scratch: rule-set content hashes, input file hashes in
// the batch summary, and the identical-output checks of the test suite.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oligoscreen::detail {

// Incremental hasher. update() any number of times, then finish() once; finish() returns
// the digest and resets the object to the initial state, so it can hash another message.
// Not thread-safe (one hasher per thread); no allocation.
class Sha256 {
 public:
  Sha256() { reset(); }

  void reset();
  void update(std::string_view data) { update(data.data(), data.size()); }
  void update(const void* data, size_t size);
  std::array<uint8_t, 32> finish();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> h_{};
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_bytes_ = 0;
};

// Lower-case hex of a digest (64 characters).
std::string to_hex(const std::array<uint8_t, 32>& digest);

// Lower-case hex SHA-256 of data (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace oligoscreen::detail
