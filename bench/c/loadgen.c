/* loadgen: a single-threaded epoll load generator for qtnet's benchmarks.
 *
 * Modes (one JSON line on stdout at the end, diagnostics on stderr):
 *   tcp-echo      c connections; each sends an N-byte message and waits for the
 *                 whole echo before sending the next (or keeps --pipeline
 *                 messages in flight).  Counts completed round trips/s.
 *   accept-close  c connections in flight; each connects, reads until EOF,
 *                 closes and starts over (the fortune workload).  Counts
 *                 connections/s and checks what each one received.
 *   connect-close c in flight; each connects and closes its side (FIN) as soon
 *                 as the handshake completes, sending nothing, then waits for
 *                 the server to close too.  Counts connections/s.
 *   udp-echo      c connected UDP sockets, one datagram in flight each, resent
 *                 after 50 ms when lost.  Counts round trips/s.
 *   bulk          one connection moving --bytes S (send, recv or echo); GB/s.
 *
 * Rates are taken over a measurement window that starts after --warmup
 * seconds.  Every loop is bounded by a deadline; only 127.0.0.1 and ::1 are
 * accepted as targets.  With --server-pid the server's CPU use over the window
 * is read from /proc so a report can show which side was saturated.
 *
 * Build (bench/harness.py does this when the binary is missing or stale):
 *   cc -O2 -Wall -Wextra -o bench/build/loadgen bench/c/loadgen.c bench/c/loadgen_core.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include "loadgen.h"

static void run_tcp_echo(struct conn *cs) {
    double t = now();
    win.start = t + opt.warmup;
    win.end = win.start + opt.duration;
    double deadline = win.end + 1.0;
    for (int i = 0; i < opt.conns; i++)
        tcp_start(&cs[i], EPOLLOUT);
    struct epoll_event evs[MAX_EVENTS];
    while (win.result_seconds == 0.0 && (t = now()) < deadline) {
        window_tick(t);
        if (st.errors + st.bad > error_budget())
            break;
        int n = epoll_wait(epfd, evs, MAX_EVENTS, wait_ms(t, deadline));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0)
                continue;
            if (c->state == C_CONNECTING) {
                if (connect_result(c) != 0) {
                    conn_close(c);
                    continue;
                }
                c->state = C_ACTIVE;
                c->to_send = (uint64_t)opt.size * (uint64_t)opt.pipeline;
                if (tcp_flush(c) != 0)
                    conn_close(c);
                continue;
            }
            int failed = 0;
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                ssize_t r = recv(c->fd, rxbuf, sizeof rxbuf, 0);
                if (r > 0) {
                    uint64_t outstanding = c->send_pos - c->recv_pos;
                    if ((uint64_t)r > outstanding) {
                        note_bad("server sent more bytes than were sent to it");
                        failed = 1;
                    } else {
                        long done = check_echo(c, rxbuf, (size_t)r);
                        st.bytes += (uint64_t)r;
                        if (done < 0) {
                            failed = 1;
                        } else if (done > 0) {
                            st.count += (uint64_t)done;
                            c->to_send += (uint64_t)done * opt.size;
                        }
                    }
                } else if (r == 0) {
                    note_error("recv", ECONNRESET);
                    snprintf(st.last_error, sizeof st.last_error, "server closed the connection mid-echo");
                    failed = 1;
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    note_error("recv", errno);
                    failed = 1;
                }
            }
            if (!failed && tcp_flush(c) != 0)
                failed = 1;
            if (failed) {
                conn_close(c);
                tcp_start(c, EPOLLOUT); /* keep c connections; bounded by the error budget */
            }
        }
        for (int i = 0; i < opt.conns; i++)
            if (cs[i].state == C_IDLE && st.errors + st.bad <= error_budget())
                tcp_start(&cs[i], EPOLLOUT);
    }
}

