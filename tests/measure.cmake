# Measurement tests (see tests/CMakeLists.txt): the histogram against exact percentiles of
# sorted samples, and the /proc sampler against threads and child processes the tests start
# themselves (and against their rusage), and its count of io_uring's kernel workers against
# workers an io_uring of the test's own makes (liburing, as for the uring model). No server
# process.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing>=2.3)
add_executable(measure_tests
    ${CMAKE_CURRENT_SOURCE_DIR}/histogram_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/proc_sampler_test.cpp)
target_link_libraries(measure_tests PRIVATE
    lab_measure
    PkgConfig::LIBURING
    Threads::Threads
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
gtest_discover_tests(measure_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
