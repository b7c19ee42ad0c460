# Warning flags for our own targets (never for third-party headers).
add_library(oligoscreen_warnings INTERFACE)
target_compile_options(oligoscreen_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough)
if(OLIGOSCREEN_WERROR)
  target_compile_options(oligoscreen_warnings INTERFACE -Werror)
  # GCC 12 and 13 report -Wrestrict inside libstdc++'s std::string at -O3 (GCC bug 105329),
  # never in our code: still shown, not fatal, so that Release builds work with -Werror.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 14)
    target_compile_options(oligoscreen_warnings INTERFACE -Wno-error=restrict)
  endif()
endif()
if(OLIGOSCREEN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
