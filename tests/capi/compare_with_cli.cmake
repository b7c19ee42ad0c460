# Runs `oligoscreen screen --format json OPTIONS CASE` for each case and `capi_assess_tool FLAGS CASES`, and
# requires byte-identical output and the same exit status.
# -DCLI=... -DTOOL=... -DFLAGS=<bits> -DCLI_OPTIONS=<option> -DCASES_DIRS=<folders separated by |>
string(REPLACE "|" ";" CASES_DIRS "${CASES_DIRS}")
set(cases)
foreach(dir ${CASES_DIRS})
  file(GLOB found ${dir}/*.json)
  list(SORT found)
  list(APPEND cases ${found})
endforeach()
list(LENGTH cases n)
if(n LESS 2)
  message(FATAL_ERROR "too few JSON cases found in ${CASES_DIRS}")
endif()
# One CLI run per case: with several cases the CLI adds each result's `source` (spec/cli.md),
# which a C API call, given only the case's text, has no name for.
set(cli_out "")
set(cli_err "")
set(cli_rc 0)
foreach(case ${cases})
  execute_process(COMMAND ${CLI} screen --format json ${CLI_OPTIONS} ${case}
    OUTPUT_VARIABLE one_out RESULT_VARIABLE one_rc ERROR_VARIABLE one_err)
  string(APPEND cli_out "${one_out}")
  string(APPEND cli_err "${one_err}")
  if(NOT one_rc EQUAL 0 AND (cli_rc EQUAL 0 OR one_rc GREATER cli_rc))
    set(cli_rc ${one_rc})
  endif()
endforeach()
execute_process(COMMAND ${TOOL} ${FLAGS} ${cases}
  OUTPUT_VARIABLE api_out RESULT_VARIABLE api_rc ERROR_VARIABLE api_err)
if(NOT cli_rc STREQUAL api_rc)
  message(FATAL_ERROR "exit status: CLI ${cli_rc}, C API tool ${api_rc}\n${cli_err}\n${api_err}")
endif()
if(NOT cli_out STREQUAL api_out)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/cli.out "${cli_out}")
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/api.out "${api_out}")
  message(FATAL_ERROR "the C API's results differ from the CLI's: see cli.out and api.out in ${CMAKE_CURRENT_BINARY_DIR}")
endif()
message(STATUS "${n} cases, byte-identical to the CLI (exit ${cli_rc})")