static void run_accept_close(struct conn *cs) {
    double t = now();
    win.start = t + opt.warmup;
    win.end = win.start + opt.duration;
    double deadline = win.end + 1.0;
    uint32_t first_events = opt.mode == M_CONNECT_CLOSE ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
    for (int i = 0; i < opt.conns; i++)
        tcp_start(&cs[i], first_events);
    struct epoll_event evs[MAX_EVENTS];
    while (win.result_seconds == 0.0 && (t = now()) < deadline) {
        window_tick(t);
        if (st.errors + st.bad > error_budget())
            break;
        int idle = 0;
        for (int i = 0; i < opt.conns; i++)
            if (cs[i].state == C_IDLE)
                idle = 1;
        int n = epoll_wait(epfd, evs, MAX_EVENTS, idle ? 1 : wait_ms(t, deadline));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0)
                continue;
            if (opt.mode == M_CONNECT_CLOSE && c->state == C_CONNECTING) {
                /* Close our side at once (FIN), then wait for the server's close:
                 * waiting keeps at most c connections in flight, so a slow server
                 * is measured instead of overflowing its accept queue. */
                if (connect_result(c) != 0) {
                    conn_close(c);
                    continue;
                }
                if (shutdown(c->fd, SHUT_WR) != 0) {
                    note_error("shutdown", errno);
                    conn_close(c);
                    continue;
                }
                c->state = C_ACTIVE;
                if (conn_want(c, EPOLLIN | EPOLLRDHUP) != 0)
                    conn_close(c);
                continue;
            }
            /* accept-close: drain the socket; EOF completes the connection.
             * EPOLLRDHUP means the FIN was already queued behind the data, so a
             * short read has taken everything and no extra recv() for the 0 is
             * needed (the kernel's loopback TCP work is most of this loop's cost). */
            int fin_seen = (evs[i].events & EPOLLRDHUP) != 0;
            for (int reads = 0; reads < 64; reads++) {
                ssize_t r = recv(c->fd, rxbuf, sizeof rxbuf, 0);
                if (r > 0) {
                    for (ssize_t k = 0; k < r && c->rx_total + (uint64_t)k < 4; k++)
                        c->hdr[c->rx_total + (uint64_t)k] = rxbuf[k];
                    c->rx_total += (uint64_t)r;
                    st.bytes += (uint64_t)r;
                    if (!(fin_seen && (size_t)r < sizeof rxbuf))
                        continue;
                    r = 0;
                }
                if (r == 0) {
                    uint64_t bad_before = st.bad;
                    fortune_check(c);
                    if (st.bad == bad_before)
                        st.count++;
                    if (opt.rst_close) {
                        /* The server has closed already (we saw its FIN): an RST
                         * instead of our FIN spares both kernels the FIN/TIME_WAIT
                         * work and is invisible to the server application. */
                        struct linger lg = {1, 0};
                        if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
                            note_error("setsockopt SO_LINGER", errno);
                    }
                    conn_close(c);
                } else if (errno == EINTR) {
                    continue;
                } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    note_error("recv", errno);
                    conn_close(c);
                }
                break;
            }
        }
        for (int i = 0; i < opt.conns; i++)
            if (cs[i].state == C_IDLE && st.errors + st.bad <= error_budget())
                tcp_start(&cs[i], first_events);
    }
}

static int udp_send(struct conn *c, double t) {
    unsigned char *p = pattern; /* first 4 bytes carry the sequence number */
    if (opt.size >= 4)
        memcpy(p, &c->seq, 4);
    ssize_t w = send(c->fd, p, opt.size, 0);
    c->sent_at = t;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        /* ECONNREFUSED from an earlier ICMP error is reported here: count it and
         * let the resend timer try again. */
        note_error("send (udp)", errno);
        return -1;
    }
    return 0;
}

