# Server tests (see tests/CMakeLists.txt): the conformance, behaviour and WAIT/POST suites, run
# against the real lab-server (every model, and epoll --loops 2 in both ways: model_variants),
# the tests of several event loops (loops_test.cpp), and the libevent model on each of
# libevent's backends (libevent_test.cpp, which also checks a fact about Debian's libevent
# itself, so it links libevent), the uring model's own cases (uring_test.cpp: Uring.*,
# UringRefusal.*) and the coroutines model's (coroutines_test.cpp: its frames in STATS, a stop
# with coroutines suspended at every kind of wait). Each test starts its own server on port 0,
# so tests may run in parallel (ctest -j). Test names end in the model name (Models/Conformance.Ping/threads),
# so that a preset can leave models out by name (tsan excludes -E 'sequential|fork').
add_executable(server_tests
    ${CMAKE_CURRENT_SOURCE_DIR}/server_process.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/exchange_log.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/conformance_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/behaviour_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/http_integration_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/wait_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/loops_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/libevent_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/uring_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/coroutines_test.cpp)
target_link_libraries(server_tests PRIVATE
    GTest::gtest_main
    nlohmann_json::nlohmann_json
    lab_models
    PkgConfig::LIBEVENT
    lab_warnings
    lab_sanitizers)
add_dependencies(server_tests lab-server)
target_compile_definitions(server_tests PRIVATE LAB_SERVER_PATH="$<TARGET_FILE:lab-server>")
gtest_discover_tests(server_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
