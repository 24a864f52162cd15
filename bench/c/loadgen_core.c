/* loadgen_core.c: the load generator's shared helpers -- clocks and CPU
 * accounting, error bookkeeping, epoll and TCP connection plumbing, echo and
 * fortune checks, and the measurement window.  See loadgen.c. */
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

struct options opt;
struct stats st;
int epfd = -1;
struct sockaddr_storage target;
socklen_t target_len;
unsigned char *pattern; /* message pattern, repeated: index with pos % size */
size_t pattern_len;
unsigned char rxbuf[RXBUF_SIZE];

double now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("clock_gettime");
        exit(2);
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

void note_error(const char *what, int err) {
    st.errors++;
    snprintf(st.last_error, sizeof st.last_error, "%s: %s", what, strerror(err));
}

void note_bad(const char *what) {
    st.bad++;
    snprintf(st.last_error, sizeof st.last_error, "%s", what);
}

/* CPU seconds (user+system) of this process. */
double self_cpu(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* CPU seconds (user+system) of another process from /proc/<pid>/stat, or -1. */
double proc_cpu(long pid) {
    char path[64], buf[1024];
    if (pid <= 0)
        return -1.0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1.0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1.0;
    buf[n] = '\0';
    /* The command name may contain spaces and ')': fields restart after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1.0;
    p++;
    unsigned long long utime = 0, stime = 0;
    /* after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1.0;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        return -1.0;
    return (double)(utime + stime) / (double)hz;
}

/* Busy CPU seconds of the whole machine (all CPUs) from /proc/stat, or -1.
 * Compared with our own and the server's CPU it shows how much else ran. */
double machine_cpu(void) {
    char line[512];
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return -1.0;
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    unsigned long long v[8] = {0};
    if (!ok || sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                      &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
        return -1.0;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        return -1.0;
    /* user nice system idle iowait irq softirq steal: all but idle and iowait */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;
}

/* ---- epoll helpers ------------------------------------------------------ */

int ep_set(int fd, uint32_t events, void *ptr, int op) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.ptr = ptr;
    if (epoll_ctl(epfd, op, fd, &ev) != 0) {
        note_error("epoll_ctl", errno);
        return -1;
    }
    return 0;
}

void conn_close(struct conn *c) {
    if (c->fd >= 0) {
        /* close() removes the fd from the epoll set; its result carries no
         * information we could act on for a socket we are done with. */
        if (close(c->fd) != 0 && errno != EINTR)
            note_error("close", errno);
    }
    c->fd = -1;
    c->state = C_IDLE;
    c->events = 0;
}

int conn_want(struct conn *c, uint32_t events) {
    if (c->events == events)
        return 0;
    if (ep_set(c->fd, events, c, EPOLL_CTL_MOD) != 0)
        return -1;
    c->events = events;
    return 0;
}

/* ---- target address ----------------------------------------------------- */

void resolve_target(void) {
    memset(&target, 0, sizeof target);
    if (strcmp(opt.host, "127.0.0.1") == 0) {
        struct sockaddr_in *a = (struct sockaddr_in *)&target;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)opt.port);
        if (inet_pton(AF_INET, opt.host, &a->sin_addr) != 1)
            die("inet_pton failed for %s", opt.host);
        target_len = sizeof *a;
    } else if (strcmp(opt.host, "::1") == 0) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&target;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)opt.port);
        if (inet_pton(AF_INET6, opt.host, &a->sin6_addr) != 1)
            die("inet_pton failed for %s", opt.host);
        target_len = sizeof *a;
    } else {
        die("only 127.0.0.1 and ::1 are allowed as --host (got %s)", opt.host);
    }
}

/* Start a non-blocking TCP connect for c; 0 on success (in progress or done). */
int tcp_start(struct conn *c, uint32_t events) {
    int fd = socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        note_error("socket", errno);
        return -1;
    }
    int one = 1;
    /* Connection workloads send nothing: skip the syscall there. */
    if ((opt.mode == M_TCP_ECHO || opt.mode == M_BULK) &&
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        note_error("setsockopt TCP_NODELAY", errno);
        close(fd);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&target, target_len) != 0 && errno != EINPROGRESS) {
        note_error("connect", errno);
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->state = C_CONNECTING;
    c->to_send = c->send_pos = c->recv_pos = c->rx_total = 0;
    if (ep_set(fd, events, c, EPOLL_CTL_ADD) != 0) {
        close(fd);
        c->fd = -1;
        c->state = C_IDLE;
        return -1;
    }
    c->events = events;
    return 0;
}

