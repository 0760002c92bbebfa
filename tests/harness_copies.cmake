# The harness's copies of the protocol (see tests/CMakeLists.txt): its workload limits and its
# reply decoder (line limit, WORK body pattern) against the protocol module, which the harness
# itself does not use to decode. ctest names start with harness_copies.
add_executable(harness_copies_tests ${CMAKE_CURRENT_SOURCE_DIR}/harness_copies_test.cpp)
target_link_libraries(harness_copies_tests PRIVATE
    lab_harness_core
    lab_protocol
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
gtest_discover_tests(harness_copies_tests TEST_PREFIX "harness_copies."
    DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 60)
