// The client engine. See engine.hpp for what it does; the comments here say why.
// It decodes and checks the server's replies with code of its own, never with the protocol
// module (shared/protocol.hpp, shared/http.hpp), on purpose: an instrument must not share code
// with what it checks, or a fault in that code would pass its own check. What it must agree on
// with the protocol, it copies: the reply-line and reply-head limits below, the WORK body
// pattern (check_pattern), QUERY's rows (check_rows: harness/db/schema.sql's, 100 bytes a
// row), the two ERR replies after which a connection stays open (kKeptErrors), the workload
// format's limits (workload.hpp). So that the copies cannot drift silently,
// tests/harness_copies_test.cpp checks them against the protocol module.
#include "engine.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <queue>
#include <random>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "clock.hpp"

namespace lab {
namespace {

inline constexpr std::size_t kReadBuffer = 64 * 1024;
inline constexpr std::size_t kMaxReplyLine = 4096;  // a reply line longer than this is wrong
inline constexpr std::size_t kMaxHttpHead = 8192;   // an HTTP reply head longer than this too
inline constexpr std::uint64_t kScanIntervalNs = 20'000'000;  // timeout checks
inline constexpr std::uint64_t kBackoffMinNs = 10'000'000;
inline constexpr std::uint64_t kBackoffMaxNs = 1'000'000'000;
inline constexpr int kMaxEvents = 256;

// The ERR replies after which the server keeps the connection open (shared/protocol.hpp:
// backend_unavailable_reply, wait_timeout_reply), to the one request kind that gets each: as
// LABP/1 sends them ("ERR 503 backend unavailable") and as HTTP does (the status, the message
// as the body). Each is counted as its own kind of error, and the connection goes on.
struct KeptError {
    RequestSpec::Kind kind;
    std::string_view code;
    std::string_view message;
    std::uint64_t ErrorCounts::*count;
    bool back_off;  // wait (closed loop) before the next request, as after a refused connect
};
constexpr KeptError kKeptErrors[] = {
    {RequestSpec::Kind::Query, "503", "backend unavailable", &ErrorCounts::backend_unavailable,
     true},
    {RequestSpec::Kind::Wait, "408", "no POST before the timeout", &ErrorCounts::wait_timeout,
     false},
};

// The kept error that `code` and `message` are for a request of `kind`, or nullptr.
const KeptError* kept_error(RequestSpec::Kind kind, std::string_view code,
                            std::string_view message) {
    for (const KeptError& kept : kKeptErrors) {
        if (kept.kind == kind && kept.code == code && kept.message == message) return &kept;
    }
    return nullptr;
}

// What a request of one mix entry sends and what its reply must say, built once when the
// engine starts: a request costs a copy of these bytes, not a string built anew.
struct PreparedRequest {
    std::string text;        // the request's bytes (INCR, WAIT, POST: unused, built each time)
    std::string reply_line;  // PING, ECHO, WORK, QUERY: the exact reply line (HTTP: the body)
};

struct Expected {
    RequestSpec::Kind kind = RequestSpec::Kind::Ping;
    const std::string* line = nullptr;  // PING, ECHO, WORK, QUERY: a PreparedRequest's
    std::uint64_t body_bytes = 0;       // WORK, QUERY (its rows, 100 bytes each)
    std::uint64_t key = 0;              // INCR, WAIT, POST
};

struct Connection {
    enum class State { Idle, Connecting, Sending, Waiting, Pausing, Closed };
    int fd = -1;
    std::size_t slot = 0;
    State state = State::Closed;
    std::uint32_t interest = 0;  // the events epoll watches for on fd (see set_interest)
    bool slow = false;
    bool idle = false;             // one of the workload's idle_clients
    bool ever_connected = false;   // established at least once (for all_connected_ns)
    std::uint64_t generation = 0;  // invalidates timers set for an earlier state
    // The request in flight.
    std::string out;
    std::size_t out_sent = 0;
    std::uint64_t intended_ns = 0;  // when it should have gone out (open loop: the schedule)
    std::uint64_t sent_ns = 0;      // when its first byte went out
    std::uint64_t deadline_ns = 0;  // connect or request timeout
    Expected expect;
    // The reply being read.
    std::string line;  // LABP/1: the reply line; HTTP: the head, then a text body
    bool in_body = false;
    bool body_is_text = false;              // HTTP: a body to compare whole (not a WORK pattern)
    const KeptError* http_error = nullptr;  // HTTP: the kept error whose body is being read
    bool server_closes = false;             // HTTP: the reply said Connection: close
    std::uint64_t body_left = 0;
    std::uint64_t body_offset = 0;
    bool read_paused = false;
    std::uint64_t connect_start_ns = 0;
    std::uint64_t requests_on_connection = 0;
    std::uint64_t backoff_ns = kBackoffMinNs;
    std::unordered_map<std::uint64_t, std::uint64_t> last_incr;  // per key, on this connection
};

// What an HTTP reply's headers say about its framing.
struct HttpHeaders {
    std::optional<std::uint64_t> length;  // Content-Length, if there is a good one
    bool closes = false;                  // Connection: close
};

struct Timer {
    std::uint64_t at_ns;
    std::size_t slot;
    std::uint64_t generation;
    bool operator>(const Timer& o) const { return at_ns > o.at_ns; }
};

class Engine {
  public:
    Engine(const EngineConfig& config, const EngineHooks& hooks,
           const std::atomic<bool>& interrupted)
        : config_(config), hooks_(hooks), interrupted_(interrupted), rng_(config.seed) {
        open_loop_ = config_.rate_rps > 0;
        for (const RequestSpec& s : config_.workload.mix)
            total_weight_ += s.weight;
        for (const RequestSpec& s : config_.workload.mix) {
            PreparedRequest prepared;
            write_request(s, 0, 0, prepared.text);
            prepared.reply_line = reply_line_of(s);
            prepared_.push_back(std::move(prepared));
            if (s.kind == RequestSpec::Kind::Post || s.kind == RequestSpec::Kind::Wait)
                posted_.resize(std::max<std::size_t>(posted_.size(), s.keys));
        }
    }

    EngineResult run();

