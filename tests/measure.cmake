# Measurement tests (see tests/CMakeLists.txt): the histogram against exact percentiles of
# sorted samples, and the /proc sampler against threads and child processes the tests start
# themselves (and against their rusage). No server process.
add_executable(measure_tests
    ${CMAKE_CURRENT_SOURCE_DIR}/histogram_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/proc_sampler_test.cpp)
target_link_libraries(measure_tests PRIVATE
    lab_measure
    Threads::Threads
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
gtest_discover_tests(measure_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
