// The tests' own PostgreSQL clusters (issue 14), run by harness/db/cluster.sh. tests/db.cmake
// starts the main one before the tests that need it (ctest fixture lab_db) and stops it after
// them; it also prepares a second one that the restart tests start and stop themselves
// (fixture lab_db_restart). Their directories and ports are fixed at configure time
// (LAB_TEST_DB_DIR and LAB_TEST_DB_PORT, LAB_TEST_DB_RESTART_DIR and LAB_TEST_DB_RESTART_PORT,
// compile definitions from tests/db.cmake); LAB_CLUSTER_SH is the script.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace labtest {

struct Cluster {
    std::string dir;
    std::string port;
};

// The grader (tests/grader/grade_model.py) runs the Query suite on a cluster of its own, named by
// LAB_GRADE_DB_DIR and LAB_GRADE_DB_PORT, so that it never meets ctest's.
inline Cluster main_cluster() {
    const char* dir = std::getenv("LAB_GRADE_DB_DIR");
    const char* port = std::getenv("LAB_GRADE_DB_PORT");
    if (dir && *dir && port && *port) return {dir, port};
    return {LAB_TEST_DB_DIR, LAB_TEST_DB_PORT};
}

inline Cluster restart_cluster() {
    return {LAB_TEST_DB_RESTART_DIR, LAB_TEST_DB_RESTART_PORT};
}

struct ClusterResult {
    int exit_status = -1;  // -1: could not run, killed, or timed out
    std::string output;    // stdout and stderr
};

// Runs `cluster.sh command` for `cluster` (bounded: 90 s, coreutils' timeout).
inline ClusterResult run_cluster(const Cluster& cluster, const std::string& command) {
    std::string line = "LAB_DB_DIR='" + cluster.dir + "' LAB_DB_PORT=" + cluster.port +
                       " timeout 90 /bin/bash '" + LAB_CLUSTER_SH + "' " + command + " 2>&1";
    ClusterResult result;
    FILE* pipe = popen(line.c_str(), "r");
    if (pipe == nullptr) return result;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.output.append(buffer, n);
    int status = pclose(pipe);
    result.exit_status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// The cluster's libpq URI, as cluster.sh prints it (whether or not it runs).
inline std::string cluster_uri(const Cluster& cluster) {
    std::string uri = run_cluster(cluster, "uri").output;
    while (!uri.empty() && (uri.back() == '\n' || uri.back() == '\r'))
        uri.pop_back();
    return uri;
}

}  // namespace labtest
