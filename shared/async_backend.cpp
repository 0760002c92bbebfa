// The event loops' asynchronous database pool. See async_backend.hpp.
#include "async_backend.hpp"

#include <algorithm>

#include "backend.hpp"
#include "clock.hpp"
#include "trace.hpp"

namespace lab {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

}  // namespace

AsyncBackend::AsyncBackend(Server& server)
    : server_(server), links_(std::max<std::uint64_t>(server.settings.db_pool, 1)) {}

AsyncBackend::~AsyncBackend() {
    for (Link& link : links_) {
        if (link.result != nullptr) PQclear(link.result);
        if (link.conn != nullptr) PQfinish(link.conn);
    }
}

std::optional<Reply> AsyncBackend::submit(ParkedClient* client, std::uint64_t ms,
                                          std::uint64_t rows) {
    bool reachable = any_open() || mono_ns() >= retry_at_ns_;
    if (server_.settings.db_uri.empty() || !reachable || queue_.size() >= kMaxQueuedQueries) {
        add(server_.stats->backend_failures, 1);
        return backend_unavailable_reply();
    }
    queue_.push_back(Job{client, ms, rows, mono_ns()});
    pump();
    return std::nullopt;
}

void AsyncBackend::forget(ParkedClient* client) {
    for (Job& job : queue_) {
        if (job.client == client) job.client = nullptr;
    }
    for (Link& link : links_) {
        if (link.job && link.job->client == client) link.job->client = nullptr;
    }
}

bool AsyncBackend::any_open() const {
    return std::any_of(links_.begin(), links_.end(),
                       [](const Link& l) { return l.state != Link::State::Down; });
}

// Hands queued queries to idle connections, and opens connections for the queries left over.
void AsyncBackend::pump() {
    while (!queue_.empty() && !queue_.front().client)
        queue_.pop_front();  // forgotten
    for (Link& link : links_) {
        if (queue_.empty()) return;
        if (link.state != Link::State::Idle) continue;
        Job job = queue_.front();
        queue_.pop_front();
        send(link, job);
        while (!queue_.empty() && !queue_.front().client)
            queue_.pop_front();
    }
    std::size_t opening =
        static_cast<std::size_t>(std::count_if(links_.begin(), links_.end(), [](const Link& l) {
            return l.state == Link::State::Connecting;
        }));
    for (Link& link : links_) {
        if (opening >= queue_.size() || mono_ns() < retry_at_ns_) break;
        if (link.state != Link::State::Down) continue;
        start_connect(link);
        if (link.state == Link::State::Connecting) ++opening;
    }
}

void AsyncBackend::start_connect(Link& link) {
    ConnectParams params(server_.settings.db_uri);
    link.conn = PQconnectStartParams(params.keywords(), params.values(), 1);
    if (link.conn == nullptr || PQstatus(link.conn) == CONNECTION_BAD ||
        PQsetnonblocking(link.conn, 1) != 0 || PQsocket(link.conn) < 0 ||
        PQsocket(link.conn) > max_fd) {
        connect_failed(link);
        return;
    }
    link.fd = PQsocket(link.conn);
    link.state = Link::State::Connecting;
    link.polling = PGRES_POLLING_WRITING;  // libpq: as if PQconnectPoll had said so
    link.deadline_ns = mono_ns() + static_cast<std::uint64_t>(kConnectTimeoutS) * 1000 * kMs;
}

void AsyncBackend::step_connect(Link& link) {
    link.polling = PQconnectPoll(link.conn);
    if (link.polling == PGRES_POLLING_FAILED) {
        connect_failed(link);
        return;
    }
    // libpq may have moved to another socket (it tries each address in turn).
    if (PQsocket(link.conn) != link.fd && on_close) on_close(link.fd);
    link.fd = PQsocket(link.conn);
    if (link.fd < 0 || link.fd > max_fd) {
        connect_failed(link);
        return;
    }
    if (link.polling == PGRES_POLLING_OK) {
        link.state = Link::State::Idle;
        link.deadline_ns = 0;
        pump();
    }
}

void AsyncBackend::send(Link& link, Job job) {
    QueryParams params(job.ms, job.rows);
    job.sent_ns = mono_ns();
    std::uint64_t waited = job.sent_ns - job.queued_ns;
    add(server_.stats->backend_pool_wait_ns, waited);
    if (waited > 0 && job.client) {
        trace::record_async_wait(trace::Phase::Pool, job.client->task(), job.queued_ns, waited);
    }
    link.job = job;
    link.state = Link::State::Busy;
    link.deadline_ns = job.sent_ns + kStatementTimeoutMs * kMs;
    if (PQsendQueryParams(link.conn, kQuerySql, 2, nullptr, params.values, nullptr, nullptr, 0) !=
        1) {
        link_failed(link);
        return;
    }
    int flushed = PQflush(link.conn);
    if (flushed < 0) {
        link_failed(link);
        return;
    }
    link.flushing = flushed == 1;
}

