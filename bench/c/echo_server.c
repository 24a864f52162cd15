/* echo_server: the "physical limit" contender for qtnet's benchmarks.
 *
 * A minimal single-threaded, level-triggered epoll server on 127.0.0.1 or ::1:
 *   tcp-echo  read up to 256 KiB, write it back (TCP_NODELAY); when the peer does
 *             not take the reply, stop reading that connection until it drains
 *   udp-echo  recvfrom / sendto, up to 64 datagrams per wake-up
 *   fortune   accept, write one serialized QString (quint32 big-endian byte
 *             length + UTF-16BE), close
 *   discard   read and drop until EOF (bulk "send")
 *   source    write --bytes S to every accepted connection, then close (bulk "recv")
 *
 * Prints "PORT <n>" on stdout once listening.  Runs until SIGTERM/SIGINT or
 * --max-seconds (default 3600) elapse, so a forgotten server cannot live forever.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { M_TCP_ECHO, M_UDP_ECHO, M_FORTUNE, M_DISCARD, M_SOURCE };

#define BUF_SIZE (256 * 1024) /* as large as asyncio's reads: fewer syscalls in bulk transfers */
#define MAX_EVENTS 256
#define MAX_ACCEPTS_PER_WAKE 256

struct conn {
    unsigned char *pending; /* tcp-echo/fortune: bytes the peer has not taken yet */
    size_t len, off;
    uint64_t source_left;   /* source: bytes still to send */
    int used;
    int close_when_drained; /* fortune/source: close once everything is written */
};

static volatile sig_atomic_t stop_requested;
static enum mode mode = M_TCP_ECHO;
static int epfd = -1, lfd = -1;
static struct conn *conns;
static size_t max_fds;
static unsigned char buf[BUF_SIZE];
static unsigned char fortune[4 + 2 * 1024];
static size_t fortune_len;
static uint64_t source_bytes = 1000000000ull;
static unsigned long long accept_errors, io_errors;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void die(const char *what) {
    fprintf(stderr, "echo_server: %s: %s\n", what, strerror(errno));
    exit(2);
}

static double now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die("clock_gettime");
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(void) {
    fprintf(stderr,
            "usage: echo_server [--mode tcp-echo|udp-echo|fortune|discard|source] [--host 127.0.0.1|::1]\n"
            "                   [--port 0] [--backlog 128] [--bytes S] [--message ASCII] [--max-seconds 3600]\n");
    exit(2);
}

static long long parse_int(const char *s, long long lo, long long hi) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        usage();
    return v;
}

/* Serialize an ASCII text as Qt's QDataStream writes a QString. */
static void make_fortune(const char *text) {
    size_t n = strlen(text);
    if (n == 0 || n > 1024) {
        fprintf(stderr, "echo_server: --message must have 1..1024 characters\n");
        exit(2);
    }
    uint32_t bytes = (uint32_t)(2 * n);
    fortune[0] = (unsigned char)(bytes >> 24);
    fortune[1] = (unsigned char)(bytes >> 16);
    fortune[2] = (unsigned char)(bytes >> 8);
    fortune[3] = (unsigned char)bytes;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch < 0x20 || ch > 0x7e) {
            fprintf(stderr, "echo_server: --message must be printable ASCII\n");
            exit(2);
        }
        fortune[4 + 2 * i] = 0;
        fortune[5 + 2 * i] = ch;
    }
    fortune_len = 4 + 2 * n;
}

static void conn_close(int fd) {
    struct conn *c = &conns[fd];
    free(c->pending);
    memset(c, 0, sizeof *c);
    if (close(fd) != 0 && errno != EINTR)
        io_errors++;
}

static int ep_ctl(int op, int fd, uint32_t events) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &ev);
}

