// See server_models.hpp.
#include "server_models.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "clock.hpp"

extern char** environ;

namespace lab {
namespace {

inline constexpr std::uint64_t kListTimeoutNs = 10'000'000'000;
// A listing is a few kilobytes; more is not a lab-server's, and is not read on.
inline constexpr std::size_t kMaxListingBytes = 1 << 20;
inline constexpr std::size_t kMaxStderrBytes = 4096;

// What the child printed and how it ended.
struct Finished {
    std::string out;
    std::string err;
    int status = 0;  // as from waitpid
    bool timed_out = false;
};

// Reads the child's stdout and stderr until both close or the deadline passes; kills it on a
// timeout or an oversized output, then reaps it. Closes both descriptors.
Finished collect(pid_t pid, int out_fd, int err_fd) {
    Finished done;
    std::uint64_t deadline = mono_ns() + kListTimeoutNs;
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* into[2] = {&done.out, &done.err};
    const std::size_t cap[2] = {kMaxListingBytes, kMaxStderrBytes};
    int open_fds = 2;
    while (open_fds > 0) {
        std::uint64_t now = mono_ns();
        if (now >= deadline) {
            done.timed_out = true;
            break;
        }
        int wait_ms = static_cast<int>((deadline - now) / 1'000'000) + 1;
        int ready = poll(fds, 2, wait_ms);
        if (ready < 0 && errno == EINTR) continue;  // a signal to the harness: poll again
        if (ready < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buffer[4096];
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            if (into[i]->size() < cap[i]) into[i]->append(buffer, static_cast<std::size_t>(n));
        }
        if (done.out.size() >= kMaxListingBytes) break;
    }
    for (pollfd& p : fds) {
        if (p.fd >= 0) close(p.fd);
    }
    if (open_fds > 0) kill(pid, SIGKILL);  // it outlived its listing: nothing more to read
    while (waitpid(pid, &done.status, 0) < 0 && errno == EINTR) {
    }
    return done;
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line.empty() ? "(nothing on stderr)" : line;
}

// The listing's models, or nullopt if `doc` is not a listing of at least one model.
std::optional<std::vector<ListedModel>> parse_listing(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_array() ||
        doc["models"].empty()) {
        return std::nullopt;
    }
    std::vector<ListedModel> models;
    for (const nlohmann::json& entry : doc["models"]) {
        if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
            entry["name"].get<std::string>().empty() || !entry.contains("plot") ||
            !entry["plot"].is_object()) {
            return std::nullopt;
        }
        const nlohmann::json& plot = entry["plot"];
        ListedModel model;
        model.name = entry["name"].get<std::string>();
        model.summary = entry.value("summary", "");
        if (entry.contains("flags") && entry["flags"].is_object()) model.flags = entry["flags"];
        if (plot.contains("colour") && plot["colour"].is_string())
            model.plot_colour = plot["colour"].get<std::string>();
        if (plot.contains("point_type") && plot["point_type"].is_number_integer())
            model.plot_point_type = plot["point_type"].get<int>();
        models.push_back(std::move(model));
    }
    return models;
}

}  // namespace

std::optional<std::vector<ListedModel>> list_server_models(const std::string& server_bin,
                                                           std::string& error) {
    const std::string cannot_run = "cannot run " + server_bin + " (build it, or give --server-bin)";
    if (server_bin.empty() || access(server_bin.c_str(), X_OK) != 0) {
        error = cannot_run;
        return std::nullopt;
    }
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return std::nullopt;
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        close(out_pipe[0]);
        close(out_pipe[1]);
        return std::nullopt;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    std::string list_flag = "--list-models";
    std::string json_flag = "--json";
    std::string program = server_bin;
    char* argv[] = {program.data(), list_flag.data(), json_flag.data(), nullptr};
    pid_t pid = -1;
    int rc = posix_spawn(&pid, server_bin.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        error = cannot_run + ": " + std::strerror(rc);
        return std::nullopt;
    }
    Finished done = collect(pid, out_pipe[0], err_pipe[0]);
    const std::string command = server_bin + " --list-models --json";
    if (done.timed_out) {
        error = command + " did not finish within 10 s (is it a lab-server?)";
        return std::nullopt;
    }
    if (!WIFEXITED(done.status) || WEXITSTATUS(done.status) != 0) {
        error =
            command + " failed (" +
            (WIFEXITED(done.status) ? "exit status " + std::to_string(WEXITSTATUS(done.status))
                                    : "killed by signal " + std::to_string(WTERMSIG(done.status))) +
            "): " + first_line(done.err) + " (is it a lab-server of this lab? build it again)";
        return std::nullopt;
    }
    nlohmann::json doc = nlohmann::json::parse(done.out, nullptr, false);
    std::optional<std::vector<ListedModel>> models;
    if (!doc.is_discarded()) models = parse_listing(doc);
    if (!models) {
        error = server_bin + " did not list its models (" + command +
                " printed no listing of models): give --server-bin a lab-server";
        return std::nullopt;
    }
    return models;
}

const ListedModel* find_listed_model(const std::vector<ListedModel>& models,
                                     const std::string& name) {
    for (const ListedModel& model : models) {
        if (model.name == name) return &model;
    }
    return nullptr;
}

std::string listed_model_names(const std::vector<ListedModel>& models) {
    std::string names;
    for (const ListedModel& model : models)
        names += (names.empty() ? "" : ", ") + model.name;
    return names;
}

std::string lab_server_beside_self() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "lab-server";
    return (self.parent_path() / "lab-server").string();
}

}  // namespace lab
