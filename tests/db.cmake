# Database tests (see tests/CMakeLists.txt; issue 14): QUERY over every model against a real
# PostgreSQL that the tests start and stop themselves, with harness/db/cluster.sh.
#   db.start / db.stop        ctest fixture lab_db: the tests' own cluster in
#                             ${CMAKE_BINARY_DIR}/test-db, started before the tests that
#                             require it and stopped after them, even when they fail
#   db.restart_init / _stop   fixture lab_db_restart: a second cluster (test-db-restart) that
#                             the restart tests (Models/QueryRestart.*) start and stop
#                             themselves, one test at a time (RESOURCE_LOCK); initialised
#                             once by the setup, stopped by the cleanup whatever happened
# Each cluster listens on a Unix socket in its own directory only; its port just names the
# socket (LAB_TEST_DB_PORT, LAB_TEST_DB_RESTART_PORT), so build trees do not collide. Without
# PostgreSQL (postgresql-15: ./lab setup installs it) db.start fails with cluster.sh's message
# and every test that requires it fails as "Not Run": never a silent pass.
set(LAB_TEST_DB_PORT 55433 CACHE STRING "Port number that names the test cluster's socket")
set(LAB_TEST_DB_RESTART_PORT 55434 CACHE STRING
    "Port number that names the restart tests' cluster's socket")
set(lab_test_db_dir ${CMAKE_BINARY_DIR}/test-db)
set(lab_test_db_restart_dir ${CMAKE_BINARY_DIR}/test-db-restart)
set(lab_cluster_sh ${PROJECT_SOURCE_DIR}/harness/db/cluster.sh)

# `cluster.sh args...` for the cluster in `dir`. Several concurrent servers of the suite each
# keep up to --db-pool sessions: more than PostgreSQL's default of 100 may be open at once.
function(lab_cluster_test name dir port)
    add_test(NAME ${name}
             COMMAND ${CMAKE_COMMAND} -E env LAB_DB_DIR=${dir} LAB_DB_PORT=${port}
                 LAB_DB_MAX_CONNECTIONS=300 /bin/bash ${ARGN})
    set_tests_properties(${name} PROPERTIES TIMEOUT 120 LABELS db)
endfunction()

lab_cluster_test(db.start ${lab_test_db_dir} ${LAB_TEST_DB_PORT} ${lab_cluster_sh} start)
lab_cluster_test(db.stop ${lab_test_db_dir} ${LAB_TEST_DB_PORT} ${lab_cluster_sh} stop)
set_tests_properties(db.start PROPERTIES FIXTURES_SETUP lab_db)
set_tests_properties(db.stop PROPERTIES FIXTURES_CLEANUP lab_db)

# initdb once (and prove the cluster starts); each restart test then starts it in about a second.
lab_cluster_test(db.restart_init ${lab_test_db_restart_dir} ${LAB_TEST_DB_RESTART_PORT}
    -c "'${lab_cluster_sh}' start && '${lab_cluster_sh}' stop")
lab_cluster_test(db.restart_stop ${lab_test_db_restart_dir} ${LAB_TEST_DB_RESTART_PORT}
    ${lab_cluster_sh} stop)
set_tests_properties(db.restart_init PROPERTIES FIXTURES_SETUP lab_db_restart
    RESOURCE_LOCK lab_db_restart)
set_tests_properties(db.restart_stop PROPERTIES FIXTURES_CLEANUP lab_db_restart
    RESOURCE_LOCK lab_db_restart)

add_executable(db_tests
    ${CMAKE_CURRENT_SOURCE_DIR}/server_process.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/exchange_log.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/query_test.cpp)
target_link_libraries(db_tests PRIVATE
    GTest::gtest_main
    nlohmann_json::nlohmann_json
    lab_models
    lab_warnings
    lab_sanitizers)
add_dependencies(db_tests lab-server)
target_compile_definitions(db_tests PRIVATE
    LAB_SERVER_PATH="$<TARGET_FILE:lab-server>"
    LAB_CLUSTER_SH="${lab_cluster_sh}"
    LAB_TEST_DB_DIR="${lab_test_db_dir}"
    LAB_TEST_DB_PORT="${LAB_TEST_DB_PORT}"
    LAB_TEST_DB_RESTART_DIR="${lab_test_db_restart_dir}"
    LAB_TEST_DB_RESTART_PORT="${LAB_TEST_DB_RESTART_PORT}")
# Test names end in the model's name (Models/Query.Rows/threads), as in server.cmake, so that
# the tsan preset leaves out sequential, fork and prefork by name.
gtest_discover_tests(db_tests DISCOVERY_TIMEOUT 60 TEST_FILTER "-Models/QueryRestart.*"
    PROPERTIES TIMEOUT 120 LABELS db FIXTURES_REQUIRED lab_db)
gtest_discover_tests(db_tests DISCOVERY_TIMEOUT 60 TEST_FILTER "Models/QueryRestart.*"
    PROPERTIES TIMEOUT 120 LABELS db FIXTURES_REQUIRED lab_db_restart
        RESOURCE_LOCK lab_db_restart)
