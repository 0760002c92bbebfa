// See timeline.hpp.
#include "timeline.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "clock.hpp"
#include "results.hpp"
#include "spawned_server.hpp"

namespace lab {
namespace {

using nlohmann::json;

inline constexpr std::uint64_t kReplyTimeoutNs = 30'000'000'000;
inline constexpr std::uint64_t kBodyBytes = 16;

struct ClientRequest {
    std::uint64_t sent_ns = 0;
    std::uint64_t replied_ns = 0;
};

struct TimelineClient {
    int fd = -1;
    std::uint16_t port = 0;  // its local port: the task id in the server's spans
    std::uint64_t connect_ns = 0;
    std::vector<ClientRequest> requests;
    std::string pending;   // bytes received and not yet matched to a reply
    std::size_t next = 0;  // the request now in flight
    bool failed = false;
};

double micros(std::uint64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

bool send_line(int fd, const std::string& line) {
    return send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
}

// Where the trace goes must be writable before a server is started for it: false, with
// error, if a file cannot be created beside it.
bool check_writable(const std::string& out_path, std::string& error) {
    std::string probe = out_path + ".probe." + std::to_string(getpid());
    std::FILE* f = std::fopen(probe.c_str(), "w");
    if (f == nullptr) {
        error = "cannot write " + out_path + ": " + std::strerror(errno);
        return false;
    }
    std::fclose(f);
    std::remove(probe.c_str());
    return true;
}

// Connects every client to the server on 127.0.0.1:port, each with room for its requests.
// False, with error, if one cannot connect.
bool connect_clients(std::vector<TimelineClient>& clients, std::uint16_t port,
                     std::uint64_t requests_per_client, std::string& error) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    for (TimelineClient& c : clients) {
        c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.connect_ns = mono_ns();
        if (connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            error = "cannot connect to the server";
            return false;
        }
        sockaddr_in local{};
        socklen_t len = sizeof local;
        getsockname(c.fd, reinterpret_cast<sockaddr*>(&local), &len);
        c.port = ntohs(local.sin_port);
        c.requests.resize(requests_per_client);
    }
    return true;
}

// Takes the whole replies in c.pending (`reply` each: the line and its body): stamps each
// request's reply, sends the next, and after the last says QUIT. Adds 1 to done when the
// client has finished.
void take_replies(TimelineClient& c, const std::string& reply, const std::string& request,
                  std::size_t& done) {
    while (c.next < c.requests.size() && c.pending.size() >= reply.size()) {
        if (c.pending.compare(0, reply.size(), reply) != 0) {
            c.failed = true;
            break;
        }
        c.pending.erase(0, reply.size());
        c.requests[c.next].replied_ns = mono_ns();
        if (++c.next == c.requests.size()) {
            // Done: leave, as a real client would, so a sequential server moves on.
            send_line(c.fd, "QUIT\n");
            shutdown(c.fd, SHUT_WR);
            ++done;
        } else {
            c.requests[c.next].sent_ns = mono_ns();
            c.failed = !send_line(c.fd, request);
        }
    }
}

// Each client sends its requests one after another, each when the last one's reply has
// come, until all are done or failed, or kReplyTimeoutNs has passed.
void exchange_requests(std::vector<TimelineClient>& clients, const std::string& request) {
    for (TimelineClient& c : clients) {
        c.requests[0].sent_ns = mono_ns();
        c.failed = !send_line(c.fd, request);
    }
    const std::string expected = "OK " + std::to_string(kBodyBytes) + "\n";
    std::string body;
    for (std::uint64_t i = 0; i < kBodyBytes; ++i)
        body += static_cast<char>('a' + i % 26);
    // One reply is the line and its body.
    const std::string reply = expected + body;
    std::uint64_t deadline = mono_ns() + kReplyTimeoutNs;
    std::size_t done = 0;
    while (done < clients.size() && mono_ns() < deadline) {
        std::vector<pollfd> fds;
        for (TimelineClient& c : clients) {
            fds.push_back({c.failed || c.next == c.requests.size() ? -1 : c.fd, POLLIN, 0});
        }
        if (poll(fds.data(), fds.size(), 100) <= 0) continue;
        for (std::size_t i = 0; i < clients.size(); ++i) {
            TimelineClient& c = clients[i];
            if (fds[i].revents == 0) continue;
            char buffer[4096];
            ssize_t n = recv(c.fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                c.failed = true;
                ++done;
                continue;
            }
            c.pending.append(buffer, static_cast<std::size_t>(n));
            take_replies(c, reply, request, done);
            if (c.failed) ++done;
        }
    }
}

// The client side as a process of its own in the trace: a track per client (named for its
// port, the task id in the server's spans) with a span per answered request.
void add_client_events(json& events, const std::vector<TimelineClient>& clients) {
    auto pid = static_cast<long>(getpid());
    events.push_back({{"name", "process_name"},
                      {"ph", "M"},
                      {"pid", pid},
                      {"args", {{"name", "clients (lab-harness)"}}}});
    for (std::size_t i = 0; i < clients.size(); ++i) {
        const TimelineClient& c = clients[i];
        events.push_back({{"name", "thread_name"},
                          {"ph", "M"},
                          {"pid", pid},
                          {"tid", c.port},
                          {"args",
                           {{"name", "client " + std::to_string(i + 1) + " (port " +
                                         std::to_string(c.port) + ")"}}}});
        for (std::size_t r = 0; r < c.requests.size(); ++r) {
            const ClientRequest& q = c.requests[r];
            if (q.replied_ns == 0) continue;
            events.push_back({{"name", "request"},
                              {"cat", "client"},
                              {"ph", "X"},
                              {"ts", micros(q.sent_ns)},
                              {"dur", micros(q.replied_ns - q.sent_ns)},
                              {"pid", pid},
                              {"tid", c.port},
                              {"args", {{"task", c.port}, {"client", i + 1}, {"request", r + 1}}}});
        }
    }
}

// Writes doc to out_path through a temporary file beside it; false, with error, if it cannot.
bool write_trace(const json& doc, const std::string& out_path, std::string& error) {
    std::string temp = out_path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temp);
        out << doc.dump() << "\n";
        if (!out) {
            error = "cannot write " + temp;
            return false;
        }
    }
    if (std::rename(temp.c_str(), out_path.c_str()) != 0) {
        error = "cannot write " + out_path;
        return false;
    }
    return true;
}

}  // namespace

