# Viewer tests (see tests/CMakeLists.txt): ./lab trace, the trace viewer, in a real browser.
# tests/viewer_test.mjs runs `./lab trace FILE --no-open --port 0` on a reference trace of
# results/reference/timelines/, opens the URL it prints in Debian's Chromium (headless, driven
# by playwright-core from build/viewer/) and checks from the page that speedscope shows every
# thread and process of the trace by name, with every span name on its own thread (the select
# loop's async io_wait included); screenshots go to build/viewer-test/. A trace without spans
# must not load, and files that are no trace are refused (status 2). Needs no build: it reads
# committed traces. A missing Chromium or npm package fails these tests; ./lab setup (and so
# ./lab test) installs both. ctest names: viewer.CASE (ctest -L viewer).
foreach(case IN ITEMS select-mixed threads-cpu fork-io empty-trace bad-files)
    add_test(NAME viewer.${case}
             COMMAND /usr/bin/node ${CMAKE_CURRENT_SOURCE_DIR}/viewer_test.mjs ${case})
    set_tests_properties(viewer.${case} PROPERTIES TIMEOUT 120 LABELS viewer)
endforeach()