  private:
    // The run's stages
    bool resolve_address();
    void start_connections();
    std::uint64_t next_wake(std::uint64_t next_scan, std::uint64_t next_progress) const;
    void handle_events(const epoll_event* events, int n);
    void report_progress(std::uint64_t now);
    std::uint64_t open_window();
    void close_window(std::uint64_t stopped, std::uint64_t cpu_at_window_start);
    void count_unfinished(std::uint64_t stopped, std::uint64_t end);
    // Connection life
    void start_connect(Connection& c);
    void on_connected(Connection& c);
    void write_request(const RequestSpec& spec, std::uint64_t key, std::size_t slot,
                       std::string& text) const;
    std::string reply_line_of(const RequestSpec& spec) const;
    void begin_request(Connection& c, std::uint64_t scheduled_ns = 0);
    void send_more(Connection& c);
    void read_more(Connection& c);
    bool consume(Connection& c, const char* data, std::size_t n);
    bool take_reply_line(Connection& c, std::size_t rest);
    bool consume_http(Connection& c, const char* data, std::size_t n);
    bool finish_http_body(Connection& c, std::size_t rest);
    bool check_http_head(Connection& c, std::string_view head);
    bool expect_http_error_body(Connection& c, std::string_view code, const HttpHeaders& h);
    bool check_text_reply(Connection& c, std::string_view text, std::string_view shown);
    bool check_incr(Connection& c, std::string_view text, std::string_view shown);
    bool check_wait_value(Connection& c, std::string_view text);
    bool check_body(Connection& c, const char* data, std::size_t take);
    bool check_pattern(Connection& c, const char* data, std::size_t take);
    bool check_rows(Connection& c, const char* data, std::size_t take);
    void finish_request(Connection& c);
    bool finish_and_check_rest(Connection& c, std::size_t rest);
    bool keep_after_error(Connection& c, const KeptError& kept, std::size_t rest);
    void next_request_after(Connection& c);
    void fail(Connection& c, std::uint64_t ErrorCounts::*kind, const std::string& why);
    void close_connection(Connection& c);
    void become_idle(Connection& c);
    void set_interest(Connection& c);
    void add_timer(Connection& c, std::uint64_t at_ns);
    void run_timers(std::uint64_t now);
    void check_deadlines(std::uint64_t now);
    void dispatch_open_loop(std::uint64_t now);
    std::uint64_t next_schedule_ns() const;
    bool in_window(std::uint64_t t) const { return t >= window_start_ && t <= window_end_; }
    std::uint64_t count_connected() const;
    int wait_events(epoll_event* events, std::uint64_t timeout_ns);

    const EngineConfig& config_;
    const EngineHooks& hooks_;
    const std::atomic<bool>& interrupted_;
    std::mt19937_64 rng_;
    bool open_loop_ = false;
    std::uint64_t total_weight_ = 0;
    std::vector<PreparedRequest> prepared_;  // one per mix entry, in the mix's order
    // WAIT and POST: for each key, the slots that have sent a POST to it (each posts its own
    // value, c<slot>): a WAIT's value must be one of them.
    std::vector<std::unordered_set<std::size_t>> posted_;
    int epoll_fd_ = -1;
    sockaddr_storage address_{};
    socklen_t address_len_ = 0;
    std::vector<Connection> connections_;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::vector<std::size_t> idle_;  // open loop: connections free to take the next request
    std::uint64_t start_ = 0;
    std::uint64_t window_start_ = 0;
    std::uint64_t window_end_ = 0;
    std::uint64_t scheduled_ = 0;       // open loop: requests handed out so far
    std::uint64_t ever_connected_ = 0;  // slots established at least once
    bool window_open_ = false;
    bool no_pwait2_ = false;  // the kernel has no epoll_pwait2
    EngineResult result_;
};

std::uint64_t cpu_ns_self() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ns = [](const timeval& tv) {
        return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000 +
               static_cast<std::uint64_t>(tv.tv_usec) * 1000;
    };
    return ns(ru.ru_utime) + ns(ru.ru_stime);
}

// Whether slot i is one of a share_pct share of the slots, spread evenly over them (25: every
// fourth slot), so that any prefix of the slots holds about its share.
bool in_share(std::size_t i, std::uint64_t share_pct) {
    return (i * share_pct) / 100 != ((i + 1) * share_pct) / 100;
}

EngineResult Engine::run() {
    // Linux lets a sleeping thread wake up to 50 µs late (timer slack) to batch wake-ups; an
    // open-loop schedule wants its requests on time, so ask for 1 µs.
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    if (!resolve_address()) return result_;

    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    connections_.resize(config_.connections);
    result_.per_connection_requests.assign(config_.connections, 0);
    start_ = mono_ns();
    window_start_ = start_ + config_.warmup_ns;
    window_end_ = window_start_ + config_.duration_ns;
    std::uint64_t cpu_at_window_start = 0;
    std::uint64_t next_scan = start_ + kScanIntervalNs;
    std::uint64_t next_progress = start_ + 1'000'000'000;
    start_connections();

    epoll_event events[kMaxEvents];
    while (!interrupted_.load(std::memory_order_relaxed)) {
        std::uint64_t now = mono_ns();
        if (!window_open_ && now >= window_start_) cpu_at_window_start = open_window();
        if (now >= window_end_) break;
        std::uint64_t wake = next_wake(next_scan, next_progress);
        handle_events(events, wait_events(events, wake > now ? wake - now : 0));
        now = mono_ns();
        run_timers(now);
        if (open_loop_) dispatch_open_loop(now);
        if (now >= next_scan) {
            check_deadlines(now);
            next_scan = now + kScanIntervalNs;
        }
        if (now >= next_progress) {
            next_progress += 1'000'000'000;
            report_progress(now);
        }
    }
    std::uint64_t stopped = mono_ns();  // may be a little past window_end_
    close_window(stopped, cpu_at_window_start);
    for (Connection& c : connections_)
        close_connection(c);
    close(epoll_fd_);
    return result_;
}

// The server's address from config_.host and port; false, with the failure in result_, if it
// does not resolve.
bool Engine::resolve_address() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string service = std::to_string(config_.port);
    if (getaddrinfo(config_.host.c_str(), service.c_str(), &hints, &found) != 0 || !found) {
        result_.errors.refused = 1;
        result_.first_wrong_reply = "cannot resolve " + config_.host;
        return false;
    }
    std::memcpy(&address_, found->ai_addr, found->ai_addrlen);
    address_len_ = found->ai_addrlen;
    freeaddrinfo(found);
    return true;
}

// Gives each connection slot its kind (slow, idle) and connects it: now, or when its group's
// turn comes with a paced workload.
void Engine::start_connections() {
    const std::optional<ConnectPace>& pace = config_.workload.pace;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        Connection& c = connections_[i];
        c.slot = i;
        // Shares of the connections are slow clients and idle clients, each spread evenly
        // over the slots.
        if (config_.workload.slow) c.slow = in_share(i, config_.workload.slow->share_pct);
        if (config_.workload.idle) c.idle = in_share(i, config_.workload.idle->share_pct);
        if (c.idle) ++result_.idle_connections;
        // Paced: group k connects k * every after the start, by the timer that also ends a
        // back-off (a Closed connection's timer connects it).
        std::uint64_t group = pace ? i / pace->group : 0;
        if (group == 0) {
            start_connect(c);
        } else {
            add_timer(c, start_ + group * pace->every_ns);
        }
    }
}

