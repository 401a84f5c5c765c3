/*
 * view_sqlite.c - `aclsub decode --format sqlite -o FILE`: the records as
 * an SQLite database (Debian's libsqlite3), its schema in
 * aclsub-decode(1), "SQLITE DATABASE".
 *
 * Tables: streams (one row per recording stream: per stream start, or per
 * (input, pid) for records that come without one; the host, command line
 * and CLOCK_REALTIME anchor of the start, the counts of the stream end and
 * the records-lost notices), models (one per (stream, model id) and
 * description: name, file and device from the stream's model description,
 * NULL without one), operators (one per (model, index, type, name), with
 * the shapes, data types and formats of the stream's operator description,
 * NULL without one), executions (one row per operator record) and executes (one row
 * per whole-run record).  Views op_summary and op_statistic have msprof's
 * column names.  FILE is created new (an existing one is left as it is and
 * the decode fails; ":memory:" makes no file) and removed again if the
 * decode fails.  All rows go in one transaction through prepared
 * statements with bound parameters; text is made valid UTF-8 (each bad
 * byte becomes U+FFFD).  Control records reach this view unfiltered.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoder/out_path.h"
#include "decoder/pipeline.h"
#include "decoder/textout.h"

static const char schema[] =
    "PRAGMA journal_mode=OFF;\n"
    "PRAGMA synchronous=OFF;\n"
    "CREATE TABLE streams(id INTEGER PRIMARY KEY, input INTEGER NOT NULL, pid INTEGER NOT NULL,\n"
    "  parent_pid INTEGER, host TEXT, cmd TEXT, clock_id INTEGER, start_ns INTEGER, realtime_ns INTEGER,\n"
    "  end_ns INTEGER, records INTEGER, dropped INTEGER, models_subscribed INTEGER,\n"
    "  lost_notices INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE models(id INTEGER PRIMARY KEY, stream INTEGER NOT NULL REFERENCES streams(id),\n"
    "  pid INTEGER NOT NULL, host TEXT, cmd TEXT, model_id INTEGER NOT NULL, device_id INTEGER,\n"
    "  name TEXT, file TEXT);\n"
    "CREATE TABLE operators(id INTEGER PRIMARY KEY, model INTEGER NOT NULL REFERENCES models(id),\n"
    "  op_index INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,\n"
    "  input_shapes TEXT, input_data_types TEXT, input_formats TEXT,\n"
    "  output_shapes TEXT, output_data_types TEXT, output_formats TEXT);\n"
    "CREATE TABLE executions(id INTEGER PRIMARY KEY, operator INTEGER NOT NULL REFERENCES operators(id),\n"
    "  model INTEGER NOT NULL REFERENCES models(id), start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,\n"
    "  duration_ns INTEGER NOT NULL, iteration INTEGER NOT NULL, stream_id INTEGER NOT NULL,\n"
    "  seq INTEGER NOT NULL);\n"
    "CREATE TABLE executes(id INTEGER PRIMARY KEY, model INTEGER NOT NULL REFERENCES models(id),\n"
    "  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL,\n"
    "  iteration INTEGER NOT NULL, stream_id INTEGER NOT NULL, seq INTEGER NOT NULL);\n"
    "CREATE VIEW op_summary AS SELECT m.device_id AS \"Device_id\", m.name AS \"Model Name\",\n"
    "  m.model_id AS \"Model ID\", e.stream_id AS \"Stream ID\", o.name AS \"Op Name\", o.type AS \"OP Type\",\n"
    "  NULL AS \"Task Type\", e.start_ns / 1000.0 AS \"Task Start Time(us)\",\n"
    "  e.duration_ns / 1000.0 AS \"Task Duration(us)\", o.input_shapes AS \"Input Shapes\",\n"
    "  o.input_data_types AS \"Input Data Types\", o.input_formats AS \"Input Formats\",\n"
    "  o.output_shapes AS \"Output Shapes\", o.output_data_types AS \"Output Data Types\",\n"
    "  o.output_formats AS \"Output Formats\", e.iteration AS \"Iteration\", m.pid AS \"Process ID\"\n"
    "  FROM executions e JOIN operators o ON o.id = e.operator JOIN models m ON m.id = e.model\n"
    "  ORDER BY e.start_ns, e.id;\n"
    "CREATE VIEW op_statistic AS SELECT m.device_id AS \"Device_id\", o.type AS \"OP Type\",\n"
    "  NULL AS \"Core Type\", count(*) AS \"Count\", sum(e.duration_ns) / 1000.0 AS \"Total Time(us)\",\n"
    "  min(e.duration_ns) / 1000.0 AS \"Min Time(us)\", avg(e.duration_ns) / 1000.0 AS \"Avg Time(us)\",\n"
    "  max(e.duration_ns) / 1000.0 AS \"Max Time(us)\",\n"
    "  100.0 * sum(e.duration_ns) / (SELECT sum(duration_ns) FROM executions) AS \"Ratio(%)\"\n"
    "  FROM executions e JOIN operators o ON o.id = e.operator JOIN models m ON m.id = e.model\n"
    "  GROUP BY m.device_id, o.type ORDER BY sum(e.duration_ns) DESC, o.type;\n"
    "BEGIN;\n";

enum { S_STREAM, S_STREAM_END, S_STREAM_LOST, S_MODEL, S_OP, S_EXEC, S_RUN, NSTMT };
static const char *const stmt_sql[NSTMT] = {
    "INSERT INTO streams(input, pid, parent_pid, host, cmd, clock_id, start_ns, realtime_ns)"
    " VALUES(?,?,?,?,?,?,?,?)",
    "UPDATE streams SET end_ns = ?, records = ?, dropped = ?, models_subscribed = ? WHERE id = ?",
    "UPDATE streams SET lost_notices = lost_notices + 1, lost = lost + ? WHERE id = ?",
    "INSERT INTO models(stream, pid, host, cmd, model_id, device_id, name, file) VALUES(?,?,?,?,?,?,?,?)",
    "INSERT INTO operators(model, op_index, name, type, input_shapes, input_data_types, input_formats,"
    " output_shapes, output_data_types, output_formats) VALUES(?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO executions(operator, model, start_ns, end_ns, duration_ns, iteration, stream_id, seq)"
    " VALUES(?,?,?,?,?,?,?,?)",
    "INSERT INTO executes(model, start_ns, end_ns, duration_ns, iteration, stream_id, seq) VALUES(?,?,?,?,?,?,?)",
};

/* One key of the row map: a stream (input, pid), a model (stream row, id) or an operator. */
typedef struct row_key {
    uint64_t a, b; /* stream: kind 0, input << 32 | pid; model: 1, row; operator: model row, index */
    char *s;       /* operator: "type\0name"; else NULL */
    size_t slen;
    int64_t row;
    int used;
} row_key;