static void run_udp_echo(struct conn *cs) {
    double t = now();
    win.start = t + opt.warmup;
    win.end = win.start + opt.duration;
    double deadline = win.end + 1.0;
    for (int i = 0; i < opt.conns; i++) {
        struct conn *c = &cs[i];
        int fd = socket(target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            die("socket (udp): %s", strerror(errno));
        if (connect(fd, (struct sockaddr *)&target, target_len) != 0)
            die("connect (udp): %s", strerror(errno));
        c->fd = fd;
        c->state = C_ACTIVE;
        c->seq = (uint32_t)i * 1000003u;
        if (ep_set(fd, EPOLLIN, c, EPOLL_CTL_ADD) != 0)
            die("epoll_ctl (udp): %s", st.last_error);
        udp_send(c, t);
    }
    double last_scan = t;
    struct epoll_event evs[MAX_EVENTS];
    while (win.result_seconds == 0.0 && (t = now()) < deadline) {
        window_tick(t);
        int ms = wait_ms(t, deadline);
        if (ms > 10)
            ms = 10; /* the resend scan below needs a regular tick */
        int n = epoll_wait(epfd, evs, MAX_EVENTS, ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        t = now();
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            for (int reads = 0; reads < 64; reads++) {
                ssize_t r = recv(c->fd, rxbuf, sizeof rxbuf, 0);
                if (r < 0) {
                    if (errno == EINTR)
                        continue;
                    if (errno != EAGAIN && errno != EWOULDBLOCK)
                        note_error("recv (udp)", errno);
                    break;
                }
                st.bytes += (uint64_t)r;
                if ((size_t)r != opt.size) {
                    note_bad("udp reply of the wrong size");
                    continue;
                }
                uint32_t seq = c->seq;
                if (opt.size >= 4 && memcmp(rxbuf, &seq, 4) != 0) {
                    st.stale++; /* reply to a datagram we already gave up on */
                    continue;
                }
                if (opt.size > 4 && memcmp(rxbuf + 4, pattern + 4, opt.size - 4) != 0) {
                    note_bad("udp reply differs from the datagram sent");
                    continue;
                }
                st.count++;
                c->seq++;
                udp_send(c, t);
            }
        }
        if (t - last_scan >= 0.010) {
            last_scan = t;
            for (int i = 0; i < opt.conns; i++) {
                if (t - cs[i].sent_at >= UDP_RESEND_S) {
                    st.resends++;
                    cs[i].seq++; /* a late reply to the lost one must not count */
                    udp_send(&cs[i], t);
                }
            }
        }
    }
}

static void run_bulk(struct conn *c) {
    double t0 = now(), deadline = t0 + opt.timeout, t = t0;
    if (tcp_start(c, EPOLLOUT) != 0)
        die("bulk connect: %s", st.last_error);
    double cpu0 = self_cpu(), scpu0 = proc_cpu(opt.server_pid), mcpu0 = machine_cpu();
    uint64_t want_back = opt.direction == D_ECHO ? opt.bulk_bytes : 0;
    int write_closed = 0, done = 0;
    struct epoll_event evs[4];
    while (!done && (t = now()) < deadline) {
        int n = epoll_wait(epfd, evs, 4, 100);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n && !done; i++) {
            if (c->state == C_CONNECTING) {
                if (connect_result(c) != 0)
                    die("bulk connect: %s", st.last_error);
                c->state = C_ACTIVE;
                c->to_send = opt.direction == D_RECV ? 0 : opt.bulk_bytes;
                if (tcp_flush(c) != 0)
                    die("bulk: %s", st.last_error);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                for (int reads = 0; reads < 16; reads++) {
                    ssize_t r = recv(c->fd, rxbuf, sizeof rxbuf, 0);
                    if (r > 0) {
                        if (opt.direction == D_ECHO && check_echo(c, rxbuf, (size_t)r) < 0)
                            die("bulk: %s", st.last_error);
                        st.bytes += (uint64_t)r;
                        if (want_back && st.bytes >= want_back)
                            done = 1;
                        continue;
                    }
                    if (r == 0) {
                        done = 1; /* send/recv: the server closed after the transfer */
                        if (want_back && st.bytes < want_back)
                            note_error("bulk echo ended early", ECONNRESET);
                        if (opt.direction == D_SEND && c->send_pos < opt.bulk_bytes)
                            note_error("bulk send: server closed before all bytes were sent", ECONNRESET);
                    } else if (errno == EINTR) {
                        continue;
                    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                        note_error("recv", errno);
                        done = 1;
                    }
                    break;
                }
            }
            if (!done && tcp_flush(c) != 0)
                die("bulk: %s", st.last_error);
            if (!done && c->to_send == 0 && opt.direction == D_SEND && !write_closed) {
                if (shutdown(c->fd, SHUT_WR) != 0)
                    die("shutdown: %s", strerror(errno));
                write_closed = 1;
            }
        }
    }
    t = now();
    if (!done)
        note_error("bulk transfer did not finish before --timeout", ETIMEDOUT);
    win.result_seconds = t - t0;
    win.result_bytes = opt.direction == D_SEND ? c->send_pos : st.bytes;
    win.result_count = 1;
    win.loadgen_cpu = (self_cpu() - cpu0) / win.result_seconds;
    double scpu1 = proc_cpu(opt.server_pid), mcpu1 = machine_cpu();
    win.server_cpu = (scpu0 >= 0 && scpu1 >= 0) ? (scpu1 - scpu0) / win.result_seconds : -1.0;
    win.machine_cpu = (mcpu0 >= 0 && mcpu1 >= 0) ? (mcpu1 - mcpu0) / win.result_seconds : -1.0;
    conn_close(c);
}