/* Keep the unwritten tail of data for later and wait for EPOLLOUT. */
static int keep_pending(int fd, const unsigned char *data, size_t len, int op) {
    struct conn *c = &conns[fd];
    c->pending = malloc(len);
    if (!c->pending)
        return -1;
    memcpy(c->pending, data, len);
    c->len = len;
    c->off = 0;
    return ep_ctl(op, fd, EPOLLOUT);
}

/* Write what can be written; 1 = all done, 0 = partial (pending kept and EPOLLOUT
 * registered with epoll_ctl op), -1 = error. */
static int write_or_keep(int fd, const unsigned char *data, size_t len, int op) {
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return keep_pending(fd, data + off, len - off, op) == 0 ? 0 : -1;
            return -1;
        }
        off += (size_t)w;
    }
    return 1;
}

/* Continue a source transfer: 1 = finished, 0 = more later, -1 = error. */
static int source_pump(int fd) {
    struct conn *c = &conns[fd];
    for (int rounds = 0; rounds < 64 && c->source_left > 0; rounds++) {
        size_t n = c->source_left < BUF_SIZE ? (size_t)c->source_left : BUF_SIZE;
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->source_left -= (uint64_t)w;
    }
    return c->source_left == 0 ? 1 : 0;
}

static void on_accept(void) {
    for (int i = 0; i < MAX_ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            /* EMFILE/ENFILE/ENOBUFS: leave the connection queued and retry on the
             * next wake-up; a short pause keeps this from spinning. */
            accept_errors++;
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
            return;
        }
        if ((size_t)fd >= max_fds) {
            accept_errors++;
            close(fd);
            continue;
        }
        struct conn *c = &conns[fd];
        memset(c, 0, sizeof *c);
        c->used = 1;
        int one = 1;
        /* Only the echo exchanges small messages both ways; the other modes
         * write once or stream, where Nagle changes nothing: spare the syscall. */
        if (mode == M_TCP_ECHO && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
            io_errors++;
            conn_close(fd);
            continue;
        }
        if (mode == M_FORTUNE) {
            /* The fd joins the epoll set only if the peer does not take it all. */
            int r = write_or_keep(fd, fortune, fortune_len, EPOLL_CTL_ADD);
            if (r == 1 || r < 0) {
                if (r < 0)
                    io_errors++;
                conn_close(fd);
            } else {
                c->close_when_drained = 1;
            }
            continue;
        }
        if (mode == M_SOURCE) {
            c->source_left = source_bytes;
            c->close_when_drained = 1;
            if (ep_ctl(EPOLL_CTL_ADD, fd, EPOLLOUT) != 0) {
                io_errors++;
                conn_close(fd);
            }
            continue;
        }
        if (ep_ctl(EPOLL_CTL_ADD, fd, EPOLLIN) != 0) {
            io_errors++;
            conn_close(fd);
        }
    }
}

static void on_writable(int fd) {
    struct conn *c = &conns[fd];
    if (mode == M_SOURCE) {
        int r = source_pump(fd);
        if (r != 0) {
            if (r < 0)
                io_errors++;
            conn_close(fd);
        }
        return;
    }
    while (c->off < c->len) {
        ssize_t w = send(fd, c->pending + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            io_errors++;
            conn_close(fd);
            return;
        }
        c->off += (size_t)w;
    }
    free(c->pending);
    c->pending = NULL;
    c->len = c->off = 0;
    if (c->close_when_drained) {
        conn_close(fd);
        return;
    }
    if (ep_ctl(EPOLL_CTL_MOD, fd, EPOLLIN) != 0) { /* drained: read again */
        io_errors++;
        conn_close(fd);
    }
}

static void on_readable(int fd) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        if (errno != ECONNRESET)
            io_errors++;
        conn_close(fd);
        return;
    }
    if (r == 0) {
        conn_close(fd);
        return;
    }
    if (mode != M_TCP_ECHO)
        return; /* discard (and a fortune client that talks): drop the bytes */
    if (write_or_keep(fd, buf, (size_t)r, EPOLL_CTL_MOD) < 0) {
        if (errno != EPIPE && errno != ECONNRESET)
            io_errors++;
        conn_close(fd);
    }
}