// When the loop must next wake: the window's start or end, a scan, progress, a timer or (open
// loop) the next scheduled request, whichever comes first.
std::uint64_t Engine::next_wake(std::uint64_t next_scan, std::uint64_t next_progress) const {
    std::uint64_t wake = std::min({window_end_, next_scan, next_progress});
    if (!window_open_) wake = std::min(wake, window_start_);
    if (!timers_.empty()) wake = std::min(wake, timers_.top().at_ns);
    if (open_loop_ && !idle_.empty()) wake = std::min(wake, next_schedule_ns());
    return wake;
}

void Engine::handle_events(const epoll_event* events, int n) {
    for (int i = 0; i < n; ++i) {
        Connection& c = connections_[events[i].data.u64];
        std::uint32_t ev = events[i].events;
        if (c.state == Connection::State::Connecting) {
            if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(c);
            continue;
        }
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_more(c);
        if ((ev & EPOLLOUT) && c.state == Connection::State::Sending) send_more(c);
    }
}

void Engine::report_progress(std::uint64_t now) {
    if (!hooks_.progress) return;
    Progress p;
    p.elapsed_s = (static_cast<double>(now) - static_cast<double>(window_start_)) / 1e9;
    p.requests = result_.requests;
    p.errors = result_.errors.total();
    hooks_.progress(p);
}

// Opens the measurement window; returns this process's CPU time at its start.
std::uint64_t Engine::open_window() {
    window_open_ = true;
    std::uint64_t cpu_at_window_start = cpu_ns_self();
    result_.connected_at_window_start = count_connected();
    if (hooks_.window_start) hooks_.window_start();
    return cpu_at_window_start;
}

// Closes the window (if it opened) when the engine stopped, and fills in the result's window
// figures and the requests it owed.
void Engine::close_window(std::uint64_t stopped, std::uint64_t cpu_at_window_start) {
    std::uint64_t end = std::min(stopped, window_end_);
    if (window_open_ && hooks_.window_end) hooks_.window_end();
    if (window_open_) result_.connected_at_window_end = count_connected();
    result_.window_start_mono_ns = window_start_;
    result_.window_ns = end > window_start_ ? end - window_start_ : 0;
    result_.harness_cpu_ns = window_open_ ? cpu_ns_self() - cpu_at_window_start : 0;
    count_unfinished(stopped, end);
}

// Requests the window owed but never answered still count: a stalled server must not
// hide its stall by simply not replying (a sequential server's queued clients, an open
// loop's overdue schedule). Their latency so far is a lower bound.
void Engine::count_unfinished(std::uint64_t stopped, std::uint64_t end) {
    for (Connection& c : connections_) {
        // A request sent in the warm-up and still unanswered waited through the whole window
        // (a client the server never got to): it counts too, with its full age.
        if ((c.state == Connection::State::Sending || c.state == Connection::State::Waiting) &&
            c.intended_ns <= window_end_) {
            // Their age when the engine stopped: the last turn may have sent them after the
            // window's end, so `stopped`, not `end`, is the later of the two.
            result_.latency.record(stopped - c.intended_ns);
            if (open_loop_) result_.latency_uncorrected.record(stopped - c.sent_ns);
            ++result_.unfinished;
        }
    }
    if (open_loop_) {
        for (std::uint64_t t = next_schedule_ns(); t < end; t = next_schedule_ns()) {
            if (t >= window_start_) {
                result_.latency.record(end - t);
                ++result_.unfinished;
            }
            ++scheduled_;
        }
    }
}

void Engine::start_connect(Connection& c) {
    c.fd = socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        fail(c, &ErrorCounts::refused, std::string("socket: ") + std::strerror(errno));
        return;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.connect_start_ns = mono_ns();
    c.deadline_ns = c.connect_start_ns + config_.connect_timeout_ns;
    c.state = Connection::State::Connecting;
    c.requests_on_connection = 0;
    c.last_incr.clear();
    ++c.generation;
    epoll_event ev{};
    ev.events = EPOLLOUT;  // writable: the connect is done (or failed)
    ev.data.u64 = c.slot;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev);
    c.interest = ev.events;
    int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), address_len_);
    if (rc != 0 && errno != EINPROGRESS) {
        fail(c, &ErrorCounts::refused, std::string("connect: ") + std::strerror(errno));
    }
}

void Engine::on_connected(Connection& c) {
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) {
        fail(c, &ErrorCounts::refused, std::string("connect: ") + std::strerror(error));
        return;
    }
    std::uint64_t now = mono_ns();
    if (in_window(now)) result_.connect.record(now - c.connect_start_ns);
    if (!c.ever_connected) {
        c.ever_connected = true;
        if (++ever_connected_ == connections_.size()) result_.all_connected_ns = now - start_;
    }
    become_idle(c);
}

std::uint64_t Engine::count_connected() const {
    return static_cast<std::uint64_t>(
        std::count_if(connections_.begin(), connections_.end(), [](const Connection& c) {
            return c.state != Connection::State::Connecting && c.state != Connection::State::Closed;
        }));
}

// A connection with nothing in flight: closed loop sends at once (or after think time);
// open loop waits for the schedule.
void Engine::become_idle(Connection& c) {
    c.state = Connection::State::Idle;
    c.deadline_ns = 0;
    ++c.generation;
    set_interest(c);
    std::uint64_t think_ns =
        c.idle ? config_.workload.idle->think_time_ns : config_.workload.think_time_ns;
    if (open_loop_) {
        idle_.push_back(c.slot);
    } else if (think_ns > 0 && c.requests_on_connection > 0) {
        c.state = Connection::State::Pausing;
        add_timer(c, mono_ns() + think_ns);
    } else if (c.idle) {
        // An idle connection's first request waits a random part of its think time, so the
        // idle set's requests spread out instead of coming in the groups it connected in.
        c.state = Connection::State::Pausing;
        add_timer(c, mono_ns() + std::uniform_int_distribution<std::uint64_t>(0, think_ns)(rng_));
    } else {
        begin_request(c);
    }
}

// The text of an ECHO of n bytes: letters, so that neither protocol has to escape it.
std::string echo_text(std::uint64_t n) {
    std::string text;
    for (std::uint64_t i = 0; i < n; ++i) {
        text += static_cast<char>('A' + static_cast<char>(i % 26));
    }
    return text;
}

