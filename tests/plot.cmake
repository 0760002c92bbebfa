# Plot tests (see tests/CMakeLists.txt): lab-plot draws the results files in tests/fixtures/
# (made by the real harness); the tests check the pictures (complete PNG and SVG), the gnuplot
# scripts beside them (one series per model, one colour per model, each redraws on its own)
# and the one-line messages for bad input; and the models' styles (lab_plot_core) as the
# registry gives them, asked of lab-server as lab-plot does. Needs gnuplot (gnuplot-nox).
add_executable(plot_tests ${CMAKE_CURRENT_SOURCE_DIR}/plot_test.cpp)
target_link_libraries(plot_tests PRIVATE
    GTest::gtest_main
    nlohmann_json::nlohmann_json
    lab_plot_core
    lab_warnings
    lab_sanitizers)
add_dependencies(plot_tests lab-plot lab-server)
target_compile_definitions(plot_tests PRIVATE
    LAB_PLOT_PATH="$<TARGET_FILE:lab-plot>"
    LAB_SERVER_PATH="$<TARGET_FILE:lab-server>"
    LAB_PLOT_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/fixtures")
gtest_discover_tests(plot_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)

# plot_null_tests: the fields the harness writes as null (results/SCHEMA.md) drawn by the real
# lab-plot from the fixtures: left out like unsampled values, never an error.
add_executable(plot_null_tests ${CMAKE_CURRENT_SOURCE_DIR}/plot_null_test.cpp)
target_link_libraries(plot_null_tests PRIVATE
    GTest::gtest_main
    nlohmann_json::nlohmann_json
    lab_warnings
    lab_sanitizers)
add_dependencies(plot_null_tests lab-plot)
target_compile_definitions(plot_null_tests PRIVATE
    LAB_PLOT_PATH="$<TARGET_FILE:lab-plot>"
    LAB_PLOT_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/fixtures")
gtest_discover_tests(plot_null_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