void AsyncBackend::step_busy(Link& link, bool readable, bool writable) {
    if (link.flushing && (writable || readable)) {
        int flushed = PQflush(link.conn);
        if (flushed < 0) {
            link_failed(link);
            return;
        }
        link.flushing = flushed == 1;
    }
    if (!readable) return;
    if (PQconsumeInput(link.conn) == 0) {
        link_failed(link);
        return;
    }
    // Take every result that is complete; the query is over at the null one.
    while (!PQisBusy(link.conn)) {
        PGresult* result = PQgetResult(link.conn);
        if (result == nullptr) {
            Reply reply = reply_from_result(link.result);
            PQclear(link.result);
            link.result = nullptr;
            Job job = *link.job;
            link.job.reset();
            link.state = Link::State::Idle;
            link.deadline_ns = 0;
            finish(job, std::move(reply));
            pump();
            return;
        }
        if (link.result == nullptr) {
            link.result = result;  // the rows (or the error); anything after it is dropped
        } else {
            PQclear(result);
        }
    }
}

void AsyncBackend::on_ready(int fd, bool readable, bool writable) {
    for (Link& link : links_) {
        if (link.fd != fd || link.state == Link::State::Down) continue;
        switch (link.state) {
            case Link::State::Connecting:
                step_connect(link);
                break;
            case Link::State::Busy:
                step_busy(link, readable, writable);
                break;
            case Link::State::Idle:
                // Nothing is asked: the database is telling us something (it is shutting
                // down, or ended the session). Read it; a broken session is closed now and
                // reopened by the next query.
                if (PQconsumeInput(link.conn) == 0 || PQstatus(link.conn) == CONNECTION_BAD) {
                    close_link(link);
                }
                break;
            case Link::State::Down:
                break;
        }
        return;
    }
}

std::uint64_t AsyncBackend::deadline_ns() const {
    std::uint64_t earliest = 0;
    auto consider = [&](std::uint64_t at) {
        if (at != 0 && (earliest == 0 || at < earliest)) earliest = at;
    };
    for (const Link& link : links_)
        consider(link.deadline_ns);
    // Queries waiting while connects are held back: try again when the wait is over.
    if (!queue_.empty() && retry_at_ns_ > mono_ns()) consider(retry_at_ns_);
    return earliest;
}

void AsyncBackend::on_deadline(std::uint64_t now_ns) {
    for (Link& link : links_) {
        if (link.deadline_ns == 0 || now_ns < link.deadline_ns) continue;
        if (link.state == Link::State::Connecting) {
            connect_failed(link);
        } else if (link.state == Link::State::Busy) {
            link_failed(link);  // no answer in time: give up on this session
        }
    }
    if (!queue_.empty() && now_ns >= retry_at_ns_) pump();
}

const std::vector<AsyncBackend::Watch>& AsyncBackend::watches() {
    watches_.clear();
    for (const Link& link : links_) {
        switch (link.state) {
            case Link::State::Connecting:
                watches_.push_back({link.fd, link.polling == PGRES_POLLING_READING,
                                    link.polling == PGRES_POLLING_WRITING});
                break;
            case Link::State::Busy:
                watches_.push_back({link.fd, true, link.flushing});
                break;
            case Link::State::Idle:
                watches_.push_back({link.fd, true, false});
                break;
            case Link::State::Down:
                break;
        }
    }
    return watches_;
}

bool AsyncBackend::owns(int fd) const {
    return std::any_of(links_.begin(), links_.end(),
                       [fd](const Link& l) { return l.state != Link::State::Down && l.fd == fd; });
}

void AsyncBackend::close_link(Link& link) {
    if (link.fd >= 0 && on_close) on_close(link.fd);
    if (link.result != nullptr) PQclear(link.result);
    if (link.conn != nullptr) PQfinish(link.conn);
    link = Link{};
}

void AsyncBackend::connect_failed(Link& link) {
    close_link(link);
    retry_at_ns_ = mono_ns() + kRetryAfterMs * kMs;
    if (any_open()) return;  // the open ones will serve the queue
    // Nothing open and nothing opening: every waiting query fails now, not after the wait.
    std::deque<Job> failed;
    failed.swap(queue_);
    for (Job& job : failed) {
        job.sent_ns = mono_ns();
        finish(job, backend_unavailable_reply());
    }
}

void AsyncBackend::link_failed(Link& link) {
    std::optional<Job> job = link.job;
    close_link(link);
    if (job) finish(*job, backend_unavailable_reply());
    pump();  // the queue goes on, on a new session
}

void AsyncBackend::finish(Job job, Reply reply) {
    std::uint64_t now = mono_ns();
    count_query(*server_.stats, reply, job.sent_ns != 0 ? now - job.sent_ns : 0);
    if (job.client == nullptr) return;  // its client left meanwhile
    if (job.sent_ns != 0) {
        trace::record_async_wait(trace::Phase::Backend, job.client->task(), job.sent_ns,
                                 now - job.sent_ns);
    }
    job.client->on_query_done(std::move(reply));
}

}  // namespace lab
