# Registry tests (see tests/CMakeLists.txt): every model of the registry, as
# `lab-server --list-models --json` lists it to the tools, has what they need (a name, a
# summary, a plot style of its own, flags with their ranges). Registers nothing of its own, so
# a new model is checked without an edit here. ctest names start with Registry.
add_executable(registry_tests ${CMAKE_CURRENT_SOURCE_DIR}/registry_test.cpp)
target_link_libraries(registry_tests PRIVATE
    lab_plot_core
    nlohmann_json::nlohmann_json
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
add_dependencies(registry_tests lab-server)
target_compile_definitions(registry_tests PRIVATE LAB_SERVER_PATH="$<TARGET_FILE:lab-server>")
gtest_discover_tests(registry_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 60)
