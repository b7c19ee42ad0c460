// No native programs: the table of a build without them (OLIGOSCREEN_NATIVE_PROGRAMS=OFF) and
// of the generator itself, which runs before they exist.
#include "eval/native_programs.hpp"

namespace oligoscreen::detail {

const NativeProgramTable& native_program_table() {
  static const NativeProgramTable t{};
  return t;
}

}  // namespace oligoscreen::detail
