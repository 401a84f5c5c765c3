#!/usr/bin/python3
"""api_table.py [--write | --check] - the section "The whole surface" of docs/API.md.

For every function of the vendor's headers (the lists in tests/data/vendor_api/),
its status on the emulated device, read from the sources:

  unsupported  exported by one of the EMU_UNSUPPORTED* macros (shim/unsupported_*.c):
               answers ACL_ERROR_FEATURE_UNSUPPORTED (or its documented failure
               value) and writes one line on stderr the first time
  differs      implemented, with a deliberate difference documented where DIFFERS says
  implemented  defined in shim/ and not listed in DIFFERS
  MISSING      none of these (tests/shell/check_api_surface.sh then fails)

With no option it prints the section; --write replaces it in docs/API.md (between
the BEGIN and END markers); --check exits 1, printing a diff, when docs/API.md is
not what --write would make.  Run from the repository root.
"""
import difflib
import textwrap
import glob
import re
import sys

LISTS = [  # vendor header, list, our header
    ('acl_rt.h', 'tests/data/vendor_api/acl_rt.txt', 'acl_rt.h'),
    ('acl_base_rt.h', 'tests/data/vendor_api/acl_base_rt.txt', 'acl_base.h'),
    ('acl_base_mdl.h', 'tests/data/vendor_api/acl_base_mdl.txt', 'acl_base.h'),
    ('acl_mdl.h', 'tests/data/vendor_api/acl_mdl.txt', 'acl_mdl.h'),
    ('acl_prof.h', 'tests/data/vendor_api/acl_prof.txt', 'acl_prof.h'),
]

# Implemented functions that deliberately differ from the vendor, and where it is said.
DIFFERS = {
    'aclInit': 'the configuration file\'s content is ignored (acl.h)',
    'aclrtResetDeviceForce': 'difference 1 above',
    'aclrtGetMemInfo': 'difference 2 above',
    'aclrtGetSocName': 'difference 3 above',
    'aclAppLog': 'difference 4 above',
    'aclprofCreateSubscribeConfig': 'copies the fd, never writes into it (acl_prof.h)',
    'aclprofModelSubscribe': 'a closed reader drops records instead of SIGPIPE (acl_prof.h)',
    'aclprofGetOpTypeLen': 'strings can be read any number of times (acl_prof.h)',
    'aclprofGetOpNameLen': 'strings can be read any number of times (acl_prof.h)',
    'aclprofGetOpType': 'a short buffer fails instead of truncating (acl_prof.h)',
    'aclprofGetOpName': 'a short buffer fails instead of truncating (acl_prof.h)',
    'aclprofGetModelId': 'errors answer ACL_PROF_INVALID_MODEL_ID (acl_prof.h)',
    'aclprofGetOpFlag': 'errors answer ACL_SUBSCRIBE_NONE (acl_prof.h)',
    'aclprofGetOpAttriValue': 'a thread-local string (acl_prof.h)',
}

DOC = 'docs/API.md'
BEGIN = '<!-- BEGIN api_table: written by scripts/api_table.py --write; do not edit by hand -->'
END = '<!-- END api_table -->'

# Counted from the headers at commit 0886bf3, before the declarations of the whole surface.
BEFORE = ('Before, 76 of the 526 functions of `acl_rt.h`, `acl_base_rt.h`, `acl_prof.h` and '
          '`acl_mdl.h` were exported (the count of issue 14); counting `acl_base_mdl.h` too, '
          '102 of 552 were declared.')


def read(path):
    with open(path) as f:
        return f.read()


def unsupported_names():
    names = set()
    for path in sorted(glob.glob('shim/unsupported_*.c')):
        for m in re.finditer(r'^EMU_UNSUPPORTED\w*\(([^(]*?),\s*\(', read(path), re.M):
            names.add(m.group(1).split(',')[-1].strip())
    return names


def defined_names():
    names = set()
    # The runtime is shim/ and shim/engine/, plus the record accessors it links (decoder/record/).
    for path in sorted(glob.glob('shim/*.c') + glob.glob('shim/engine/*.c') + glob.glob('decoder/record/*.c')):
        if path.startswith('shim/unsupported_'):
            continue
        for m in re.finditer(r'^[A-Za-z][\w \*]*?\b(acl\w+)\([^;{]*$', read(path), re.M):
            names.add(m.group(1))
    return names


