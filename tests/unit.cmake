# Unit tests (see tests/CMakeLists.txt): the protocol codec and the shared counter block,
# no sockets and no server process.
add_executable(unit_tests
    ${CMAKE_CURRENT_SOURCE_DIR}/codec_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/http_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/counters_test.cpp)
target_link_libraries(unit_tests PRIVATE
    lab_server_core
    nlohmann_json::nlohmann_json
    GTest::gtest_main
    lab_warnings
    lab_sanitizers)
gtest_discover_tests(unit_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
