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
