/*
 * view_list.c - the list view of `aclsub decode`: one row per record, as
 * the historical tab-separated lines (tsv), an aligned table, CSV, or JSON
 * Lines.  CSV is msprof's op_summary: operators only, msprof's columns in
 * msprof's order (those the records cannot fill say N/A), with the model's
 * name and the operator's shapes, data types and formats from the stream's
 * descriptions (models.c), then aclsub's own; whole runs and control
 * records go to --control-csv FILE when it is given, in the all-records
 * layout (dec_list_control_*).  JSON Lines adds the model's name and the
 * operator's shapes where the stream describes them.  With --clock
 * realtime, times are CLOCK_REALTIME through the stream start's anchor.
 * Rows stream: nothing is kept between records but the descriptions.
 */
#include <inttypes.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "decoder/pipeline.h"
#include "decoder/textout.h"

const char *dec_flag_text(uint32_t f)
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

const char *dec_kind_text(uint8_t k)
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
    case ACLSUB_KIND_MODEL_DESC:
        return "model_desc";
    case ACLSUB_KIND_OP_DESC:
        return "op_desc";
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
        fputs("Device_id,Model Name,Model ID,Task ID,Stream ID,Infer ID,Op Name,OP Type,OP State,Task Type,"
              "Task Start Time(us),Task Duration(us),Task Wait Time(us),Block Dim,Mix Block Dim,HF32 Eligible,"
              "Input Shapes,Input Data Types,Input Formats,Output Shapes,Output Data Types,Output Formats,"
              "Context ID,Process ID,Sequence,start_ns,end_ns,duration_ns\n",
              out);
        break;
    default:
        break;
    }
}

/* What a row shows of a record beyond the record: its times on the chosen clock, its model's description. */
typedef struct row_info {
    uint64_t start, end;
    const dec_model *model; /* NULL: not described */
    const char *text;       /* the operator's description text, or NULL */
} row_info;

static void row_tsv(const aclsub_rec_view *v, const row_info *ri, FILE *out)
{
    fprintf(out, "%" PRIu32 "\t%s\t", v->model_id, dec_flag_text(v->flag));
    tx_tsv(out, v->type);
    fputc('\t', out);
    tx_tsv(out, v->name);
    fprintf(out, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", ri->start, ri->end, v->duration);
}

static void row_table(const aclsub_rec_view *v, const row_info *ri, FILE *out)
{
    char dur[32];
    tx_human(dur, sizeof dur, (double)v->duration);
    fprintf(out, "%10" PRIu32 "  %-12s  %10" PRIu32 "  %6" PRIu32 "  %8" PRIu64 "  %20" PRIu64 "  %9s  ", v->model_id,
            dec_kind_text(v->kind), v->pid, v->stream_id, v->iteration, ri->start, dur);
    char text[4 * ACLSUB_REC_NAME_CAP + 1];
    tx_put_tsv(text, v->type);
    tx_pad(out, text, 16, 0);
    fputs("  ", out);
    tx_put_tsv(text, v->name);
    fputs(text, out);
    fputc('\n', out);
}

#define PUT(lit) (memcpy(p, lit, sizeof lit - 1), p += sizeof lit - 1)

void dec_list_control_header(FILE *out)
{
    fputs("Model ID,Op Name,OP Type,Stream ID,Task Start Time(us),Task Duration(us),Task End Time(us),"
          "Process ID,Iteration,Sequence,Kind,Flag,start_ns,end_ns,duration_ns\n",
          out);
}

/* A row of --control-csv: any record, in the all-records layout. */
static void row_control_csv(const aclsub_rec_view *v, const row_info *ri, FILE *out)
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
    p = tx_put_us3_u(p, ri->start);
    *p++ = ',';
    p = tx_put_us3_u(p, v->duration);
    *p++ = ',';
    p = tx_put_us3_u(p, ri->end);
    *p++ = ',';
    p = tx_put_u64(p, v->pid);
    *p++ = ',';
    p = tx_put_u64(p, v->iteration);
    *p++ = ',';
    p = tx_put_u64(p, v->seq);
    *p++ = ',';
    p = stpcpy(p, dec_kind_text(v->kind));
    *p++ = ',';
    p = stpcpy(p, dec_flag_text(v->flag));
    *p++ = ',';
    p = tx_put_u64(p, ri->start);
    *p++ = ',';
    p = tx_put_u64(p, ri->end);
    *p++ = ',';
    p = tx_put_u64(p, v->duration);
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), out);
}

