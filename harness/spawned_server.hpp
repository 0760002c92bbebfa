// Starting and stopping a fresh lab-server for one run. The server runs in its own process
// group and dies with the harness (PR_SET_PDEATHSIG), so a killed harness or notebook leaves
// nothing behind.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lab {

struct ServerExit {
    int status = 0;               // as from wait4
    bool exited_cleanly = false;  // exited with status 0
    struct rusage usage {};       // the server's own lifetime rusage (wait4)
    std::string stderr_text;      // what it wrote on stderr (the last 4 KiB)
};

class SpawnedServer {
  public:
    // Starts `binary args...` and waits (up to 10 s) for its "listening on HOST:PORT" line.
    // Must be called from the harness's main thread: PR_SET_PDEATHSIG fires when the thread
    // that forked the child exits, and the main thread lives as long as the harness.
    // On failure returns nullopt with a one-line reason (including the server's stderr).
    static std::optional<SpawnedServer> start(const std::string& binary,
                                              const std::vector<std::string>& args,
                                              std::string& error);
    SpawnedServer(SpawnedServer&& other) noexcept;
    SpawnedServer& operator=(SpawnedServer&&) = delete;
    SpawnedServer(const SpawnedServer&) = delete;
    ~SpawnedServer();  // kills the process group if stop() was not called

    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }
    const std::string& host() const { return host_; }

    // SIGTERM, wait up to `grace_ms`, then SIGKILL the group; reaps with wait4.
    ServerExit stop(std::uint64_t grace_ms = 5000);
    // True while the server process has not exited.
    bool alive() const;

  private:
    SpawnedServer() = default;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string host_;
    int stderr_fd_ = -1;
    int stdout_fd_ = -1;
};

// Kills every server process group still running (for the harness's signal handler).
void kill_all_spawned_servers();

}  // namespace lab