struct dec_sqlite {
    const dec_models *models; /* the streams' model descriptions */
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT];
    const char *path;
    int force; /* --force: an existing FILE is removed first */
    FILE *err;
    int failed, made_file;
    row_key *map;
    size_t nmap, used;
};

static uint64_t key_hash(uint64_t a, uint64_t b, const char *s, size_t n)
{
    uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static int map_grow(dec_sqlite *d)
{
    size_t n = d->nmap ? d->nmap * 2 : 256;
    row_key *m = calloc(n, sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < d->nmap; i++) {
        row_key *k = &d->map[i];
        if (!k->used)
            continue;
        size_t j = (size_t)key_hash(k->a, k->b, k->s, k->slen) & (n - 1);
        while (m[j].used)
            j = (j + 1) & (n - 1);
        m[j] = *k;
    }
    free(d->map);
    d->map = m;
    d->nmap = n;
    return 0;
}

/* The entry of a key (s, n may be NULL, 0), created with row 0 when new; NULL when out of memory. */
static row_key *map_get(dec_sqlite *d, uint64_t a, uint64_t b, const char *s, size_t n)
{
    if ((d->used + 1) * 2 > d->nmap && map_grow(d) < 0)
        return NULL;
    size_t j = (size_t)key_hash(a, b, s, n) & (d->nmap - 1);
    for (; d->map[j].used; j = (j + 1) & (d->nmap - 1)) {
        row_key *k = &d->map[j];
        if (k->a == a && k->b == b && k->slen == n && (!n || memcmp(k->s, s, n) == 0))
            return k;
    }
    row_key *k = &d->map[j];
    *k = (row_key){.a = a, .b = b, .slen = n, .used = 1};
    if (n && !(k->s = malloc(n))) {
        k->used = 0;
        return NULL;
    }
    if (n)
        memcpy(k->s, s, n);
    d->used++;
    return k;
}

static void db_error(dec_sqlite *d, const char *what)
{
    if (!d->failed)
        fprintf(d->err, "aclsub decode: %s: %s: %s\n", d->path, what, d->db ? sqlite3_errmsg(d->db) : "out of memory");
    d->failed = 1;
}

static void bind_u64(sqlite3_stmt *s, int i, uint64_t v)
{
    sqlite3_bind_int64(s, i, (sqlite3_int64)v); /* values past INT64_MAX read back negative */
}

/* Up to cap bytes of str as valid UTF-8 (U+FFFD for bad bytes), or NULL; cap at most ACLSUB_DESC_TEXT_MAX. */
static void bind_text_cap(sqlite3_stmt *s, int i, const char *str, size_t cap)
{
    if (!str) {
        sqlite3_bind_null(s, i);
        return;
    }
    char buf[3 * (ACLSUB_DESC_TEXT_MAX + 1)];
    size_t n = strnlen(str, cap);
    char *e = tx_put_utf8(buf, str, n);
    sqlite3_bind_text(s, i, buf, (int)(e - buf), SQLITE_TRANSIENT);
}

/* A record's name or type. */
static void bind_text(sqlite3_stmt *s, int i, const char *str)
{
    bind_text_cap(s, i, str, ACLSUB_REC_NAME_CAP);
}

/* Text that may be longer than a record's name (description fields). */
static void bind_long_text(sqlite3_stmt *s, int i, const char *str)
{
    bind_text_cap(s, i, str, ACLSUB_DESC_TEXT_MAX);
}

/* Runs a statement whose parameters are bound; the new row's id. */
static int64_t step(dec_sqlite *d, int which)
{
    sqlite3_stmt *s = d->st[which];
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) {
        db_error(d, "insert");
        return 0;
    }
    return sqlite3_last_insert_rowid(d->db);
}