static void udp_drain(void) {
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        ssize_t r = recvfrom(lfd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                io_errors++;
            return;
        }
        /* A full socket buffer drops the reply, as UDP may; the client resends. */
        if (sendto(lfd, buf, (size_t)r, 0, (struct sockaddr *)&peer, plen) < 0 &&
            errno != EAGAIN && errno != EWOULDBLOCK)
            io_errors++;
    }
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0, backlog = 128;
    double max_seconds = 3600.0;
    make_fortune("Every socket you close opens another.");
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *a = argv[i], *v = argv[++i];
        if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "tcp-echo")) mode = M_TCP_ECHO;
            else if (!strcmp(v, "udp-echo")) mode = M_UDP_ECHO;
            else if (!strcmp(v, "fortune")) mode = M_FORTUNE;
            else if (!strcmp(v, "discard")) mode = M_DISCARD;
            else if (!strcmp(v, "source")) mode = M_SOURCE;
            else usage();
        } else if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = (int)parse_int(v, 0, 65535);
        else if (!strcmp(a, "--backlog")) backlog = (int)parse_int(v, 1, 65535);
        else if (!strcmp(a, "--bytes")) source_bytes = (uint64_t)parse_int(v, 1, 1LL << 40);
        else if (!strcmp(a, "--message")) make_fortune(v);
        else if (!strcmp(a, "--max-seconds")) max_seconds = (double)parse_int(v, 1, 7 * 86400);
        else usage();
    }

    struct sockaddr_storage addr;
    socklen_t alen;
    memset(&addr, 0, sizeof addr);
    if (!strcmp(host, "127.0.0.1")) {
        struct sockaddr_in *a = (struct sockaddr_in *)&addr;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            die("inet_pton");
        alen = sizeof *a;
    } else if (!strcmp(host, "::1")) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            die("inet_pton");
        alen = sizeof *a;
    } else {
        fprintf(stderr, "echo_server: only 127.0.0.1 and ::1 are allowed (got %s)\n", host);
        return 2;
    }

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("getrlimit");
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("setrlimit");
    max_fds = rl.rlim_cur > 1048576 ? 1048576 : (size_t)rl.rlim_cur;
    conns = calloc(max_fds, sizeof *conns);
    if (!conns)
        die("calloc");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
        die("sigaction");
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        die("sigaction");

    int udp = mode == M_UDP_ECHO;
    lfd = socket(addr.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    int one = 1;
    if (!udp && setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        die("setsockopt SO_REUSEADDR");
    if (bind(lfd, (struct sockaddr *)&addr, alen) != 0)
        die("bind");
    if (!udp && listen(lfd, backlog) != 0)
        die("listen");
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (getsockname(lfd, (struct sockaddr *)&bound, &blen) != 0)
        die("getsockname");
    int bound_port = bound.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&bound)->sin_port)
                                                : ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    if (ep_ctl(EPOLL_CTL_ADD, lfd, EPOLLIN) != 0)
        die("epoll_ctl");
    if (mode == M_SOURCE)
        memset(buf, 'x', sizeof buf);

    if (printf("PORT %d\n", bound_port) < 0 || fflush(stdout) != 0)
        die("stdout");

    double deadline = now() + max_seconds;
    struct epoll_event evs[MAX_EVENTS];
    while (!stop_requested && now() < deadline) {
        int n = epoll_wait(epfd, evs, MAX_EVENTS, 200);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                if (udp)
                    udp_drain();
                else
                    on_accept();
                continue;
            }
            if (!conns[fd].used)
                continue; /* closed earlier in this batch */
            if (evs[i].events & EPOLLOUT)
                on_writable(fd);
            else if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                on_readable(fd);
        }
    }
    if (accept_errors || io_errors)
        fprintf(stderr, "echo_server: %llu accept errors, %llu I/O errors\n", accept_errors, io_errors);
    return 0;
}
