/*
 * view_list.c - the list view of `aclsub decode`: one row per record, as
 * the historical tab-separated lines (tsv), an aligned table, CSV with
 * msprof's column names plus raw nanoseconds, or JSON Lines.  Rows stream:
 * nothing is kept between records.
 */
#include <inttypes.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "decoder/pipeline.h"
#include "decoder/textout.h"

static const char *flag_text(uint32_t f)
{
    switch (f) {
    case ACL_SUBSCRIBE_OP:
        return "op";
    case ACL_SUBSCRIBE_SUBGRAPH:
        return "subgraph";
    case ACL_SUBSCRIBE_OP_THREAD:
        return "op_thread";
    default:
        return "none";
    }
}

static const char *kind_text(uint8_t k)
{
    switch (k) {
    case ACLSUB_KIND_OP:
        return "op";
    case ACLSUB_KIND_RUN:
        return "run";
    case ACLSUB_KIND_STREAM_START:
        return "stream_start";
    case ACLSUB_KIND_LOST:
        return "records_lost";
    case ACLSUB_KIND_STREAM_END:
        return "stream_end";
    default:
        return "unknown";
    }
}

void dec_list_header(const dec_opts *o, FILE *out)
{
    if (o->nfields) {
        dec_fields_list_header(o, out);
        return;
    }
    switch (o->format) {
    case DEC_FMT_TSV:
        fputs("model\tflag\ttype\tname\tstart_ns\tend_ns\tduration_ns\n", out);
        break;
    case DEC_FMT_TABLE:
        fprintf(out, "%10s  %-12s  %10s  %6s  %8s  %20s  %9s  %-16s  %s\n", "model", "kind", "pid", "stream",
                "iter", "start_ns", "duration", "type", "name");
        break;
    case DEC_FMT_CSV:
        fputs("Model ID,Op Name,OP Type,Stream ID,Task Start Time(us),Task Duration(us),Task End Time(us),"
              "Process ID,Iteration,Sequence,Kind,Flag,start_ns,end_ns,duration_ns\n",
              out);
        break;
    default:
        break;
    }
}

static void row_tsv(const aclsub_rec_view *v, FILE *out)
{
    fprintf(out, "%" PRIu32 "\t%s\t", v->model_id, flag_text(v->flag));
    tx_tsv(out, v->type);
    fputc('\t', out);
    tx_tsv(out, v->name);
    fprintf(out, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", v->start, v->end, v->duration);
}

static void row_table(const aclsub_rec_view *v, FILE *out)
{
    char dur[32];
    tx_human(dur, sizeof dur, (double)v->duration);
    fprintf(out, "%10" PRIu32 "  %-12s  %10" PRIu32 "  %6" PRIu32 "  %8" PRIu64 "  %20" PRIu64 "  %9s  ", v->model_id,
            kind_text(v->kind), v->pid, v->stream_id, v->iteration, v->start, dur);
    char text[4 * ACLSUB_REC_NAME_CAP + 1];
    tx_put_tsv(text, v->type);
    tx_pad(out, text, 16, 0);
    fputs("  ", out);
    tx_put_tsv(text, v->name);
    fputs(text, out);
    fputc('\n', out);
}

#define PUT(lit) (memcpy(p, lit, sizeof lit - 1), p += sizeof lit - 1)

static void row_csv(const aclsub_rec_view *v, FILE *out)
{
    char line[TX_CSV_MAX(ACLSUB_REC_NAME_CAP) + TX_CSV_MAX(ACLSUB_REC_TYPE_CAP) + 512], *p = line;
    p = tx_put_u64(p, v->model_id);
    *p++ = ',';
    p = tx_put_csv(p, v->name, strlen(v->name));
    *p++ = ',';
    p = tx_put_csv(p, v->type, strlen(v->type));
    *p++ = ',';
    p = tx_put_u64(p, v->stream_id);
    *p++ = ',';
    p = tx_put_us3_u(p, v->start);
    *p++ = ',';
    p = tx_put_us3_u(p, v->duration);
    *p++ = ',';
    p = tx_put_us3_u(p, v->end);
    *p++ = ',';
    p = tx_put_u64(p, v->pid);
    *p++ = ',';
    p = tx_put_u64(p, v->iteration);
    *p++ = ',';
    p = tx_put_u64(p, v->seq);
    *p++ = ',';
    p = stpcpy(p, kind_text(v->kind));
    *p++ = ',';
    p = stpcpy(p, flag_text(v->flag));
    *p++ = ',';
    p = tx_put_u64(p, v->start);
    *p++ = ',';
    p = tx_put_u64(p, v->end);
    *p++ = ',';
    p = tx_put_u64(p, v->duration);
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), out);
}

static void row_jsonl(const aclsub_rec_view *v, FILE *out)
{
    char line[6 * (ACLSUB_REC_NAME_CAP + ACLSUB_REC_TYPE_CAP) + 640], *p = line;
    PUT("{\"model\":");
    p = tx_put_u64(p, v->model_id);
    PUT(",\"kind\":\"");
    p = stpcpy(p, kind_text(v->kind));
    PUT("\",\"flag\":\"");
    p = stpcpy(p, flag_text(v->flag));
    PUT("\",\"pid\":");
    p = tx_put_u64(p, v->pid);
    PUT(",\"stream\":");
    p = tx_put_u64(p, v->stream_id);
    PUT(",\"iteration\":");
    p = tx_put_u64(p, v->iteration);
    PUT(",\"seq\":");
    p = tx_put_u64(p, v->seq);
    PUT(",\"op_index\":");
    p = tx_put_u64(p, v->op_index);
    PUT(",\"thread\":");
    p = tx_put_u64(p, v->thread_id);
    PUT(",\"type\":");
    p = tx_put_json(p, v->type, strlen(v->type));
    PUT(",\"name\":");
    p = tx_put_json(p, v->name, strlen(v->name));
    PUT(",\"start_ns\":");
    p = tx_put_u64(p, v->start);
    PUT(",\"end_ns\":");
    p = tx_put_u64(p, v->end);
    PUT(",\"duration_ns\":");
    p = tx_put_u64(p, v->duration);
    if (dec_is_control(v)) {
        PUT(",\"args\":[");
        for (int i = 0; i < ACLSUB_REC_NARGS; i++) {
            if (i)
                *p++ = ',';
            p = tx_put_u64(p, v->arg[i]);
        }
        *p++ = ']';
    }
    PUT("}\n");
    fwrite(line, 1, (size_t)(p - line), out);
}

void dec_list_row(const dec_opts *o, const aclsub_rec_view *v, FILE *out)
{
    if (o->nfields) {
        dec_fields_list_row(o, v, out);
        return;
    }
    switch (o->format) {
    case DEC_FMT_TSV:
        row_tsv(v, out);
        break;
    case DEC_FMT_TABLE:
        row_table(v, out);
        break;
    case DEC_FMT_CSV:
        row_csv(v, out);
        break;
    case DEC_FMT_JSONL:
        row_jsonl(v, out);
        break;
    default:
        break;
    }
}
