# The measured timelines (lab-harness timeline, a traced lab-server): the four classic pictures.
add_executable(timeline_tests ${CMAKE_CURRENT_SOURCE_DIR}/timeline_test.cpp)
target_link_libraries(timeline_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json
    lab_warnings lab_sanitizers)
add_dependencies(timeline_tests lab-harness lab-server lab-plot)
target_compile_definitions(timeline_tests PRIVATE LAB_HARNESS_PATH="$<TARGET_FILE:lab-harness>")
gtest_discover_tests(timeline_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
