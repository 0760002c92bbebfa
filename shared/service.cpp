// Request execution and the STATS object. See service.hpp.
#include "service.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "accept_queue.hpp"
#include "clock.hpp"
#include "trace.hpp"

namespace lab {

static_assert(static_cast<int>(trace::Phase::Queue) == static_cast<int>(Blocking::Queue) &&
                  static_cast<int>(trace::Phase::Accept) == static_cast<int>(Blocking::Accept),
              "trace phases begin with the blocking kinds, in the same order");
static_assert(kMaxTableKeys == kMaxKeys, "the INCR table holds exactly the protocol's key limit");

namespace {

nlohmann::json rusage_json(const Rusage& r) {
    return {{"user_s", static_cast<double>(r.user_us) / 1e6},
            {"system_s", static_cast<double>(r.system_us) / 1e6},
            {"voluntary_ctx_switches", r.voluntary_ctx_switches},
            {"involuntary_ctx_switches", r.involuntary_ctx_switches},
            {"max_rss_kb", r.max_rss_kb}};
}

}  // namespace

std::uint64_t Server::idle_deadline_ns() const {
    if (settings.idle_timeout_s == 0) return 0;
    return mono_ns() + settings.idle_timeout_s * 1'000'000'000;
}

void burn_cpu(std::uint64_t cpu_us) {
    if (cpu_us == 0) return;
    std::uint64_t end = thread_cpu_ns() + cpu_us * 1000;
    volatile std::uint64_t sink = 0;  // real work the compiler may not remove
    while (thread_cpu_ns() < end) {
        for (int i = 0; i < 256; ++i)
            sink = sink + static_cast<std::uint64_t>(i);
    }
}

void count_error(Server& server, bool was_request) {
    if (was_request) add(server.stats->requests, 1);
    add(server.stats->errors, 1);
}

Response execute(const Request& request, Server& server) {
    StatsBlock& stats = *server.stats;
    add(stats.requests, 1);
    Response response;
    switch (request.command) {
        case Command::Ping:
            response.reply = ok_reply("PONG");
            break;
        case Command::Echo:
            response.reply = ok_reply(request.text);
            break;
        case Command::Work: {
            {
                trace::Span span(trace::Phase::Cpu);
                burn_cpu(request.cpu_us);
            }
            response.io_wait_ms = request.io_ms;
            response.reply = ok_reply(std::to_string(request.reply_bytes));
            response.reply.body_bytes = request.reply_bytes;
            break;
        }
        case Command::Incr: {
            std::uint64_t value = 0;
            if (incr_key(stats, request.text, value, server.settings.table_locking) ==
                TableResult::Full) {
                response.reply = error_reply(ErrorCode::OverLimit, "too many keys (1024)");
            } else {
                response.reply = ok_reply(std::to_string(value));
            }
            break;
        }
        case Command::Get:
            response.reply = ok_reply(
                std::to_string(get_key(stats, request.text, server.settings.table_locking)));
            break;
        case Command::Stats:
            response.reply = ok_reply(stats_json(stats));
            break;
        case Command::Quit:
            response.reply = ok_reply("BYE");
            response.reply.close_after = true;
            break;
        case Command::Query:
            response.then = Response::Then::Query;
            response.request = request;
            break;
        case Command::Wait:
            response.then = Response::Then::Wait;
            response.request = request;
            break;
        case Command::Post:
            response.then = Response::Then::Post;
            response.request = request;
            break;
    }
    if (!response.reply.ok) add(stats.errors, 1);
    return response;
}

void complete_deferred(const Reply& reply, Server& server) {
    if (!reply.ok) add(server.stats->errors, 1);
}

void publish_main_rusage(StatsBlock& stats) {
    store_rusage(stats.main_process, read_rusage(RUSAGE_SELF));
}

std::string stats_json(const StatsBlock& stats) {
    bool in_main = getpid() == stats.pid;
    Rusage self = in_main ? read_rusage(RUSAGE_SELF) : load_rusage(stats.main_process);
    nlohmann::json blocking = nlohmann::json::object();
    for (std::size_t i = 0; i < kBlockingNames.size(); ++i) {
        blocking[kBlockingNames[i]] = load(stats.blocking_ns[i]);
    }
    // The queue's waits still in progress count too (a connection may wait all run long).
    QueueReading queue = read_queue(stats, mono_ns());
    blocking["queue"] = queue.wait_ns;
    // Each event loop's own share of the clients (none in the blocking models).
    nlohmann::json loops = nlohmann::json::array();
    for (std::size_t i = 0; i < std::min<std::size_t>(stats.loop_count, kMaxLoops); ++i) {
        const LoopSlot& slot = stats.loops[i];
        loops.push_back({{"connections_accepted", load(slot.connections_accepted)},
                         {"connections_active", load(slot.connections_active)},
                         {"connections_waiting", loop_connections_waiting(stats, i)},
                         {"requests", load(slot.requests)}});
    }
    std::string method = event_method(stats);
    // The coroutines model's frames; null in a model that never made one.
    nlohmann::json coroutines = nullptr;
    if (load(stats.coroutine_frames_made) != 0) {
        coroutines = {{"frames", load(stats.coroutine_frames)},
                      {"frame_bytes", load(stats.coroutine_frame_bytes)},
                      {"frames_made", load(stats.coroutine_frames_made)}};
    }
    nlohmann::json j = {
        {"model", std::string(stats.model)},
        {"event_method", method.empty() ? nlohmann::json(nullptr) : nlohmann::json(method)},
        {"pid", stats.pid},
        {"uptime_s", static_cast<double>(mono_ns() - stats.start_mono_ns) / 1e9},
        {"connections_accepted", load(stats.connections_accepted)},
        {"connections_active", load(stats.connections_active)},
        {"connections_rejected", load(stats.connections_rejected)},
        {"connections_queued", queue.waiting},
        {"requests", load(stats.requests)},
        {"errors", load(stats.errors)},
        {"bytes_in", load(stats.bytes_in)},
        {"bytes_out", load(stats.bytes_out)},
        {"accept_queue", accept_queue_length(static_cast<std::uint16_t>(stats.port))},
        {"blocking_ns", blocking},
        {"table_locks", load(stats.table_locks)},
        {"loops", loops},
        {"coroutines", coroutines},
        {"backend",
         {{"queries", load(stats.backend_queries)},
          {"failures", load(stats.backend_failures)},
          {"query_ns", load(stats.backend_query_ns)},
          {"pool_wait_ns", load(stats.backend_pool_wait_ns)}}},
        {"rusage",
         {{"self", rusage_json(self)},
          {"children", rusage_json(load_rusage(stats.children))},
          {"workers", rusage_json(live_workers_rusage(stats))}}},
    };
    return j.dump();
}

}  // namespace lab