/* ---- argument parsing ----------------------------------------------------- */

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen --mode tcp-echo|accept-close|connect-close|udp-echo|bulk --port P\n"
            "               [--host 127.0.0.1|::1] [-c CONNS] [--size BYTES] [--pipeline DEPTH]\n"
            "               [--warmup S] [--duration S] [--bytes S] [--direction echo|send|recv]\n"
            "               [--expect none|any|qstring] [--close fin|rst] [--server-pid PID]\n"
            "               [--timeout S]\n");
    exit(2);
}

static double parse_double(const char *s, double lo, double hi, const char *name) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v < lo || v > hi)
        die("bad %s: %s (allowed %g..%g)", name, s, lo, hi);
    return v;
}

static long long parse_int(const char *s, long long lo, long long hi, const char *name) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        die("bad %s: %s (allowed %lld..%lld)", name, s, lo, hi);
    return v;
}

static void parse_args(int argc, char **argv) {
    opt.host = "127.0.0.1";
    opt.port = -1;
    opt.conns = 1;
    opt.size = 64;
    opt.pipeline = 1;
    opt.warmup = 0.5;
    opt.duration = 2.0;
    opt.bulk_bytes = 1000000000ull;
    opt.direction = D_ECHO;
    opt.expect = E_ANY;
    opt.timeout = 120.0;
    int have_mode = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--mode")) {
            have_mode = 1;
            if (!strcmp(v, "tcp-echo")) opt.mode = M_TCP_ECHO;
            else if (!strcmp(v, "accept-close")) opt.mode = M_ACCEPT_CLOSE;
            else if (!strcmp(v, "connect-close")) opt.mode = M_CONNECT_CLOSE;
            else if (!strcmp(v, "udp-echo")) opt.mode = M_UDP_ECHO;
            else if (!strcmp(v, "bulk")) opt.mode = M_BULK;
            else usage();
        } else if (!strcmp(a, "--host")) opt.host = v;
        else if (!strcmp(a, "--port")) opt.port = (int)parse_int(v, 1, 65535, "--port");
        else if (!strcmp(a, "-c") || !strcmp(a, "--conns")) opt.conns = (int)parse_int(v, 1, 100000, "-c");
        else if (!strcmp(a, "--size")) opt.size = (size_t)parse_int(v, 1, 64 * 1024 * 1024, "--size");
        else if (!strcmp(a, "--pipeline")) opt.pipeline = (int)parse_int(v, 1, 1024, "--pipeline");
        else if (!strcmp(a, "--warmup")) opt.warmup = parse_double(v, 0, 3600, "--warmup");
        else if (!strcmp(a, "--duration")) opt.duration = parse_double(v, 0.01, 3600, "--duration");
        else if (!strcmp(a, "--bytes")) opt.bulk_bytes = (uint64_t)parse_int(v, 1, 1LL << 40, "--bytes");
        else if (!strcmp(a, "--server-pid")) opt.server_pid = (long)parse_int(v, 1, 1LL << 31, "--server-pid");
        else if (!strcmp(a, "--timeout")) opt.timeout = parse_double(v, 0.1, 86400, "--timeout");
        else if (!strcmp(a, "--close")) {
            if (!strcmp(v, "fin")) opt.rst_close = 0;
            else if (!strcmp(v, "rst")) opt.rst_close = 1;
            else usage();
        }
        else if (!strcmp(a, "--direction")) {
            if (!strcmp(v, "echo")) opt.direction = D_ECHO;
            else if (!strcmp(v, "send")) opt.direction = D_SEND;
            else if (!strcmp(v, "recv")) opt.direction = D_RECV;
            else usage();
        } else if (!strcmp(a, "--expect")) {
            if (!strcmp(v, "none")) opt.expect = E_NONE;
            else if (!strcmp(v, "any")) opt.expect = E_ANY;
            else if (!strcmp(v, "qstring")) opt.expect = E_QSTRING;
            else usage();
        } else usage();
    }
    if (!have_mode || opt.port < 0)
        usage();
    if (opt.mode == M_BULK)
        opt.conns = 1;
    if (opt.mode == M_CONNECT_CLOSE)
        opt.expect = E_NONE; /* the server only closes; bytes are counted, not judged */
    if (opt.mode == M_UDP_ECHO && opt.size > 65507)
        die("--size too large for a UDP datagram");
    if ((uint64_t)opt.size * (uint64_t)opt.pipeline > 256ull * 1024 * 1024)
        die("--size x --pipeline must stay below 256 MiB");
}