std::string timeline_request(const std::string& scenario) {
    // Each request: about 100 ms of work of the scenario's kind, so the pictures are readable.
    if (scenario == "cpu") return "WORK 100000 0 16\n";
    if (scenario == "io") return "WORK 0 100 16\n";
    if (scenario == "mixed") return "WORK 50000 50 16\n";
    return "";
}

int run_timeline(const TimelineSpec& spec, std::string& error) {
    std::string request = timeline_request(spec.scenario);
    if (request.empty()) {
        error = "unknown scenario '" + spec.scenario + "' (choose cpu, io or mixed)";
        return 2;
    }
    if (!check_writable(spec.out_path, error)) return 2;
    const std::string started_at = utc_timestamp();
    std::string trace_path = spec.out_path + ".server." + std::to_string(getpid());
    auto server = SpawnedServer::start(
        spec.server_bin, {"--model", spec.model, "--port", "0", "--trace", trace_path}, error);
    if (!server) return 2;

    // All clients connect first, then each sends its requests one after another.
    std::vector<TimelineClient> clients(spec.clients);
    if (!connect_clients(clients, server->port(), spec.requests_per_client, error)) return 2;
    exchange_requests(clients, request);
    for (TimelineClient& c : clients)
        close(c.fd);
    ServerExit exit = server->stop();
    bool wrong = false;
    for (const TimelineClient& c : clients)
        wrong = wrong || c.failed || c.next != c.requests.size();

    // The server's trace, then the client side as a process of its own.
    std::ifstream in(trace_path);
    json doc = json::parse(in, nullptr, false);
    std::remove(trace_path.c_str());
    if (doc.is_discarded() || !doc.contains("traceEvents")) {
        error = "the server wrote no trace (" + trace_path + ")";
        return 1;
    }
    add_client_events(doc["traceEvents"], clients);
    doc["otherData"]["started_at"] = started_at;
    doc["otherData"]["hostname"] = machine_info()["hostname"];
    doc["otherData"]["model"] = spec.model;
    doc["otherData"]["scenario"] = spec.scenario;
    doc["otherData"]["request"] = request.substr(0, request.size() - 1);
    doc["otherData"]["clients"] = spec.clients;
    doc["otherData"]["requests_per_client"] = spec.requests_per_client;
    if (!write_trace(doc, spec.out_path, error)) return 2;
    if (wrong || !exit.exited_cleanly) {
        error = wrong ? "a client got a wrong or no reply" : "the server did not exit cleanly";
        return 1;
    }
    return 0;
}

}  // namespace lab
