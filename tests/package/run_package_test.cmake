# Installs the build into a temporary prefix, builds the C host (pkg-config) and the C++ host
# (find_package) against it, runs them and the Python host (ctypes) on every JSON example, and
# requires each to print the verdicts the CLI gives for the same files.
# -DBUILD_DIR -DSOURCE_DIR -DWORK_DIR -DCLI -DLIBDIR (CMAKE_INSTALL_LIBDIR) -DGENERATOR
cmake_policy(SET CMP0007 NEW)
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

# 1. Install, and check the layout.
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f include/oligoscreen/oligoscreen.h include/oligoscreen/oligoscreen.hpp include/oligoscreen/export.h
          include/oligoscreen/oligoscreen_version.h ${LIBDIR}/liboligoscreen.so ${LIBDIR}/liboligoscreen.so.0
          ${LIBDIR}/cmake/oligoscreen/oligoscreenConfig.cmake ${LIBDIR}/cmake/oligoscreen/oligoscreenConfigVersion.cmake
          ${LIBDIR}/cmake/oligoscreen/oligoscreenTargets.cmake ${LIBDIR}/pkgconfig/oligoscreen.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB headers ${prefix}/include/oligoscreen/*)
foreach(h ${headers})
  file(READ ${h} text)
  if(text MATCHES "yaml-cpp|spdlog|cxxopts|fmt/|#include \"(core|rules|api)/")
    message(FATAL_ERROR "${h} refers to a private dependency or header")
  endif()
endforeach()
file(READ ${prefix}/${LIBDIR}/cmake/oligoscreen/oligoscreenTargets.cmake targets)
if(targets MATCHES "yaml-cpp|spdlog")
  message(FATAL_ERROR "the exported target drags in a private dependency")
endif()

# 2. Build the C and C++ hosts against the installed copy only.
run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig
    ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/c-host -B ${WORK_DIR}/c-host -G ${GENERATOR})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/c-host)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/cpp-host -B ${WORK_DIR}/cpp-host -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/cpp-host)

# 3. The cases, and the verdicts the CLI gives for them.
file(GLOB cases ${SOURCE_DIR}/examples/cases/*.json ${SOURCE_DIR}/examples/cases/json/*.json)
list(SORT cases)
set(expected "")
foreach(c ${cases})
  get_filename_component(name ${c} NAME)
  execute_process(COMMAND ${CLI} screen --format json ${c} OUTPUT_VARIABLE json RESULT_VARIABLE rc)
  string(JSON kind ERROR_VARIABLE no_error GET "${json}" error kind)
  if(no_error)
    string(JSON state GET "${json}" state)
    string(JSON sbrt GET "${json}" sbrt verdict)
    string(JSON oligorare GET "${json}" trials oligorare verdict)
    string(APPEND expected "${name}: state=${state} sbrt=${sbrt} oligorare=${oligorare}\n")
  else()
    string(APPEND expected "${name}: error ${kind}\n")
  endif()
endforeach()
list(LENGTH cases n)

# 4. Each host prints the same (exit 1: some cases are error results, as with the CLI).
find_program(PYTHON3 python3 REQUIRED)
set(host_c ${WORK_DIR}/c-host/c-host)
set(host_cpp ${WORK_DIR}/cpp-host/cpp-host)
set(host_python ${PYTHON3} ${SOURCE_DIR}/examples/python-host/host.py --library ${prefix}/${LIBDIR}/liboligoscreen.so.0)
foreach(host c cpp python)
  execute_process(COMMAND ${host_${host}} ${cases} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc MATCHES "^[01]$")
    message(FATAL_ERROR "${host} host failed (${rc}):\n${err}")
  endif()
  if(NOT out STREQUAL expected)
    message(FATAL_ERROR "${host} host printed other verdicts than the CLI.\nhost:\n${out}\nCLI:\n${expected}")
  endif()
  message(STATUS "${host} host: ${n} cases, the CLI's verdicts")
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