def declared_in():
    where = {}
    for path in sorted(glob.glob('include/acl/*.h')):
        text = re.sub(r'/\*.*?\*/', ' ', read(path), flags=re.S)
        for m in re.finditer(r'ACL_FUNC_VISIBILITY[^;(]*?\b(acl\w+)\s*\(', text):
            where.setdefault(m.group(1), path.split('/')[-1])
    return where


def para(text):
    return '\n'.join(textwrap.wrap(text, 78, break_on_hyphens=False))


def section():
    stub, impl, decl = unsupported_names(), defined_names(), declared_in()
    out, rows, totals = [], [], []
    for vendor, listfile, ours in LISTS:
        names = read(listfile).split()
        count = {'implemented': 0, 'differs': 0, 'unsupported': 0, 'MISSING': 0}
        rows.append('')
        rows.append('### `%s` (ours: `%s`)' % (vendor, ours))
        rows.append('')
        rows.append('| function | status | note |')
        rows.append('|---|---|---|')
        for n in names:
            note = ''
            if n in stub and n in impl:
                status = 'MISSING'
                note = 'both stubbed and defined'
            elif n in stub:
                status = 'unsupported'
            elif n in impl and n in DIFFERS:
                status, note = 'differs', DIFFERS[n]
            elif n in impl:
                status = 'implemented'
            else:
                status = 'MISSING'
            if n not in decl:
                status, note = 'MISSING', 'not declared in include/acl/'
            elif decl[n] != ours and status != 'MISSING':
                note = (note + '; ' if note else '') + 'declared in `%s`' % decl[n]
            count[status] += 1
            rows.append('| `%s` | %s | %s |' % (n, status, note))
        exported = len(names) - count['MISSING']
        totals.append((vendor, len(names), exported, count))
    all_n = sum(t[1] for t in totals)
    all_e = sum(t[2] for t in totals)
    out.append(BEGIN)
    out.append('')
    out.append('## The whole surface')
    out.append('')
    out.append(para('Every function the vendor\'s `acl_rt.h`, `acl_base_rt.h`, `acl_base_mdl.h`, '
               '`acl_mdl.h` and `acl_prof.h` declare is declared in `include/acl/` with the '
               'vendor\'s signature and exported by the emulated `libascendcl.so`, so any program '
               'written against those headers compiles and links. Status: **implemented** (as '
               'the vendor), **differs** (implemented, with a deliberate difference, documented '
               'where the note says), **unsupported** (answers `ACL_ERROR_FEATURE_UNSUPPORTED` '
               '200006 — NULL for a pointer or handle, 0xFFFFFFFF from the '
               '`aclrtGet*FromExceptionInfo` getters, 0 from `aclprofStr2Id`, nothing for void — '
               'and writes one line on stderr, `libascendcl: NAME is not supported on the '
               'emulated device`, the first time a process calls it; see `shim/unsupported.h`).'))
    out.append('')
    out.append(para('**%d of %d exported.** %s' % (all_e, all_n, BEFORE)))
    out.append('')
    for vendor, n, e, c in totals:
        line = '- `%s`: %d of %d exported: %d implemented, %d with documented differences, ' \
               '%d answer `ACL_ERROR_FEATURE_UNSUPPORTED`' % (vendor, e, n, c['implemented'], c['differs'],
                                                              c['unsupported'])
        if c['MISSING']:
            line += ', **%d missing**' % c['MISSING']
        out.append(line)
    out.append('')
    out.append(para('The lists of names, and where they were read, are in `tests/data/vendor_api/`; '
               '`tests/shell/check_api_surface.sh` checks every name against `nm -D` and the '
               'headers, and that this table is what `scripts/api_table.py` makes.'))
    out += rows
    out.append('')
    out.append(END)
    return '\n'.join(out) + '\n'


def replaced(doc, new):
    if BEGIN in doc:
        i = doc.index(BEGIN)
        j = doc.index(END) + len(END) + 1
        return doc[:i] + new + doc[j:]
    return doc.rstrip('\n') + '\n\n' + new


def main():
    new = section()
    if len(sys.argv) == 1:
        sys.stdout.write(new)
        return 0
    doc = read(DOC)
    want = replaced(doc, new)
    if sys.argv[1] == '--write':
        if want != doc:
            with open(DOC, 'w') as f:
                f.write(want)
        return 0
    if sys.argv[1] == '--check':
        if want == doc:
            return 0
        sys.stdout.writelines(difflib.unified_diff(doc.splitlines(True), want.splitlines(True), DOC,
                                                   DOC + ' (scripts/api_table.py)', n=1))
        return 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
