/* loadgen.h: what loadgen.c (the modes, main) and loadgen_core.c (helpers,
 * measurement window) share.  See loadgen.c for what the tool does. */
#ifndef QTNET_BENCH_LOADGEN_H
#define QTNET_BENCH_LOADGEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum mode { M_TCP_ECHO, M_ACCEPT_CLOSE, M_CONNECT_CLOSE, M_UDP_ECHO, M_BULK };
enum expect { E_NONE, E_ANY, E_QSTRING };
enum direction { D_ECHO, D_SEND, D_RECV };
enum cstate { C_IDLE, C_CONNECTING, C_ACTIVE };

#define RXBUF_SIZE (256 * 1024)
#define MAX_EVENTS 256
#define UDP_RESEND_S 0.050

struct options {
    enum mode mode;
    const char *host;
    int port;
    int conns;
    size_t size;
    int pipeline;
    double warmup;
    double duration;
    uint64_t bulk_bytes;
    enum direction direction;
    enum expect expect;
    long server_pid;
    double timeout;
    int rst_close;       /* accept-close: close with an RST (SO_LINGER 0) after EOF */
};

struct conn {
    int fd;
    enum cstate state;
    uint32_t events;     /* what is registered with epoll for fd */
    uint64_t to_send;    /* bytes queued but not yet written */
    uint64_t send_pos;   /* stream offset of the next byte to write */
    uint64_t recv_pos;   /* stream offset of the next byte expected back */
    uint64_t rx_total;   /* accept-close: bytes received on this connection */
    unsigned char hdr[4];/* accept-close: first bytes, for the QString check */
    uint32_t seq;        /* udp: sequence number of the datagram in flight */
    double sent_at;      /* udp: when it was (re)sent */
};

struct stats {
    uint64_t count;      /* completed round trips / connections */
    uint64_t errors;     /* connect/read/write failures, resets, EOF mid-echo */
    uint64_t bad;        /* wrong bytes: echo mismatch, malformed fortune */
    uint64_t resends;    /* udp datagrams sent again after the timeout */
    uint64_t stale;      /* udp replies to an older sequence number */
    uint64_t bytes;      /* payload bytes received */
    char last_error[160];
};


struct window {
    double start, end;          /* measurement window */
    int open;                   /* 1 while inside it */
    uint64_t count0, bytes0;
    double cpu0, scpu0, mcpu0;
    double result_seconds, loadgen_cpu, server_cpu, machine_cpu;
    uint64_t result_count, result_bytes;
};

extern struct options opt;
extern struct stats st;
extern struct window win;
extern int epfd;
extern struct sockaddr_storage target;
extern socklen_t target_len;
extern unsigned char *pattern;
extern size_t pattern_len;
extern unsigned char rxbuf[RXBUF_SIZE];

double now(void);
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void note_error(const char *what, int err);
void note_bad(const char *what);
double self_cpu(void);
double proc_cpu(long pid);
double machine_cpu(void);
int ep_set(int fd, uint32_t events, void *ptr, int op);
void conn_close(struct conn *c);
int conn_want(struct conn *c, uint32_t events);
void resolve_target(void);
int tcp_start(struct conn *c, uint32_t events);
int connect_result(struct conn *c);
int tcp_flush(struct conn *c);
long check_echo(struct conn *c, const unsigned char *p, size_t n);
void fortune_check(struct conn *c);
void window_tick(double t);
int wait_ms(double t, double deadline);
uint64_t error_budget(void);

#endif