/* A row of msprof's op_summary: one operator. */
static void row_csv(const aclsub_rec_view *v, const row_info *ri, FILE *out)
{
    char fbuf[ACLSUB_DESC_TEXT_MAX + 1];
    const char *f[ACLSUB_DESC_FIELDS];
    dec_desc_fields(ri->text, fbuf, sizeof fbuf, f);
    char line[TX_CSV_MAX(ACLSUB_REC_NAME_CAP) + TX_CSV_MAX(ACLSUB_REC_TYPE_CAP) + TX_CSV_MAX(ACLSUB_REC_TYPE_CAP + 4) +
              TX_CSV_MAX(ACLSUB_DESC_TEXT_MAX) + 640],
        *p = line;
    p = tx_put_u64(p, v->dev_id);
    *p++ = ',';
    if (ri->model)
        p = tx_put_csv(p, ri->model->name, strlen(ri->model->name));
    *p++ = ',';
    p = tx_put_u64(p, v->model_id);
    *p++ = ',';
    p = tx_put_u64(p, v->op_index);
    *p++ = ',';
    p = tx_put_u64(p, v->stream_id);
    *p++ = ',';
    p = tx_put_u64(p, v->iteration);
    *p++ = ',';
    p = tx_put_csv(p, v->name, strlen(v->name));
    *p++ = ',';
    p = tx_put_csv(p, v->type, strlen(v->type));
    PUT(",N/A,N/A,");
    p = tx_put_us3_u(p, ri->start);
    *p++ = ',';
    p = tx_put_us3_u(p, v->duration);
    PUT(",N/A,N/A,N/A,N/A");
    for (int i = 0; i < ACLSUB_DESC_FIELDS; i++) {
        *p++ = ',';
        if (ri->text)
            p = tx_put_csv(p, f[i], strlen(f[i]));
        else
            PUT("N/A");
    }
    PUT(",N/A,");
    p = tx_put_u64(p, v->pid);
    *p++ = ',';
    p = tx_put_u64(p, v->seq);
    *p++ = ',';
    p = tx_put_u64(p, ri->start);
    *p++ = ',';
    p = tx_put_u64(p, ri->end);
    *p++ = ',';
    p = tx_put_u64(p, v->duration);
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), out);
}

static const char *const field_keys[ACLSUB_DESC_FIELDS] = {"input_shapes",  "input_data_types",  "input_formats",
                                                            "output_shapes", "output_data_types", "output_formats"};

static void row_jsonl(const aclsub_rec_view *v, const row_info *ri, FILE *out)
{
    char line[6 * (ACLSUB_REC_NAME_CAP + 2 * ACLSUB_REC_TYPE_CAP + ACLSUB_DESC_TEXT_MAX) + 900], *p = line;
    PUT("{\"model\":");
    p = tx_put_u64(p, v->model_id);
    PUT(",\"kind\":\"");
    p = stpcpy(p, dec_kind_text(v->kind));
    PUT("\",\"flag\":\"");
    p = stpcpy(p, dec_flag_text(v->flag));
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
    if (ri->model) {
        PUT(",\"model_name\":");
        p = tx_put_json(p, ri->model->name, strlen(ri->model->name));
        PUT(",\"device\":");
        p = tx_put_u64(p, ri->model->dev_id);
    }
    if (ri->text) {
        char fbuf[ACLSUB_DESC_TEXT_MAX + 1];
        const char *f[ACLSUB_DESC_FIELDS];
        dec_desc_fields(ri->text, fbuf, sizeof fbuf, f);
        for (int i = 0; i < ACLSUB_DESC_FIELDS; i++) {
            *p++ = ',';
            *p++ = '"';
            p = stpcpy(p, field_keys[i]);
            *p++ = '"';
            *p++ = ':';
            p = tx_put_json(p, f[i], strlen(f[i]));
        }
    }
    PUT(",\"start_ns\":");
    p = tx_put_u64(p, ri->start);
    PUT(",\"end_ns\":");
    p = tx_put_u64(p, ri->end);
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

void dec_list_row(const dec_opts *o, const dec_models *models, const aclsub_rec_view *v, uint32_t input, FILE *out,
                  FILE *control)
{
    row_info ri = {v->start, v->end, NULL, NULL};
    if (v->kind == ACLSUB_KIND_OP || v->kind == ACLSUB_KIND_RUN) {
        ri.model = dec_models_find(models, input, v->pid, v->model_id);
        if (v->kind == ACLSUB_KIND_OP)
            ri.text = dec_model_op_text(ri.model, v->op_index);
    }
    if (o->nfields) {
        /* The chosen columns; a CSV holds operators only, as without --fields. */
        if (o->format != DEC_FMT_CSV || v->kind == ACLSUB_KIND_OP)
            dec_fields_list_row(o, v, ri.start, ri.end, ri.model ? ri.model->name : NULL, ri.text, out);
        else if (control)
            row_control_csv(v, &ri, control);
        return;
    }
    switch (o->format) {
    case DEC_FMT_TSV:
        row_tsv(v, &ri, out);
        break;
    case DEC_FMT_TABLE:
        row_table(v, &ri, out);
        break;
    case DEC_FMT_CSV:
        if (v->kind == ACLSUB_KIND_OP)
            row_csv(v, &ri, out);
        else if (control)
            row_control_csv(v, &ri, control);
        break;
    case DEC_FMT_JSONL:
        row_jsonl(v, &ri, out);
        break;
    default:
        break;
    }
}
