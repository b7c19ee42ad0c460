# Third-party dependencies, all from Debian 12 packages (see scripts/install-deps.sh).
find_package(Threads REQUIRED)

# yaml-cpp 0.7 exports the bare target `yaml-cpp`; 0.8 renamed it `yaml-cpp::yaml-cpp`.
find_package(yaml-cpp REQUIRED)
if(TARGET yaml-cpp::yaml-cpp)
  set(OLIGOSCREEN_YAML_TARGET yaml-cpp::yaml-cpp)
elseif(TARGET yaml-cpp)
  set(OLIGOSCREEN_YAML_TARGET yaml-cpp)
else()
  message(FATAL_ERROR "yaml-cpp found but exports no known target")
endif()

find_package(spdlog REQUIRED)
find_package(cxxopts REQUIRED)

# cpp-httplib 0.11 (libcpp-httplib-dev, a compiled library with a pkg-config file): the HTTP
# server of `oligoscreen serve`. Only the CLI links it; the engine libraries never do.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
