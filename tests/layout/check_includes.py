#!/usr/bin/python3
"""check_includes.py [ROOT] - the include rules of the tree (docs/ARCHITECTURE.md).

1. Every quoted include is qualified by its folder: it names a file from the
   repository root ("shim/engine/graph.h") or from include/ ("acl/acl.h"),
   or a generated file ("gen/onnx.pb-c.h").  Two kinds of file may include
   a header beside them by its bare name, as the vendor's do: the public
   headers under include/ (programs put include/acl/ on their path too), and
   programs built the way a vendor's program is (examples/*.c,
   tests/progs/app_*.c, compiled against include/ only; tests/samples/,
   compiled against the installed headers only).
2. The folders do not include each other in a cycle.

Prints each violation on a line of its own and a closing "N passed, N failed"
line (one item per rule); exits 1 when a rule is broken.
"""
import os
import re
import subprocess
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else '.'
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    out = subprocess.run(['git', '-C', ROOT, 'ls-files', '--cached', '--others', '--exclude-standard',
                          '*.c', '*.h'], capture_output=True, text=True)
    if out.returncode == 0:
        return sorted(f for f in out.stdout.split() if os.path.exists(os.path.join(ROOT, f)))
    found = []
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = [x for x in dirs if x not in ('build', '.git')]
        found += [os.path.relpath(os.path.join(d, f), ROOT) for f in files if f.endswith(('.c', '.h'))]
    return sorted(found)


def vendor_shaped(path):
    return (path.startswith(('examples/', 'include/', 'tests/samples/'))
            or re.match(r'tests/progs/app_[^/]*\.c$', path) is not None)


def resolve(path, target):
    """The repository path an include names, or None when it is not qualified."""
    for base in ('', 'include/'):
        if os.path.isfile(os.path.join(ROOT, base + target)):
            return base + target
    if target.startswith('gen/'):
        return target
    sibling = os.path.join(os.path.dirname(path), target)
    if vendor_shaped(path) and os.path.isfile(os.path.join(ROOT, sibling)):
        return sibling
    return None


def folder(path):
    d = os.path.dirname(path)
    return 'include' if d.startswith('include') else d


def find_cycle(edges):
    """One cycle of the folder graph as a list of folders, or None."""
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node, [])
            if cycle:
                return cycle
    return None


def main():
    bad_includes = 0
    edges = {}
    for path in sources():
        with open(os.path.join(ROOT, path), encoding='utf-8', errors='replace') as f:
            text = f.read()
        for target in INCLUDE.findall(text):
            where = resolve(path, target)
            if where is None:
                print(f'{path}: #include "{target}" is not qualified by its folder '
                      f'(write it from the repository root or from include/)')
                bad_includes += 1
                continue
            a, b = folder(path), folder(where)
            if a != b and not target.startswith('gen/'):
                edges.setdefault(a, set()).add(b)
    if os.environ.get('LAYOUT_SHOW_EDGES'):
        for a in sorted(edges):
            print(f'{a} -> {", ".join(sorted(edges[a]))}')
    cycle = find_cycle(edges)
    if cycle:
        print('folders include each other in a cycle: ' + ' -> '.join(cycle))
    failed = (bad_includes > 0) + (cycle is not None)
    print(f'layout: {2 - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
