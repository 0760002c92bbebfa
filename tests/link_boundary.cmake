# The link boundary (see tests/CMakeLists.txt): lab-harness and lab-plot drive servers as
# processes and learn the models from `lab-server --list-models --json`; of the servers' code
# they link only lab_measure_shared (the clock, the counter block, the accept-queue query). The
# tests fail if either links a model (lab_models) or the server core (lab_server_core): by its
# CMake link closure, or by a symbol of those libraries in the built binary
# (tests/link_boundary.sh, with nm). link_boundary.control runs the same check on lab-server,
# which links both, and passes only if the check fails there: proof that it can fail.
# ctest names: link_boundary.* (ctest -R link_boundary).

# Every library `target` links, directly or through other targets (LINK_LIBRARIES and
# INTERFACE_LINK_LIBRARIES, $<LINK_ONLY:...> unwrapped), into `out`.
function(lab_link_closure target out)
    set(seen "")
    set(queue ${target})
    while(queue)
        list(POP_FRONT queue current)
        if(NOT TARGET ${current})
            continue()
        endif()
        set(direct "")
        foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
            get_target_property(value ${current} ${property})
            if(value)
                list(APPEND direct ${value})
            endif()
        endforeach()
        foreach(lib IN LISTS direct)
            string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
            if(lib MATCHES "^\\$<" OR lib IN_LIST seen)
                continue()
            endif()
            list(APPEND seen ${lib})
            list(APPEND queue ${lib})
        endforeach()
    endwhile()
    set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# One test: `program` (a target) against the models and the server core. `own` is a symbol
# the program defines.
function(lab_link_boundary_test name program own)
    lab_link_closure(${program} closure)
    string(REPLACE ";" "," links "${closure}")  # one argument
    add_test(NAME link_boundary.${name}
             COMMAND /bin/bash ${CMAKE_CURRENT_SOURCE_DIR}/link_boundary.sh
                 --program ${program} --binary $<TARGET_FILE:${program}> --own ${own}
                 --links "${links}"
                 --forbid-target lab_models --forbid-target lab_server_core
                 --forbid-archive $<TARGET_FILE:lab_models>
                 --forbid-archive $<TARGET_FILE:lab_server_core>)
    set_tests_properties(link_boundary.${name} PROPERTIES TIMEOUT 60 LABELS link_boundary)
endfunction()

lab_link_boundary_test(lab-harness lab-harness "lab::run_once(")
lab_link_boundary_test(lab-plot lab-plot "lab::plot::gnuplot_script")
# The control: lab-server links both, so the check must find them (by target and by symbol).
lab_link_boundary_test(control lab-server "lab::serve_select(")
set_tests_properties(link_boundary.control PROPERTIES
    PASS_REGULAR_EXPRESSION "links the target lab_models.*defines [0-9]+ symbols of .*lab::serve_")