/* Creates FILE (never an existing one) and opens it with the schema and the statements. */
static int open_db(dec_sqlite *d)
{
    if (strcmp(d->path, ":memory:") != 0) {
        int room = out_path_make_room(d->path, d->force, "aclsub decode", d->err); /* a new database, never one written into */
        if (room != 0) {
            if (room == 1)
                fprintf(d->err, "aclsub decode: %s: not a regular file: a database needs one\n", d->path);
            return -1;
        }
        int fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            fprintf(d->err, "aclsub decode: %s%s\n", d->path,
                    errno == EEXIST ? " exists: left as it is (--force replaces it)" : ": cannot create it");
            return -1;
        }
        close(fd);
        d->made_file = 1;
    }
    if (sqlite3_open_v2(d->path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        db_error(d, "open");
        return -1;
    }
    if (sqlite3_exec(d->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        db_error(d, "schema");
        return -1;
    }
    for (int i = 0; i < NSTMT; i++)
        if (sqlite3_prepare_v2(d->db, stmt_sql[i], -1, &d->st[i], NULL) != SQLITE_OK) {
            db_error(d, "prepare");
            return -1;
        }
    return 0;
}

dec_sqlite *dec_sqlite_new(const dec_opts *o, const dec_models *models, FILE *err)
{
    dec_sqlite *d = calloc(1, sizeof *d);
    if (!d) {
        fprintf(err, "aclsub decode: out of memory\n");
        return NULL;
    }
    d->path = o->output;
    d->force = o->force;
    d->models = models;
    d->err = err;
    if (open_db(d) < 0) {
        dec_sqlite_free(d);
        return NULL;
    }
    return d;
}

/* --- rows ------------------------------------------------------------------------------ */

static row_key *stream_key(dec_sqlite *d, uint32_t input, uint32_t pid)
{
    return map_get(d, 0, (uint64_t)input << 32 | pid, NULL, 0);
}

/* A new streams row for (input, pid); v is its stream start, or NULL for records without one. */
static int64_t new_stream(dec_sqlite *d, uint32_t input, uint32_t pid, const aclsub_rec_view *v)
{
    sqlite3_stmt *s = d->st[S_STREAM];
    bind_u64(s, 1, input);
    bind_u64(s, 2, pid);
    if (v) {
        char host[ACLSUB_REC_NAME_CAP + 1];
        dec_start_host(v, host, sizeof host);
        bind_u64(s, 3, v->arg[0]);
        bind_text(s, 4, host);
        bind_text(s, 5, dec_start_cmd(v));
        bind_u64(s, 6, v->arg[1]);
        bind_u64(s, 7, v->start);
        bind_u64(s, 8, v->arg[2]);
    }
    return step(d, S_STREAM);
}

/* The streams row records of (input, pid) belong to, made when there is none; 0 on failure. */
static int64_t stream_row(dec_sqlite *d, uint32_t input, uint32_t pid)
{
    row_key *k = stream_key(d, input, pid);
    if (!k) {
        d->failed = 1;
        return 0;
    }
    if (!k->row)
        k->row = new_stream(d, input, pid, NULL);
    return k->row;
}

static void control(dec_sqlite *d, const aclsub_rec_view *v, uint32_t input)
{
    if (v->kind == ACLSUB_KIND_STREAM_START) {
        row_key *k = stream_key(d, input, v->pid);
        if (k)
            k->row = new_stream(d, input, v->pid, v);
        else
            d->failed = 1;
        return;
    }
    int64_t row = stream_row(d, input, v->pid);
    if (v->kind == ACLSUB_KIND_STREAM_END) {
        sqlite3_stmt *s = d->st[S_STREAM_END];
        bind_u64(s, 1, v->start);
        bind_u64(s, 2, v->arg[0]);
        bind_u64(s, 3, v->arg[1]);
        bind_u64(s, 4, v->arg[2]);
        sqlite3_bind_int64(s, 5, row);
        step(d, S_STREAM_END);
    } else if (v->kind == ACLSUB_KIND_LOST) {
        sqlite3_stmt *s = d->st[S_STREAM_LOST];
        bind_u64(s, 1, v->arg[0]);
        sqlite3_bind_int64(s, 2, row);
        step(d, S_STREAM_LOST);
    }
}

/*
 * The models row of v's model in its stream, made from v and the stream's
 * description of the model when new; 0 on failure.  A model described anew
 * (a new subscription of the id) is a new row.
 */
static int64_t model_row(dec_sqlite *d, const aclsub_rec_view *v, uint32_t input, const dec_model **described)
{
    int64_t stream = stream_row(d, input, v->pid);
    const dec_model *m = dec_models_find(d->models, input, v->pid, v->model_id);
    *described = m;
    uint64_t gen = m ? m->gen : 0;
    row_key *k = stream ? map_get(d, 1, (uint64_t)stream << 32 | v->model_id, (const char *)&gen, sizeof gen) : NULL;
    if (!k) {
        d->failed = 1;
        return 0;
    }
    if (k->row)
        return k->row;
    sqlite3_stmt *s = d->st[S_MODEL];
    sqlite3_bind_int64(s, 1, stream);
    bind_u64(s, 2, v->pid);
    sqlite3_bind_null(s, 3); /* host and cmd, copied from the stream below */
    sqlite3_bind_null(s, 4);
    bind_u64(s, 5, v->model_id);
    bind_u64(s, 6, m ? m->dev_id : v->dev_id);
    bind_text(s, 7, m ? m->name : NULL);
    bind_text(s, 8, m ? m->file : NULL);
    k->row = step(d, S_MODEL);
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE models SET host = (SELECT host FROM streams WHERE id = %" PRId64 "),"
             " cmd = (SELECT cmd FROM streams WHERE id = %" PRId64 ") WHERE id = %" PRId64,
             stream, stream, k->row);
    if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        db_error(d, "update");
    return k->row;
}

