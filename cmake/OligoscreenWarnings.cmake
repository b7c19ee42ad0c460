# Warning flags for our own targets (never for third-party headers).
add_library(oligoscreen_warnings INTERFACE)
target_compile_options(oligoscreen_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough)
if(OLIGOSCREEN_WERROR)
  target_compile_options(oligoscreen_warnings INTERFACE -Werror)
endif()
if(OLIGOSCREEN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