// The path and query of the HTTP GET that stands for `spec`'s request (INCR, WAIT, POST: on
// key k<key>; POST's value is c<slot>).
std::string http_target(const RequestSpec& spec, std::uint64_t key, std::size_t slot) {
    std::string k = "k";
    k += std::to_string(key);
    switch (spec.kind) {
        case RequestSpec::Kind::Ping:
            return "/ping";
        case RequestSpec::Kind::Echo:
            return "/echo?text=" + echo_text(spec.echo_bytes);
        case RequestSpec::Kind::Work:
            return "/work?cpu_us=" + std::to_string(spec.cpu_us) +
                   "&io_ms=" + std::to_string(spec.io_ms) +
                   "&bytes=" + std::to_string(spec.reply_bytes);
        case RequestSpec::Kind::Incr:
            return "/incr?key=" + k;
        case RequestSpec::Kind::Query:
            return "/query?ms=" + std::to_string(spec.query_ms) +
                   "&rows=" + std::to_string(spec.rows);
        case RequestSpec::Kind::Wait:
            return "/wait?key=" + k + "&timeout_ms=" + std::to_string(spec.timeout_ms);
        case RequestSpec::Kind::Post:
            return "/post?key=" + k + "&value=c" + std::to_string(slot);
    }
    return "/";
}

// The LABP/1 request line of `spec` (with its LF), as http_target has it.
std::string labp_line(const RequestSpec& spec, std::uint64_t key, std::size_t slot) {
    std::string k = "k";
    k += std::to_string(key);
    switch (spec.kind) {
        case RequestSpec::Kind::Ping:
            return "PING\n";
        case RequestSpec::Kind::Echo:
            return "ECHO " + echo_text(spec.echo_bytes) + "\n";
        case RequestSpec::Kind::Work:
            return "WORK " + std::to_string(spec.cpu_us) + " " + std::to_string(spec.io_ms) + " " +
                   std::to_string(spec.reply_bytes) + "\n";
        case RequestSpec::Kind::Incr:
            return "INCR " + k + "\n";
        case RequestSpec::Kind::Query:
            return "QUERY " + std::to_string(spec.query_ms) + " " + std::to_string(spec.rows) +
                   "\n";
        case RequestSpec::Kind::Wait:
            return "WAIT " + k + " " + std::to_string(spec.timeout_ms) + "\n";
        case RequestSpec::Kind::Post:
            return "POST " + k + " c" + std::to_string(slot) + "\n";
    }
    return "\n";
}

// Writes the request of `spec` (INCR, WAIT, POST: for `key`; POST: from `slot`) into `text`,
// replacing what was there.
void Engine::write_request(const RequestSpec& spec, std::uint64_t key, std::size_t slot,
                           std::string& text) const {
    if (!config_.http) {
        text = labp_line(spec, key, slot);
        return;
    }
    // The same request as an HTTP/1.1 GET.
    text = "GET ";
    text += http_target(spec, key, slot);
    text += " HTTP/1.1\r\nHost: ";
    text += config_.host;
    text += "\r\n\r\n";
}

// The reply line a request of `spec` expects (HTTP: the body, what follows "OK "); empty for
// INCR, WAIT and POST, whose replies are checked otherwise (check_text_reply), and for an HTTP
// QUERY, whose body is its rows.
std::string Engine::reply_line_of(const RequestSpec& spec) const {
    std::string line = config_.http ? "" : "OK ";
    switch (spec.kind) {
        case RequestSpec::Kind::Ping:
            line += "PONG";
            break;
        case RequestSpec::Kind::Echo:
            line += echo_text(spec.echo_bytes);
            break;
        case RequestSpec::Kind::Work:
            line += std::to_string(spec.reply_bytes);
            break;
        case RequestSpec::Kind::Query:
            if (config_.http) return "";
            line += std::to_string(spec.rows);
            break;
        case RequestSpec::Kind::Incr:
        case RequestSpec::Kind::Wait:
        case RequestSpec::Kind::Post:
            return "";
    }
    return line;
}

// Sends the next request on c. Its latency counts from `scheduled_ns` in the open loop, and
// in the closed loop from now, when it is sent.
void Engine::begin_request(Connection& c, std::uint64_t scheduled_ns) {
    std::uint64_t pick = std::uniform_int_distribution<std::uint64_t>(0, total_weight_ - 1)(rng_);
    std::size_t index = 0;
    while (pick >= config_.workload.mix[index].weight)
        pick -= config_.workload.mix[index++].weight;
    const RequestSpec& spec = config_.workload.mix[index];
    c.expect = Expected{};
    c.expect.kind = spec.kind;
    if (spec.kind == RequestSpec::Kind::Incr || spec.kind == RequestSpec::Kind::Wait ||
        spec.kind == RequestSpec::Kind::Post) {
        c.expect.key = std::uniform_int_distribution<std::uint64_t>(0, spec.keys - 1)(rng_);
        write_request(spec, c.expect.key, c.slot, c.out);
        // Known before it is sent: a WAIT may be woken by it before its reply comes back.
        if (spec.kind == RequestSpec::Kind::Post) posted_[c.expect.key].insert(c.slot);
    } else {
        c.out = prepared_[index].text;  // a copy into c.out's buffer: no allocation
        c.expect.line = &prepared_[index].reply_line;
        if (spec.kind == RequestSpec::Kind::Work) c.expect.body_bytes = spec.reply_bytes;
        if (spec.kind == RequestSpec::Kind::Query)
            c.expect.body_bytes = spec.rows * kQueryReplyRowBytes;
    }
    c.out_sent = 0;
    c.line.clear();
    c.in_body = false;
    c.http_error = nullptr;
    c.sent_ns = mono_ns();
    c.intended_ns = open_loop_ ? scheduled_ns : c.sent_ns;
    c.deadline_ns = c.sent_ns + config_.workload.request_timeout_ns;
    c.state = Connection::State::Sending;
    ++c.generation;
    send_more(c);
}

void Engine::send_more(Connection& c) {
    while (c.out_sent < c.out.size()) {
        std::size_t n = c.out.size() - c.out_sent;
        if (c.slow && config_.workload.slow->write_chunk_bytes > 0) {
            n = std::min<std::size_t>(n, config_.workload.slow->write_chunk_bytes);
        }
        ssize_t sent = send(c.fd, c.out.data() + c.out_sent, n, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            fail(c, &ErrorCounts::reset, std::string("send: ") + std::strerror(errno));
            return;
        }
        c.out_sent += static_cast<std::size_t>(sent);
        if (c.slow && config_.workload.slow->write_pause_ns > 0 && c.out_sent < c.out.size()) {
            add_timer(c, mono_ns() + config_.workload.slow->write_pause_ns);
            set_interest(c);  // no EPOLLOUT while pausing: the timer resumes sending
            return;
        }
    }
    if (c.out_sent == c.out.size()) c.state = Connection::State::Waiting;
    set_interest(c);
}