/* The operators row of v in its model (m: its description, or NULL); 0 on failure. */
static int64_t operator_row(dec_sqlite *d, const aclsub_rec_view *v, int64_t model, const dec_model *m)
{
    char key[ACLSUB_REC_TYPE_CAP + ACLSUB_REC_NAME_CAP + 2];
    size_t tl = strlen(v->type), nl = strlen(v->name);
    memcpy(key, v->type, tl + 1);
    memcpy(key + tl + 1, v->name, nl);
    row_key *k = map_get(d, (uint64_t)model + 2, v->op_index, key, tl + 1 + nl);
    if (!k) {
        d->failed = 1;
        return 0;
    }
    if (!k->row) {
        sqlite3_stmt *s = d->st[S_OP];
        sqlite3_bind_int64(s, 1, model);
        bind_u64(s, 2, v->op_index);
        bind_text(s, 3, v->name);
        bind_text(s, 4, v->type);
        const char *text = dec_model_op_text(m, v->op_index), *f[ACLSUB_DESC_FIELDS];
        char fbuf[ACLSUB_DESC_TEXT_MAX + 1];
        dec_desc_fields(text, fbuf, sizeof fbuf, f);
        for (int i = 0; i < ACLSUB_DESC_FIELDS; i++)
            bind_long_text(s, 5 + i, text ? f[i] : NULL);
        k->row = step(d, S_OP);
    }
    return k->row;
}