int connect_result(struct conn *c) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0) {
        note_error("connect", err);
        return -1;
    }
    return 0;
}

/* ---- tcp-echo and bulk: write queued bytes, check echoed bytes ---------- */

/* Write as much of c->to_send as the socket takes.  -1 on a fatal error. */
int tcp_flush(struct conn *c) {
    int rounds = 0;
    while (c->to_send > 0 && rounds++ < 64) {
        size_t off = (size_t)(c->send_pos % opt.size);
        size_t avail = pattern_len - off; /* pattern holds the message repeated */
        size_t n = c->to_send < avail ? (size_t)c->to_send : avail;
        ssize_t w = send(c->fd, pattern + off, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            note_error("send", errno);
            return -1;
        }
        c->to_send -= (uint64_t)w;
        c->send_pos += (uint64_t)w;
    }
    uint32_t want = EPOLLIN | (c->to_send > 0 ? EPOLLOUT : 0);
    if (opt.mode == M_BULK && opt.direction == D_RECV)
        want = EPOLLIN;
    return conn_want(c, want);
}

/* Compare received bytes with the pattern; returns completed messages or -1. */
long check_echo(struct conn *c, const unsigned char *p, size_t n) {
    long done = 0;
    while (n > 0) {
        size_t off = (size_t)(c->recv_pos % opt.size);
        size_t take = opt.size - off;
        if (take > n)
            take = n;
        if (memcmp(p, pattern + off, take) != 0) {
            note_bad("echo mismatch: received bytes differ from what was sent");
            return -1;
        }
        c->recv_pos += take;
        p += take;
        n -= take;
        if (c->recv_pos % opt.size == 0)
            done++;
    }
    return done;
}

/* ---- accept-close: validate what one connection received ---------------- */

void fortune_check(struct conn *c) {
    if (opt.expect == E_ANY && c->rx_total == 0) {
        note_bad("connection closed without any data");
    } else if (opt.expect == E_QSTRING) {
        if (c->rx_total < 4) {
            note_bad("fortune shorter than a QString length prefix");
            return;
        }
        uint32_t len = ((uint32_t)c->hdr[0] << 24) | ((uint32_t)c->hdr[1] << 16) |
                       ((uint32_t)c->hdr[2] << 8) | (uint32_t)c->hdr[3];
        if (len == 0xFFFFFFFFu || (len & 1u) || (uint64_t)len + 4 != c->rx_total)
            note_bad("fortune is not exactly one serialized QString");
    }
}

/* ---- the measurement window ---------------------------------------------- */

struct window win;

void window_tick(double t) {
    if (!win.open && t >= win.start && win.result_seconds == 0.0) {
        win.open = 1;
        win.start = t;
        win.count0 = st.count;
        win.bytes0 = st.bytes;
        win.cpu0 = self_cpu();
        win.scpu0 = proc_cpu(opt.server_pid);
        win.mcpu0 = machine_cpu();
    } else if (win.open && t >= win.end) {
        win.open = 0;
        win.result_seconds = t - win.start;
        win.result_count = st.count - win.count0;
        win.result_bytes = st.bytes - win.bytes0;
        double cpu1 = self_cpu(), scpu1 = proc_cpu(opt.server_pid), mcpu1 = machine_cpu();
        win.machine_cpu = (win.mcpu0 >= 0 && mcpu1 >= 0) ? (mcpu1 - win.mcpu0) / win.result_seconds : -1.0;
        win.loadgen_cpu = (cpu1 - win.cpu0) / win.result_seconds;
        win.server_cpu = (win.scpu0 >= 0 && scpu1 >= 0) ? (scpu1 - win.scpu0) / win.result_seconds : -1.0;
    }
}

/* epoll_wait timeout: wake up at the next window boundary, at most every 100 ms. */
int wait_ms(double t, double deadline) {
    double left = deadline - t;
    double boundary = win.open ? win.end : win.start;
    if (win.result_seconds == 0.0 && boundary - t < left)
        left = boundary - t;
    if (left > 0.1)
        left = 0.1;
    int ms = (int)(left * 1000.0 + 0.999);
    return ms < 0 ? 0 : ms;
}

/* Errors beyond this mean the server is gone or broken: stop early. */
uint64_t error_budget(void) { return 1000u + 100u * (uint64_t)opt.conns; }
