# Issue 17's measuring scripts (harness/bench/async-*): the line counter over this tree's marked
# regions, and gdb's backtraces of threads, epoll, libevent and coroutines stopped in a WORK
# request, against this build's lab-server (skipped, with the reason, without gdb or ptrace;
# the script bounds each model to a minute, seconds when all is well). The third,
# harness/bench/async-costs, is a benchmark of minutes and has no test of its own.
add_test(NAME async_loc_tests COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/async_loc_test.py)
set_tests_properties(async_loc_tests PROPERTIES TIMEOUT 120 LABELS bench)
add_test(NAME async_backtraces_tests
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/async_backtraces_test.py
                 $<TARGET_FILE:lab-server>)
set_tests_properties(async_backtraces_tests PROPERTIES TIMEOUT 400 SKIP_RETURN_CODE 77
                     LABELS bench)
# harness/bench/async-reference remakes the reference run (minutes): here only its usage, exit 2.
add_test(NAME async_reference_usage
         COMMAND /bin/sh -c "\"$0\" --bogus 2>/dev/null; test $? -eq 2"
                 ${CMAKE_SOURCE_DIR}/harness/bench/async-reference)
set_tests_properties(async_reference_usage PROPERTIES TIMEOUT 30 LABELS bench)