static void times(sqlite3_stmt *s, int i, const aclsub_rec_view *v)
{
    bind_u64(s, i, v->start);
    bind_u64(s, i + 1, v->end);
    bind_u64(s, i + 2, v->duration);
    bind_u64(s, i + 3, v->iteration);
    bind_u64(s, i + 4, v->stream_id);
    bind_u64(s, i + 5, v->seq);
}

void dec_sqlite_event(dec_sqlite *d, const aclsub_rec_view *v, uint32_t input)
{
    if (d->failed)
        return;
    if (dec_is_control(v)) {
        control(d, v, input);
        return;
    }
    if (v->kind != ACLSUB_KIND_OP && v->kind != ACLSUB_KIND_RUN)
        return;
    const dec_model *m = NULL;
    int64_t model = model_row(d, v, input, &m);
    if (!model)
        return;
    if (v->kind == ACLSUB_KIND_RUN) {
        sqlite3_bind_int64(d->st[S_RUN], 1, model);
        times(d->st[S_RUN], 2, v);
        step(d, S_RUN);
        return;
    }
    int64_t op = operator_row(d, v, model, m);
    if (!op)
        return;
    sqlite3_bind_int64(d->st[S_EXEC], 1, op);
    sqlite3_bind_int64(d->st[S_EXEC], 2, model);
    times(d->st[S_EXEC], 3, v);
    step(d, S_EXEC);
}

int dec_sqlite_finish(dec_sqlite *d)
{
    if (!d->failed && sqlite3_exec(d->db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK)
        db_error(d, "commit");
    if (d->failed && !d->err) /* cannot happen: the error stream is always given */
        return -1;
    return d->failed ? -1 : 0;
}

void dec_sqlite_free(dec_sqlite *d)
{
    if (!d)
        return;
    for (int i = 0; i < NSTMT; i++)
        sqlite3_finalize(d->st[i]);
    if (d->db && sqlite3_close(d->db) != SQLITE_OK && !d->failed)
        db_error(d, "close");
    if (d->failed && d->made_file)
        unlink(d->path);
    for (size_t i = 0; i < d->nmap; i++)
        free(d->map[i].s);
    free(d->map);
    free(d);
}