static void raise_nofile(int need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("getrlimit: %s", strerror(errno));
    if (rl.rlim_cur >= (rlim_t)need)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("setrlimit: %s", strerror(errno));
    if (rl.rlim_cur < (rlim_t)need)
        die("need %d file descriptors, the hard limit is %llu", need, (unsigned long long)rl.rlim_max);
}

static const char *mode_name(void) {
    switch (opt.mode) {
    case M_TCP_ECHO: return "tcp-echo";
    case M_ACCEPT_CLOSE: return "accept-close";
    case M_CONNECT_CLOSE: return "connect-close";
    case M_UDP_ECHO: return "udp-echo";
    default: return "bulk";
    }
}

static void json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') printf("\\%c", ch);
        else if (ch < 0x20) printf("\\u%04x", ch);
        else putchar(ch);
    }
    putchar('"');
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    resolve_target();
    raise_nofile(opt.conns + 64);

    /* The pattern buffer holds the message repeated so that any stream offset
     * maps to a contiguous run of up to size*pipeline bytes. */
    size_t reps = (size_t)opt.pipeline + 1;
    if (opt.mode == M_BULK) {
        opt.size = 1024 * 1024 + 7; /* odd period: catches reordered chunks */
        reps = 2;
    }
    pattern_len = opt.size * reps;
    pattern = malloc(pattern_len);
    if (!pattern)
        die("out of memory for the pattern buffer");
    for (size_t i = 0; i < pattern_len; i++)
        pattern[i] = (unsigned char)('a' + (i % opt.size) % 26);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));
    struct conn *cs = calloc((size_t)opt.conns, sizeof *cs);
    if (!cs)
        die("out of memory for %d connections", opt.conns);
    for (int i = 0; i < opt.conns; i++)
        cs[i].fd = -1;

    switch (opt.mode) {
    case M_TCP_ECHO: run_tcp_echo(cs); break;
    case M_ACCEPT_CLOSE:
    case M_CONNECT_CLOSE: run_accept_close(cs); break;
    case M_UDP_ECHO: run_udp_echo(cs); break;
    case M_BULK: run_bulk(&cs[0]); break;
    }
    for (int i = 0; i < opt.conns; i++)
        if (cs[i].fd >= 0)
            conn_close(&cs[i]);

    int finished = win.result_seconds > 0.0;
    double rate = finished ? (double)win.result_count / win.result_seconds : 0.0;
    printf("{\"tool\":\"loadgen\",\"mode\":\"%s\",\"conns\":%d,\"size\":%zu,\"pipeline\":%d,",
           mode_name(), opt.conns, opt.mode == M_BULK ? (size_t)0 : opt.size, opt.pipeline);
    printf("\"warmup_s\":%.3f,\"seconds\":%.6f,\"count\":%llu,\"rate\":%.1f,",
           opt.mode == M_BULK ? 0.0 : opt.warmup, win.result_seconds,
           (unsigned long long)win.result_count, opt.mode == M_BULK ? 0.0 : rate);
    if (opt.mode == M_BULK)
        printf("\"bytes\":%llu,\"gbps\":%.4f,", (unsigned long long)win.result_bytes,
               finished ? (double)win.result_bytes / win.result_seconds / 1e9 : 0.0);
    else
        printf("\"bytes\":%llu,", (unsigned long long)win.result_bytes);
    printf("\"errors\":%llu,\"bad\":%llu,\"resends\":%llu,\"stale\":%llu,",
           (unsigned long long)st.errors, (unsigned long long)st.bad,
           (unsigned long long)st.resends, (unsigned long long)st.stale);
    printf("\"loadgen_cpu\":%.3f,", win.loadgen_cpu);
    if (win.machine_cpu >= 0)
        printf("\"machine_cpu\":%.3f,", win.machine_cpu);
    else
        printf("\"machine_cpu\":null,");
    if (win.server_cpu >= 0)
        printf("\"server_cpu\":%.3f,", win.server_cpu);
    else
        printf("\"server_cpu\":null,");
    printf("\"complete\":%s,\"last_error\":", finished ? "true" : "false");
    json_string(st.last_error);
    printf("}\n");
    if (fflush(stdout) != 0)
        return 2;
    return finished ? 0 : 1;
}
