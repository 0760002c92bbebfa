// The tests' one way to run a shell command and read what it printed.
#pragma once

#include <cstdio>
#include <string>

namespace lab::test {

// What `command` (run by /bin/sh) printed on stdout, at most 1 MiB; "" if it could not be
// run. The caller bounds its time (coreutils' `timeout`) where the command might hang.
inline std::string command_output(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0 && out.size() < (1u << 20))
        out.append(buffer, n);
    pclose(pipe);
    return out;
}

}  // namespace lab::test
