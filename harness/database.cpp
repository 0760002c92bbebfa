// See database.hpp.
#include "database.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "command.hpp"
#include "proc_sampler.hpp"

namespace lab {
namespace {

using nlohmann::json;

// psql is quick (a connect over a Unix socket and one statement); a database that does not
// answer within this is not read.
inline constexpr std::uint64_t kPsqlTimeoutNs = 5'000'000'000;
// The statement of each reading: max_connections, the client backends of the URI's database
// (psql's own left out), and the checkpointer's pid, a process that lives as long as the
// cluster (its parent is the postmaster).
inline constexpr const char* kReadingSql =
    "SELECT current_setting('max_connections'),"
    " (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()),"
    " (SELECT coalesce(max(pid), 0) FROM pg_stat_activity"
    " WHERE backend_type = 'checkpointer')";

// Runs kReadingSql with psql against `uri`; the reading, or nullopt and why.
std::optional<PsqlReading> run_psql(const std::string& uri, std::string& error) {
    CommandResult done = run_command(
        "psql",
        {"-X", "-q", "-A", "-t", "-F", " ", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", kReadingSql},
        {.timeout_ns = kPsqlTimeoutNs, .max_out = 4096},
        {"PGCONNECT_TIMEOUT=3", "PGAPPNAME=lab-harness"});
    if (done.spawn_error != 0) {
        error = "cannot run psql (install postgresql-client): " +
                std::string(strerror(done.spawn_error));
        return std::nullopt;
    }
    if (done.timed_out) {
        error = "psql did not finish within 5 s";
        return std::nullopt;
    }
    if (!done.succeeded()) {
        error = "psql failed: " + first_line_of(done.err);
        return std::nullopt;
    }
    auto reading = parse_psql_reading(done.out);
    if (!reading) error = "psql printed something else: " + first_line_of(done.out);
    return reading;
}

// A /proc/PID/stat line's comm (between the first '(' and the last ')') and ppid (field 4).
struct CommAndParent {
    std::string comm;
    pid_t ppid = 0;
};
std::optional<CommAndParent> comm_and_parent(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(file, line)) return std::nullopt;
    std::size_t open = line.find('(');
    std::size_t close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
        return std::nullopt;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    long ppid = 0;
    if (!(rest >> state >> ppid)) return std::nullopt;
    return CommAndParent{line.substr(open + 1, close - open - 1), static_cast<pid_t>(ppid)};
}

// The postmaster, the checkpointer's parent, if /proc shows both as postgres processes (a
// database in another pid namespace, or on another machine, does not).
std::optional<pid_t> postmaster_of(pid_t checkpointer, std::string& error) {
    auto child = checkpointer > 0 ? comm_and_parent(checkpointer) : std::nullopt;
    auto parent = child ? comm_and_parent(child->ppid) : std::nullopt;
    if (!child || !parent || child->comm != "postgres" || parent->comm != "postgres") {
        error = "the cluster's processes are not in this machine's /proc: no cpu_s";
        return std::nullopt;
    }
    return child->ppid;
}

// One edge: the cluster's CPU first (it is quick, and the edge is now), then psql.
DbReading read_edge(const std::string& uri, std::optional<pid_t> postmaster) {
    DbReading reading;
    if (postmaster) reading.cpu_s = cluster_cpu_s(*postmaster);
    reading.psql = run_psql(uri, reading.error);
    return reading;
}

json optional_number(const std::optional<std::uint64_t>& value) {
    return value ? json(*value) : json(nullptr);
}

}  // namespace

DbUri harness_db_uri(const char* env_value, const std::string& exe) {
    if (env_value != nullptr) return {env_value, "LAB_DB_URI"};
    std::filesystem::path build =
        std::filesystem::path(exe).parent_path().parent_path().parent_path();
    if (exe.empty() || build.empty()) return {"", "none"};
    std::string file = (build / "db" / "uri").string();
    std::ifstream in(file);
    std::string uri;
    if (!std::getline(in, uri) || uri.empty()) return {"", "none"};
    return {uri, file};
}

DbUri harness_db_uri() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return harness_db_uri(std::getenv("LAB_DB_URI"), ec ? "" : self.string());
}

std::optional<std::string> flag_value(const std::vector<std::string>& args, std::string_view name) {
    std::optional<std::string> value;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == name && i + 1 < args.size()) {
            value = args[++i];
        } else if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
            value = std::string(arg.substr(name.size() + 1));
        }
    }
    return value;
}

DbSettings spawned_db_settings(const std::vector<std::string>& args, const std::string& harness_uri,
                               const json& listed_flags) {
    DbSettings settings;
    if (!listed_flags.is_object() || !listed_flags.contains("--db-pool")) return settings;
    auto own_uri = flag_value(args, "--db");
    settings.uri = own_uri.value_or(harness_uri);
    // Passed even when it is "" (none): the server then has none either, whatever its own
    // default lookup would find (a --server-bin elsewhere finds another build/db/uri).
    settings.passed_by_harness = !own_uri;
    if (auto pool = flag_value(args, "--db-pool")) {
        std::uint64_t n = 0;
        auto [end, ec] = std::from_chars(pool->data(), pool->data() + pool->size(), n);
        if (ec == std::errc() && end == pool->data() + pool->size()) settings.pool = n;
    } else if (const json& pool_flag = listed_flags["--db-pool"];
               pool_flag.contains("default") && pool_flag["default"].is_number_integer() &&
               pool_flag["default"].get<std::int64_t>() > 0) {
        settings.pool = pool_flag["default"].get<std::uint64_t>();
    }
    bool given = false;
    for (const std::string& arg : args) {
        if (arg == "--db-blocking-in-loop" || arg == "--db-blocking-in-loop=true" ||
            arg == "--db-blocking-in-loop=1")
            given = true;
        if (arg == "--db-blocking-in-loop=false" || arg == "--db-blocking-in-loop=0") given = false;
    }
    settings.blocking_in_loop = given;
    return settings;
}

