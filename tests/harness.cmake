# Harness tests (see tests/CMakeLists.txt).
#   harness_unit_tests - durations, workload files, the results file, Jain's index, and the
#     client engine (run_engine) driven directly against a lab-server the test spawns
#     (closed loop, reconnects, errors, replies checked, the open loop's coordinated
#     omission under a SIGSTOPped server).
#   harness_window_tests - the window's server accounting (harness/server_window.hpp) and
#     the run's JSON of it (harness/run_json.hpp), from hand-made readings: no server.
#   harness_integration_tests - the lab-harness binary as a black box: short sweeps over the
#     models, the results file it writes, the relations between models the lab teaches,
#     exit statuses. Labelled `integration` (ctest -L integration / -LE integration).
# ctest names start with harness_unit. / harness_window. / harness_integration. (ctest -R
# harness). Tests that run the fork or sequential model say so in their name (the tsan preset
# excludes names matching sequential|fork).
add_executable(harness_unit_tests ${CMAKE_CURRENT_SOURCE_DIR}/harness_unit_test.cpp)
target_link_libraries(harness_unit_tests PRIVATE
    lab_harness_core
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
add_dependencies(harness_unit_tests lab-server)
target_compile_definitions(harness_unit_tests PRIVATE
    LAB_SERVER_PATH="$<TARGET_FILE:lab-server>"
    LAB_WORKLOAD_DIR="${PROJECT_SOURCE_DIR}/harness/workloads")
gtest_discover_tests(harness_unit_tests TEST_PREFIX "harness_unit."
    DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)

add_executable(harness_window_tests ${CMAKE_CURRENT_SOURCE_DIR}/server_window_test.cpp)
target_link_libraries(harness_window_tests PRIVATE
    lab_harness_core
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
gtest_discover_tests(harness_window_tests TEST_PREFIX "harness_window."
    DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 60)

add_executable(harness_integration_tests
    ${CMAKE_CURRENT_SOURCE_DIR}/harness_integration_test.cpp)
target_link_libraries(harness_integration_tests PRIVATE
    lab_harness_core
    nlohmann_json::nlohmann_json
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
add_dependencies(harness_integration_tests lab-harness lab-server)
target_compile_definitions(harness_integration_tests PRIVATE
    LAB_HARNESS_PATH="$<TARGET_FILE:lab-harness>"
    LAB_SERVER_PATH="$<TARGET_FILE:lab-server>"
    LAB_WORKLOAD_DIR="${PROJECT_SOURCE_DIR}/harness/workloads")
gtest_discover_tests(harness_integration_tests TEST_PREFIX "harness_integration."
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT 300 LABELS integration)
