// Running a short-lived helper program and collecting what it prints, bounded in time and in
// size: `lab-server --list-models --json` (server_models.cpp), psql (database.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lab {

struct CommandLimits {
    std::uint64_t timeout_ns = 10'000'000'000;
    std::size_t max_out = std::size_t{1} << 20;  // stdout beyond this is not read on
    std::size_t max_err = 4096;                  // stderr beyond this is dropped
};

struct CommandResult {
    int spawn_error = 0;  // posix_spawnp's error (the program could not be run), or 0
    std::string out;
    std::string err;
    int status = 0;  // as from waitpid
    bool timed_out = false;
    // Whether it ran and exited with status 0 in time.
    bool succeeded() const;
};

// Runs `program` (a path, or a name looked up in PATH) with `args` (argv[1]...), its stdin
// closed, with the harness's environment plus `extra_env` (NAME=VALUE). Reads its stdout and
// stderr until both close, or until the timeout or max_out (then kills it), and reaps it.
CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                          const CommandLimits& limits,
                          const std::vector<std::string>& extra_env = {});

// The first line of `text`, or "(nothing on stderr)" if it is empty: for one-line messages.
std::string first_line_of(const std::string& text);

}  // namespace lab