DbSettings connected_db_settings(const std::string& harness_uri) {
    DbSettings settings;
    settings.uri = harness_uri;
    return settings;
}

std::optional<PsqlReading> parse_psql_reading(std::string_view out) {
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.remove_suffix(1);
    std::uint64_t numbers[3] = {};
    for (std::size_t i = 0; i < 3; ++i) {
        std::size_t space = out.find(' ');
        std::string_view field = out.substr(0, space);
        auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), numbers[i]);
        if (field.empty() || ec != std::errc() || end != field.data() + field.size())
            return std::nullopt;
        if ((space == std::string_view::npos) != (i == 2)) return std::nullopt;
        out = i < 2 ? out.substr(space + 1) : std::string_view{};
    }
    return PsqlReading{numbers[0], numbers[1], static_cast<pid_t>(numbers[2])};
}

std::optional<std::uint64_t> reaped_children_ticks(std::string_view stat_line) {
    std::size_t close = stat_line.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    // After comm: field 3 (state) onwards; cutime and cstime are fields 16 and 17.
    std::istringstream rest{std::string(stat_line.substr(close + 1))};
    std::string field;
    std::uint64_t sum = 0;
    for (int number = 3; number <= 17; ++number) {
        if (!(rest >> field)) return std::nullopt;
        if (number < 16) continue;
        std::uint64_t ticks = 0;
        auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
        if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
        sum += ticks;
    }
    return sum;
}

std::optional<double> cluster_cpu_s(pid_t postmaster) {
    auto tree = sample_tree(postmaster, false, false);
    std::ifstream file("/proc/" + std::to_string(postmaster) + "/stat");
    std::string line;
    std::getline(file, line);
    auto reaped = reaped_children_ticks(line);
    if (!tree || !reaped) return std::nullopt;
    double ticks_per_s = static_cast<double>(sysconf(_SC_CLK_TCK));
    return static_cast<double>(tree->user_us + tree->system_us) / 1e6 +
           static_cast<double>(*reaped) / ticks_per_s;
}

DatabaseWatch::DatabaseWatch(DbSettings settings, bool workload_queries)
    : settings_(std::move(settings)), queries_(workload_queries) {}

void DatabaseWatch::prepare() {
    if (!reads()) return;
    auto reading = run_psql(settings_.uri, prepare_error_);
    if (reading) postmaster_ = postmaster_of(reading->checkpointer, prepare_error_);
}

void DatabaseWatch::window_start() {
    if (reads()) start_ = std::async(std::launch::async, read_edge, settings_.uri, postmaster_);
}

void DatabaseWatch::window_end() {
    if (reads()) end_ = read_edge(settings_.uri, postmaster_);
}

json DatabaseWatch::finish() {
    std::optional<DbReading> start;
    if (start_.valid()) start = start_.get();
    return database_json(settings_, queries_, start, end_, prepare_error_);
}

json database_json(const DbSettings& settings, bool workload_queries,
                   const std::optional<DbReading>& start, const std::optional<DbReading>& end,
                   const std::string& error) {
    auto psql_of = [](const std::optional<DbReading>& r) {
        return r && r->psql ? r->psql : std::nullopt;
    };
    auto start_psql = psql_of(start);
    auto end_psql = psql_of(end);
    std::optional<std::uint64_t> max_connections;
    if (start_psql) max_connections = start_psql->max_connections;
    if (!max_connections && end_psql) max_connections = end_psql->max_connections;
    std::optional<double> cpu_s;
    if (start && end && start->cpu_s && end->cpu_s) cpu_s = *end->cpu_s - *start->cpu_s;
    json j = {{"uri", settings.uri.empty() ? json(nullptr) : json(settings.uri)},
              {"passed_by_harness", settings.passed_by_harness},
              {"pool", optional_number(settings.pool)},
              {"blocking_in_loop",
               settings.blocking_in_loop ? json(*settings.blocking_in_loop) : json(nullptr)},
              {"max_connections", optional_number(max_connections)},
              {"backends",
               {{"window_start", start_psql ? json(start_psql->backends) : json(nullptr)},
                {"window_end", end_psql ? json(end_psql->backends) : json(nullptr)}}},
              {"cpu_s", cpu_s ? json(*cpu_s) : json(nullptr)}};
    std::string note;
    if (settings.uri.empty()) {
        note = "no database: not read";
    } else if (!workload_queries) {
        note = "the workload has no QUERY: not read";
    } else if (!start || !end) {
        note = "the run was interrupted before its window opened: not read";
    } else if (!start_psql || !end_psql || !cpu_s) {
        note = !start->error.empty() ? start->error : !end->error.empty() ? end->error : error;
    }
    if (!note.empty()) j["note"] = note;
    return j;
}

}  // namespace lab