void Engine::read_more(Connection& c) {
    if (c.fd < 0 || c.read_paused) return;
    char buffer[kReadBuffer];
    std::size_t want = sizeof buffer;
    if (c.slow && config_.workload.slow->read_chunk_bytes > 0) {
        want = std::min<std::size_t>(want, config_.workload.slow->read_chunk_bytes);
    }
    ssize_t got = recv(c.fd, buffer, want, 0);
    if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        fail(c, &ErrorCounts::reset, std::string("recv: ") + std::strerror(errno));
        return;
    }
    if (c.state == Connection::State::Idle || c.state == Connection::State::Pausing) {
        // No request in flight (connected and waiting for its turn, or thinking), yet the
        // server speaks or closes: it may do so on its own, in LABP/1 form before a first
        // request whatever the protocol (shared/PROTOCOL.md), and then it closes.
        std::string_view text(buffer, static_cast<std::size_t>(got));
        if (got == 0 || text.starts_with("ERR 408") || text.starts_with("HTTP/1.1 408")) {
            // Its --idle-timeout (a think time longer than that): not an error of any
            // request. Reconnect quietly.
            close_connection(c);
            start_connect(c);
            return;
        }
        if (text.starts_with("ERR 503") || text.starts_with("HTTP/1.1 503")) {
            // Refused over its capacity at once, before this connection's first request (an
            // idle client pausing, an open-loop one waiting for the schedule).
            fail(c, &ErrorCounts::refused, std::string(text.substr(0, text.find('\n'))));
            return;
        }
    }
    if (got == 0) {
        fail(c, &ErrorCounts::reset, "the server closed the connection mid-request");
        return;
    }
    if (!consume(c, buffer, static_cast<std::size_t>(got))) return;
    if (c.slow && config_.workload.slow->read_pause_ns > 0 && c.fd >= 0 &&
        c.state == Connection::State::Waiting) {
        c.read_paused = true;
        set_interest(c);
        add_timer(c, mono_ns() + config_.workload.slow->read_pause_ns);
    }
}

// Waits for socket events for at most timeout_ns. epoll_pwait2 takes the timeout in
// nanoseconds, so an open-loop request due in 300 µs goes out then, not a millisecond later
// as epoll_wait's whole milliseconds would have it; kernels before 5.11 lack it (ENOSYS) and
// get epoll_wait, rounded up to the next millisecond.
int Engine::wait_events(epoll_event* events, std::uint64_t timeout_ns) {
    if (!no_pwait2_) {
        timespec timeout{static_cast<time_t>(timeout_ns / 1'000'000'000),
                         static_cast<long>(timeout_ns % 1'000'000'000)};
        int n = epoll_pwait2(epoll_fd_, events, kMaxEvents, &timeout, nullptr);
        if (n >= 0 || errno != ENOSYS) return n;
        no_pwait2_ = true;
    }
    return epoll_wait(epoll_fd_, events, kMaxEvents,
                      static_cast<int>((timeout_ns + 999'999) / 1'000'000));
}

// Feeds received bytes to the reply parser; returns false if the connection was closed.
bool Engine::consume(Connection& c, const char* data, std::size_t n) {
    if (config_.http) return consume_http(c, data, n);
    while (n > 0) {
        if (c.state != Connection::State::Waiting && c.state != Connection::State::Sending) {
            fail(c, &ErrorCounts::wrong_reply, "bytes arrived with no request in flight");
            return false;
        }
        if (c.in_body) {
            // Check the body (WORK's pattern, QUERY's rows) as it streams by.
            std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, c.body_left));
            if (!check_body(c, data, take)) return false;
            c.body_offset += take;
            c.body_left -= take;
            data += take;
            n -= take;
            if (c.body_left == 0) {
                if (!finish_and_check_rest(c, n)) return false;
            }
            continue;
        }
        const char* lf = static_cast<const char*>(std::memchr(data, '\n', n));
        std::size_t take = lf ? static_cast<std::size_t>(lf - data) : n;
        if (c.line.size() + take > kMaxReplyLine) {
            fail(c, &ErrorCounts::wrong_reply, "a reply line over 4096 bytes");
            return false;
        }
        c.line.append(data, take);
        data += take;
        n -= take;
        if (!lf) break;
        ++data;  // the LF
        --n;
        if (!take_reply_line(c, n)) return false;
    }
    return true;
}

// A whole LABP/1 reply line is in c.line, and `rest` bytes follow it in this read: an ERR
// (kept, or the connection's end), or a line checked against the request, then its body or
// the reply's end. False if the connection was closed or failed.
bool Engine::take_reply_line(Connection& c, std::size_t rest) {
    using Kind = RequestSpec::Kind;
    if (c.line.starts_with("ERR ")) {
        std::string_view line(c.line);
        std::string_view code = line.substr(4, 3);
        const KeptError* kept =
            line.size() > 8 ? kept_error(c.expect.kind, code, line.substr(8)) : nullptr;
        if (kept) return keep_after_error(c, *kept, rest);
        fail(c, code == "503" ? &ErrorCounts::refused : &ErrorCounts::server_err, c.line);
        return false;
    }
    Kind kind = c.expect.kind;
    if (kind == Kind::Incr || kind == Kind::Wait || kind == Kind::Post) {
        // OK and a text of its own: a counter, the value waited for, waiters woken.
        if (!c.line.starts_with("OK ")) {
            fail(c, &ErrorCounts::wrong_reply, "reply '" + c.line + "' is not OK");
            return false;
        }
        if (!check_text_reply(c, std::string_view(c.line).substr(3), c.line)) return false;
    } else if (!check_text_reply(c, c.line, c.line)) {
        return false;
    }
    if (c.expect.body_bytes > 0) {
        c.in_body = true;
        c.body_left = c.expect.body_bytes;
        c.body_offset = 0;
        return true;
    }
    return finish_and_check_rest(c, rest);
}

// Checks body bytes at the body's current offset: QUERY's rows, or WORK's pattern.
bool Engine::check_body(Connection& c, const char* data, std::size_t take) {
    if (c.expect.kind == RequestSpec::Kind::Query) return check_rows(c, data, take);
    return check_pattern(c, data, take);
}

// Checks QUERY body bytes (at the body's current offset) against the lab's rows, a copy of
// harness/db/schema.sql's: row i (from 1) is i as six digits, a space, 92 times the letter
// 'a' + i % 26, and a LF (kQueryReplyRowBytes in all).
bool Engine::check_rows(Connection& c, const char* data, std::size_t take) {
    for (std::size_t i = 0; i < take; ++i) {
        std::uint64_t at = c.body_offset + i;
        std::uint64_t row = at / kQueryReplyRowBytes + 1;
        std::uint64_t column = at % kQueryReplyRowBytes;
        char want = static_cast<char>('a' + row % 26);
        if (column < 6) {
            std::uint64_t power = 1;
            for (std::uint64_t k = column; k < 5; ++k)
                power *= 10;
            want = static_cast<char>('0' + row / power % 10);
        } else if (column == 6) {
            want = ' ';
        } else if (column == kQueryReplyRowBytes - 1) {
            want = '\n';
        }
        if (data[i] != want) {
            fail(c, &ErrorCounts::wrong_reply,
                 "QUERY row " + std::to_string(row) + " byte " + std::to_string(column) +
                     " is wrong");
            return false;
        }
    }
    return true;
}

// Checks WORK body bytes (at the body's current offset) against the pattern.
bool Engine::check_pattern(Connection& c, const char* data, std::size_t take) {
    for (std::size_t i = 0; i < take; ++i) {
        char want = static_cast<char>('a' + (c.body_offset + i) % 26);
        if (data[i] != want) {
            fail(c, &ErrorCounts::wrong_reply,
                 "WORK body byte " + std::to_string(c.body_offset + i) + " is wrong");
            return false;
        }
    }
    return true;
}

// A text reply (LABP/1: the line; HTTP: the body) against what the request expects: the
// exact text, or for INCR a number above the last one this connection saw for the key.
// `shown` is what an error message quotes (the whole reply line, for LABP/1).
bool Engine::check_text_reply(Connection& c, std::string_view text, std::string_view shown) {
    switch (c.expect.kind) {
        case RequestSpec::Kind::Incr:
            return check_incr(c, text, shown);
        case RequestSpec::Kind::Wait:
            return check_wait_value(c, text);
        case RequestSpec::Kind::Post:
            // The waiters it woke: a number (how many were waiting is the server's to know).
            if (text.empty() || text.size() > 18 ||
                !std::all_of(text.begin(), text.end(),
                             [](char ch) { return ch >= '0' && ch <= '9'; })) {
                std::string why = "POST reply '";
                why += shown.substr(0, 60);
                why += "' is not a count of waiters";
                fail(c, &ErrorCounts::wrong_reply, why);
                return false;
            }
            return true;
        default:
            break;
    }
    std::string_view expected = *c.expect.line;
    if (text != expected) {
        std::string why = "expected '";
        why += expected.substr(0, 60);
        why += "', got '";
        why += shown.substr(0, 60);
        why += "'";
        fail(c, &ErrorCounts::wrong_reply, why);
        return false;
    }
    return true;
}

// INCR: a number above the last one this connection saw for the key.
bool Engine::check_incr(Connection& c, std::string_view text, std::string_view shown) {
    std::uint64_t value = 0;
    bool ok = !text.empty();
    for (std::size_t i = 0; ok && i < text.size(); ++i) {
        ok = text[i] >= '0' && text[i] <= '9' && value < 1'000'000'000'000'000;
        if (ok) value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    }
    std::uint64_t& last = c.last_incr[c.expect.key];
    if (!ok || value <= last) {
        std::string why = "INCR reply '";
        why += shown.substr(0, 60);
        why += "' is not above ";
        why += std::to_string(last);
        fail(c, &ErrorCounts::wrong_reply, why);
        return false;
    }
    last = value;
    return true;
}

// WAIT: the value of a POST to the same key, so c<slot> of a slot that has posted to it.
bool Engine::check_wait_value(Connection& c, std::string_view text) {
    std::size_t slot = 0;
    bool ok = text.size() >= 2 && text.size() <= 7 && text[0] == 'c';
    for (std::size_t i = 1; ok && i < text.size(); ++i) {
        ok = text[i] >= '0' && text[i] <= '9';
        if (ok) slot = slot * 10 + static_cast<std::size_t>(text[i] - '0');
    }
    if (ok && posted_[c.expect.key].contains(slot)) return true;
    std::string why = "WAIT k" + std::to_string(c.expect.key) + " got '";
    why += text.substr(0, 60);
    why += "', a value no POST to that key sent";
    fail(c, &ErrorCounts::wrong_reply, why);
    return false;
}

// HTTP replies: a head (status line and headers, up to the blank line), then exactly
// Content-Length bytes of body: the WORK pattern, QUERY's rows, or a text compared whole.
bool Engine::consume_http(Connection& c, const char* data, std::size_t n) {
    while (n > 0) {
        if (c.state != Connection::State::Waiting && c.state != Connection::State::Sending) {
            fail(c, &ErrorCounts::wrong_reply, "bytes arrived with no request in flight");
            return false;
        }
        if (!c.in_body) {
            std::size_t before = c.line.size();
            std::size_t take = std::min(n, kMaxHttpHead - before);
            c.line.append(data, take);
            std::size_t end = c.line.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
            if (end == std::string::npos) {
                if (c.line.size() >= kMaxHttpHead) {
                    fail(c, &ErrorCounts::wrong_reply, "an HTTP reply head over 8192 bytes");
                    return false;
                }
                data += take;
                n -= take;
                continue;
            }
            std::size_t used = end + 4 - before;
            data += used;
            n -= used;
            c.line.resize(end + 4);
            if (!check_http_head(c, c.line)) return false;
            c.line.clear();  // the body goes here now (clear() keeps the buffer for the next)
            if (c.body_left == 0 && !finish_http_body(c, n)) return false;
            continue;
        }
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, c.body_left));
        if (c.body_is_text) {
            c.line.append(data, take);
        } else if (!check_body(c, data, take)) {
            return false;
        }
        c.body_offset += take;
        c.body_left -= take;
        data += take;
        n -= take;
        if (c.body_left == 0 && !finish_http_body(c, n)) return false;
    }
    return true;
}

// Whether `text` is `lower` (given in lower case) in any case, as HTTP compares header
// names and tokens. ASCII only, no locale: this runs for every header of every reply.
bool equals_in_any_case(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        if (ch != lower[i]) return false;
    }
    return true;
}

// Whether `text` contains `lower` in any case.
bool contains_in_any_case(std::string_view text, std::string_view lower) {
    for (std::size_t at = 0; at + lower.size() <= text.size(); ++at) {
        if (equals_in_any_case(text.substr(at, lower.size()), lower)) return true;
    }
    return false;
}

// The headers of `head` from `pos` (after the status line) to the blank line.
HttpHeaders parse_headers(std::string_view head, std::size_t pos) {
    HttpHeaders h;
    while (pos + 2 < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        std::string_view header = head.substr(pos, eol - pos);
        pos = eol + 2;
        std::size_t colon = header.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = header.substr(0, colon);
        std::string_view value = header.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        if (equals_in_any_case(name, "content-length")) {
            bool good = !value.empty() && value.size() <= 12;  // 12 digits: no overflow
            std::uint64_t length = 0;
            for (std::size_t i = 0; good && i < value.size(); ++i) {
                good = value[i] >= '0' && value[i] <= '9';
                length = length * 10 + static_cast<std::uint64_t>(value[i] - '0');
            }
            h.length = good ? std::optional(length) : std::nullopt;
        } else if (equals_in_any_case(name, "connection") && contains_in_any_case(value, "close")) {
            h.closes = true;
        }
    }
    return h;
}

// The status line and headers (`head`, up to and with the blank line): 200 and a
// Content-Length, or an error (a kept one's body is read next: expect_http_error_body). Sets
// up the body (c.in_body, c.body_left, c.body_is_text) and c.server_closes.
bool Engine::check_http_head(Connection& c, std::string_view head) {
    std::string_view status_line = head.substr(0, head.find("\r\n"));
    if (!(status_line.starts_with("HTTP/1.1 ") || status_line.starts_with("HTTP/1.0 ")) ||
        status_line.size() < 12) {
        std::string why = "not an HTTP status line: '";
        why += status_line.substr(0, 60);
        why += "'";
        fail(c, &ErrorCounts::wrong_reply, why);
        return false;
    }
    HttpHeaders h = parse_headers(head, status_line.size() + 2);
    c.server_closes = h.closes;
    std::string_view code = status_line.substr(9, 3);
    if (code != "200") {
        if (expect_http_error_body(c, code, h)) return true;
        fail(c, code == "503" ? &ErrorCounts::refused : &ErrorCounts::server_err,
             std::string(status_line));
        return false;
    }
    if (!h.length) {
        fail(c, &ErrorCounts::wrong_reply, "an HTTP reply without a Content-Length");
        return false;
    }
    std::uint64_t length = *h.length;
    c.in_body = true;
    c.body_left = length;
    c.body_offset = 0;
    c.body_is_text =
        c.expect.kind != RequestSpec::Kind::Work && c.expect.kind != RequestSpec::Kind::Query;
    if (c.body_is_text && length > kMaxReplyLine) {
        fail(c, &ErrorCounts::wrong_reply, "an HTTP text body over 4096 bytes");
        return false;
    }
    if (!c.body_is_text && length != c.expect.body_bytes) {
        bool work = c.expect.kind == RequestSpec::Kind::Work;
        fail(
            c, &ErrorCounts::wrong_reply,
            "Content-Length " + std::to_string(length) + (work ? " for a WORK of " : " for ") +
                (work ? std::to_string(c.expect.body_bytes) + " bytes"
                      : std::to_string(c.expect.body_bytes / kQueryReplyRowBytes) + " QUERY rows"));
        return false;
    }
    return true;
}

// A status that may be a kept error of this request's kind, on a connection the server keeps
// (no Connection: close) and with a text body: sets up that body's reading, whose text says
// whether it is the kept error (finish_http_body). False for any other error status.
bool Engine::expect_http_error_body(Connection& c, std::string_view code, const HttpHeaders& h) {
    for (const KeptError& kept : kKeptErrors) {
        if (kept.kind != c.expect.kind || kept.code != code || h.closes || !h.length ||
            *h.length > kMaxReplyLine) {
            continue;
        }
        c.http_error = &kept;
        c.in_body = true;
        c.body_left = *h.length;
        c.body_offset = 0;
        c.body_is_text = true;
        return true;
    }
    return false;
}

// An HTTP reply's body is complete, `rest` bytes after it: a kept error's message, a text
// reply, or a body checked as it came.
bool Engine::finish_http_body(Connection& c, std::size_t rest) {
    if (c.http_error != nullptr) {
        const KeptError& kept = *c.http_error;
        if (c.line == kept.message) return keep_after_error(c, kept, rest);
        std::string why = "HTTP ";
        why += kept.code;
        why += " ";
        why += std::string_view(c.line).substr(0, 60);
        fail(c, kept.code == "503" ? &ErrorCounts::refused : &ErrorCounts::server_err, why);
        return false;
    }
    if (c.body_is_text && !check_text_reply(c, c.line, c.line)) return false;
    return finish_and_check_rest(c, rest);
}

// A reply is complete. With one request in flight, no byte can follow it in the same read:
// the next request is only sent now. Bytes that do are an extra reply: the server is wrong.
bool Engine::finish_and_check_rest(Connection& c, std::size_t rest) {
    if (rest > 0) {
        fail(c, &ErrorCounts::wrong_reply,
             "bytes after a complete reply, with no request in flight");
        return false;
    }
    finish_request(c);
    return c.fd >= 0;
}

void Engine::finish_request(Connection& c) {
    std::uint64_t now = mono_ns();
    if (in_window(c.intended_ns) && now <= window_end_) {
        result_.latency.record(now - c.intended_ns);
        if (open_loop_) result_.latency_uncorrected.record(now - c.sent_ns);
        ++result_.requests;
        ++result_.per_connection_requests[c.slot];
        if (c.idle) ++result_.idle_requests;
    }
    c.line.clear();
    c.in_body = false;
    c.body_is_text = false;
    // Only a good reply ends the back-off: a server that accepts and then refuses (ERR 503)
    // must not be retried at once.
    c.backoff_ns = kBackoffMinNs;
    next_request_after(c);
}

// A request is answered: the next one on this connection, or (after requests_per_connection,
// or when the server closes) on a new connection.
void Engine::next_request_after(Connection& c) {
    ++c.requests_on_connection;
    std::uint64_t limit = config_.workload.requests_per_connection;
    if ((limit != 0 && c.requests_on_connection >= limit) || c.server_closes) {
        close_connection(c);  // then reconnect: a new client takes this one's place
        start_connect(c);
        return;
    }
    become_idle(c);
}

// A kept error (kKeptErrors) is the whole reply, `rest` bytes after it: it counts as its own
// kind of error, not as a request, and the connection goes on as the server's does, without
// a reconnect. A database that does not answer is given time: in the closed loop the next
// request waits the connection's back-off first (10 ms doubling to 1 s, with jitter), as a
// reconnect after a refusal does; the open loop's schedule paces its requests itself.
bool Engine::keep_after_error(Connection& c, const KeptError& kept, std::size_t rest) {
    if (rest > 0) {
        fail(c, &ErrorCounts::wrong_reply,
             "bytes after a complete reply, with no request in flight");
        return false;
    }
    std::uint64_t now = mono_ns();
    if (in_window(now)) ++(result_.errors.*kept.count);
    c.line.clear();
    c.in_body = false;
    c.body_is_text = false;
    c.http_error = nullptr;
    std::uint64_t limit = config_.workload.requests_per_connection;
    bool reconnects = (limit != 0 && c.requests_on_connection + 1 >= limit) || c.server_closes;
    if (!kept.back_off || open_loop_ || reconnects) {
        next_request_after(c);
        return c.fd >= 0;
    }
    ++c.requests_on_connection;
    c.state = Connection::State::Pausing;
    c.deadline_ns = 0;
    ++c.generation;
    set_interest(c);
    std::uint64_t jitter = std::uniform_int_distribution<std::uint64_t>(0, c.backoff_ns / 2)(rng_);
    add_timer(c, now + c.backoff_ns + jitter);
    c.backoff_ns = std::min(c.backoff_ns * 2, kBackoffMaxNs);
    return true;
}

void Engine::fail(Connection& c, std::uint64_t ErrorCounts::*kind, const std::string& why) {
    std::uint64_t now = mono_ns();
    if (in_window(now)) {
        ++(result_.errors.*kind);
        if (kind == &ErrorCounts::wrong_reply && result_.first_wrong_reply.empty()) {
            result_.first_wrong_reply = why;
        }
    }
    // A request that was owed in the open loop is given up: its slot in the schedule is not
    // retried, it is an error.
    close_connection(c);
    // Back off before reconnecting, doubling up to a second, with jitter, so that refused or
    // failing connects do not storm the server.
    c.state = Connection::State::Closed;
    std::uint64_t jitter = std::uniform_int_distribution<std::uint64_t>(0, c.backoff_ns / 2)(rng_);
    add_timer(c, now + c.backoff_ns + jitter);
    c.backoff_ns = std::min(c.backoff_ns * 2, kBackoffMaxNs);
}

void Engine::close_connection(Connection& c) {
    if (c.fd >= 0) {
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = -1;
    }
    if (open_loop_) std::erase(idle_, c.slot);
    c.state = Connection::State::Closed;
    c.interest = 0;
    c.read_paused = false;
    c.deadline_ns = 0;
    ++c.generation;
}

// Tells epoll which events c waits for now: readable unless a slow client pauses its reads,
// and writable only while a request is still partly unsent (the socket buffer was full) and
// not in a slow client's write pause. A request fits in the buffer nearly always, so most
// requests never ask for EPOLLOUT, and epoll is told only when the events change: a request
// and its reply then cost no epoll_ctl at all.
void Engine::set_interest(Connection& c) {
    if (c.fd < 0) return;
    epoll_event ev{};
    ev.data.u64 = c.slot;
    if (!c.read_paused) ev.events |= EPOLLIN;
    if (c.state == Connection::State::Connecting) ev.events = EPOLLOUT;
    bool pausing_write = c.slow && c.state == Connection::State::Sending &&
                         config_.workload.slow->write_pause_ns > 0 && c.out_sent > 0;
    if (c.state == Connection::State::Sending && !pausing_write) ev.events |= EPOLLOUT;
    if (ev.events == c.interest) return;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.interest = ev.events;
}

void Engine::add_timer(Connection& c, std::uint64_t at_ns) {
    timers_.push(Timer{at_ns, c.slot, c.generation});
}

void Engine::run_timers(std::uint64_t now) {
    while (!timers_.empty() && timers_.top().at_ns <= now) {
        Timer t = timers_.top();
        timers_.pop();
        Connection& c = connections_[t.slot];
        if (t.generation != c.generation) continue;  // set for a state the connection left
        switch (c.state) {
            case Connection::State::Closed:
                start_connect(c);  // the back-off is over, or a paced group's turn has come
                break;
            case Connection::State::Pausing:
                begin_request(c);  // think time is over
                break;
            case Connection::State::Sending:
                send_more(c);  // a slow client's write pause is over
                break;
            case Connection::State::Waiting:
                c.read_paused = false;  // a slow client's read pause is over
                set_interest(c);
                read_more(c);
                break;
            default:
                break;
        }
    }
}

void Engine::check_deadlines(std::uint64_t now) {
    for (Connection& c : connections_) {
        if (c.deadline_ns == 0 || now < c.deadline_ns) continue;
        if (c.state == Connection::State::Connecting && in_window(now)) {
            ++result_.connect_timeouts;  // counted in errors.timeout too, by fail()
        }
        if (c.state == Connection::State::Connecting || c.state == Connection::State::Sending ||
            c.state == Connection::State::Waiting) {
            fail(c, &ErrorCounts::timeout,
                 c.state == Connection::State::Connecting ? "connect timeout" : "request timeout");
        }
    }
}

std::uint64_t Engine::next_schedule_ns() const {
    // Request k is due at start + k / rate: a fixed schedule that does not wait for replies.
    return start_ +
           static_cast<std::uint64_t>(static_cast<double>(scheduled_) * 1e9 / config_.rate_rps);
}

void Engine::dispatch_open_loop(std::uint64_t now) {
    // A request whose time has come goes out on a free connection. If none is free it waits,
    // and its latency keeps counting from its scheduled time (coordinated omission).
    while (!idle_.empty() && next_schedule_ns() <= now) {
        std::size_t slot = idle_.back();
        idle_.pop_back();
        std::uint64_t due = next_schedule_ns();
        ++scheduled_;
        begin_request(connections_[slot], due);
    }
}

}  // namespace

EngineResult run_engine(const EngineConfig& config, const EngineHooks& hooks,
                        const std::atomic<bool>& interrupted) {
    Engine engine(config, hooks, interrupted);
    return engine.run();
}

double jain_fairness(const std::vector<std::uint64_t>& counts) {
    if (counts.empty()) return 1.0;
    double sum = 0;
    double squares = 0;
    for (std::uint64_t c : counts) {
        sum += static_cast<double>(c);
        squares += static_cast<double>(c) * static_cast<double>(c);
    }
    if (squares == 0) return 1.0;
    return sum * sum / (static_cast<double>(counts.size()) * squares);
}

}  // namespace lab
