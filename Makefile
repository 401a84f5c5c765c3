# aclsub - build, test and install.
#
#   make                 build everything into build/
#   make tests           everything make check runs (libraries, tools,
#                        test programs, examples, models)
#   make check           unit and integration tests, plain and under
#                        AddressSanitizer + UndefinedBehaviorSanitizer
#                        (build/san/), the libFuzzer targets over their
#                        checked-in corpora (deterministic), and the demo,
#                        the tests and the install built in clean clones
#   make demo            the README's demo
#   make fuzz-run        exploratory fuzzing, FUZZ_SECONDS (600) per target;
#                        findings are kept under TMPDIR, never in the tree
#   make bench           measurements (prints ratios and the machine)
#   make install         PREFIX=/usr/local DESTDIR=... ; make uninstall
#
# The language is C11 (-std=c11) with POSIX/GNU interfaces (_GNU_SOURCE).
# Every include is qualified by its folder from the repository root
# ("shim/engine/graph.h") or from include/ ("acl/acl.h"); generated files
# are included as "gen/...".  What each folder builds:
#
#   decoder/record/  the record library: encoder, CRC-32C, accessors, stream
#                    reader (libaclsub-decode; linked into every library
#                    that runs inside a host program)
#   shim/, shim/engine/   the emulated runtime libascendcl.so (host)
#   shim/pyacl/      the Python `acl` module (host, inside Python)
#   preload/         the interposer libaclsub.so (host)
#   decoder/         the `decode` pipeline and its views (tools)
#   tools/, tools/compile/   the `aclsub` command and the compilers (tools)

CC      ?= cc
CLANG   ?= clang
PREFIX  ?= /usr/local
DESTDIR ?=
O       ?= build
SAN     ?= 0
FUZZ_SECONDS ?= 600
PYTHON  ?= /usr/bin/python3

CSTD    := -std=c11
WARN    := -Wall -Wextra -Werror -Wno-missing-field-initializers
OPT     := -O2
ifeq ($(SAN),1)
OPT     := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDSAN   := -fsanitize=address,undefined
endif

BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm)

# The one version number: aclsub --version and the pkg-config files.
VERSION  := $(shell cat VERSION)

CPPFLAGS := -D_GNU_SOURCE -I. -Iinclude -I$(O)
CFLAGS   := $(CSTD) $(WARN) $(OPT) -g -fPIC -fvisibility=hidden -pthread $(BLAS_CFLAGS)
LDFLAGS  := -pthread $(LDSAN)
SYSLIBS  := $(BLAS_LIBS) -lelf -lprotobuf-c -lm -ldl
# The decoder's file outputs: SQLite databases and gzip-compressed traces.
DEC_LIBS := -lsqlite3 -lz

# --- sources: one list per folder ------------------------------------------------
REC_SRCS     := $(wildcard decoder/record/*.c)
DEC_SRCS     := $(wildcard decoder/*.c)
SHIM_SRCS    := $(wildcard shim/*.c shim/engine/*.c)
PYACL_SRCS   := $(wildcard shim/pyacl/*.c)
PRELOAD_SRCS := $(wildcard preload/*.c)
TOOL_SRCS    := $(filter-out tools/aclsub.c,$(wildcard tools/*.c tools/compile/*.c))

# ONNX's protobuf schema, as Debian's libonnx-dev installs it; protoc-c
# generates the C reader at build time.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
GEN_DIR    := $(O)/gen
ONNX_GEN_C := $(GEN_DIR)/onnx.pb-c.c
ONNX_GEN_H := $(GEN_DIR)/onnx.pb-c.h

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
REC_OBJS     := $(call obj,$(REC_SRCS))
SHIM_OBJS    := $(call obj,$(SHIM_SRCS))
PRELOAD_OBJS := $(call obj,$(PRELOAD_SRCS))
TOOL_OBJS    := $(call obj,$(TOOL_SRCS) $(DEC_SRCS)) $(O)/obj/gen/onnx.pb-c.o

# --- what is built -----------------------------------------------------------------
LIB_DECODE_SO := $(O)/lib/libaclsub-decode.so
LIB_DECODE_A  := $(O)/lib/libaclsub-decode.a
LIB_EMU_DIR   := $(O)/lib/aclsub-emu
LIB_EMU_SO    := $(LIB_EMU_DIR)/libascendcl.so
LIB_EMU_A     := $(O)/lib/libascendcl-emu.a
LIB_PRELOAD   := $(O)/lib/libaclsub.so
LIB_TOOLS_A   := $(O)/lib/libaclsub-tools.a
ACLSUB_BIN    := $(O)/bin/aclsub

PY_EXT     := $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))" 2>/dev/null)
PY_CFLAGS  := $(shell $(PYTHON)-config --includes 2>/dev/null) \
              -I$(shell $(PYTHON) -c "import numpy; print(numpy.get_include())" 2>/dev/null)
PYACL_MOD  := $(O)/python/acl$(PY_EXT)

# Tests (tests/): Check unit tests (unit/test_*.c, linked statically against
# the libraries), plain AscendCL programs (progs/app_*.c, built like a vendor
# program against include/ and the shared runtime only, as are examples/*.c),
# test tools (progs/tool_*.c), the ONNX conformance runner, demo models,
# fuzz targets.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(wildcard tests/unit/test_*.c))
APP_PROGS  := $(patsubst tests/progs/%.c,$(O)/tests/%,$(wildcard tests/progs/app_*.c))
TOOL_PROGS := $(patsubst tests/progs/%.c,$(O)/tests/%,$(wildcard tests/progs/tool_*.c))
CONFORMANCE := $(O)/tests/conformance
EXAMPLES   := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
MODELS     := $(patsubst models/%.txt,$(O)/models/%.om,$(wildcard models/*.txt))
FUZZERS    := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all tests check check-plain check-san check-clone fuzz fuzz-regress fuzz-run bench demo \
        install uninstall clean
all: $(LIB_DECODE_SO) $(LIB_DECODE_A) $(LIB_EMU_SO) $(LIB_EMU_A) $(LIB_PRELOAD) $(PYACL_MOD) $(ACLSUB_BIN)
tests: all $(UNIT_TESTS) $(APP_PROGS) $(TOOL_PROGS) $(CONFORMANCE) $(EXAMPLES) $(MODELS)

# --- compiling -----------------------------------------------------------------------
$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

$(ONNX_GEN_C): $(ONNX_PROTO)
	@mkdir -p $(GEN_DIR)
	protoc-c --c_out=$(GEN_DIR) -I$(dir $(ONNX_PROTO)) $(notdir $(ONNX_PROTO))
$(ONNX_GEN_H): $(ONNX_GEN_C)

$(O)/obj/gen/onnx.pb-c.o: $(ONNX_GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(GEN_DIR) $(CFLAGS) -c -o $@ $<

# Tool sources may include the generated header.
$(call obj,$(TOOL_SRCS)): $(ONNX_GEN_H)

$(O)/obj/tools/version.o: CPPFLAGS += -DACLSUB_VERSION='"$(VERSION)"'
$(O)/obj/tools/version.o: VERSION

# --- libraries and the command ---------------------------------------------------------
$(LIB_DECODE_A): $(REC_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB_DECODE_SO): $(REC_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libaclsub-decode.so.1 $(LDFLAGS) -o $@ $^

$(LIB_EMU_A): $(SHIM_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The emulated runtime carries the accessors itself (the record objects are
# linked in), as the vendor's libascendcl.so does.
$(LIB_EMU_SO): $(SHIM_OBJS) $(REC_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libascendcl.so -Wl,-z,defs $(LDFLAGS) -o $@ $^ $(SYSLIBS)

# Exports only the interposed functions: the record code linked in stays
# private.  The record library's accessors are left out: the interposer's
# string accessors (hooks.c) take their names, and it reads the runtime's
# records through the runtime's own.
PRELOAD_REC_OBJS := $(filter-out %/accessors.o,$(REC_OBJS))
$(LIB_PRELOAD): $(PRELOAD_OBJS) $(PRELOAD_REC_OBJS) preload/libaclsub.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libaclsub.so -Wl,--version-script=preload/libaclsub.map $(LDFLAGS) -o $@ \
	    $(PRELOAD_OBJS) $(PRELOAD_REC_OBJS) -ldl

# The Python module links the shared emulated runtime, so that a preloaded
# libaclsub.so interposes its calls like any program's.  $(1): the rpath
# under which the module finds libascendcl.so.
pyacl_link = $(CC) -shared $(CPPFLAGS) $(PY_CFLAGS) $(CFLAGS) -fvisibility=default $(LDFLAGS) -o $@ \
    $(PYACL_SRCS) -L$(LIB_EMU_DIR) -Wl,-rpath,$(1) -lascendcl
$(PYACL_MOD): $(PYACL_SRCS) $(wildcard shim/pyacl/*.h include/acl/*.h) $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(call pyacl_link,$(abspath $(LIB_EMU_DIR)))

# The subcommands and the decoder's pipeline, as an archive that tests link too.
$(LIB_TOOLS_A): $(TOOL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(ACLSUB_BIN): $(O)/obj/tools/aclsub.o $(LIB_TOOLS_A) $(LIB_EMU_A) $(LIB_DECODE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SYSLIBS) $(DEC_LIBS)

# --- test programs, examples, models ---------------------------------------------------
$(O)/models/%.om: models/%.txt $(ACLSUB_BIN)
	@mkdir -p $(dir $@)
	$(ACLSUB_BIN) mkom -o $@ $<

INTERNAL_LIBS := $(LIB_TOOLS_A) $(LIB_EMU_A) $(LIB_DECODE_A)
$(O)/tests/test_%: tests/unit/test_%.c $(INTERNAL_LIBS) tests/unit/testutil.h tests/unit/kernel_check.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-result $(LDFLAGS) -o $@ $< $(INTERNAL_LIBS) $(CHECK_LIBS) $(SYSLIBS) $(DEC_LIBS)

$(O)/tests/tool_%: tests/progs/tool_%.c $(LIB_EMU_A) $(LIB_DECODE_A)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_EMU_A) $(LIB_DECODE_A) $(SYSLIBS)

$(CONFORMANCE): tests/conformance/conformance.c $(INTERNAL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(INTERNAL_LIBS) $(SYSLIBS) $(DEC_LIBS)

# What a vendor program sees: the public headers and the shared runtime.
vendor_link = $(CC) -Iinclude $(CSTD) $(WARN) $(OPT) -g -pthread $(LDFLAGS) -o $@ $< \
    -L$(LIB_EMU_DIR) -Wl,-rpath,$(abspath $(LIB_EMU_DIR)) -lascendcl
$(O)/examples/%: examples/%.c $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(vendor_link)
$(O)/tests/app_%: tests/progs/app_%.c tests/progs/app_check.h $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(vendor_link)

# --- checking ------------------------------------------------------------------------------
check-plain: tests
	tests/run.sh $(O)

check-san:
	$(MAKE) O=$(O)/san SAN=1 check-plain

# Each part in turn: the plain and sanitizer builds would compete for the
# same two cores, and their logs would interleave.
check:
	$(MAKE) check-plain
	$(MAKE) check-san
	$(MAKE) fuzz-regress
	$(MAKE) check-clone

# The README's front-door targets from nothing but a clone of HEAD.
check-clone:
	tests/clean_clone.sh

# libFuzzer targets: clang, with the library sources compiled in; fuzz_rec
# needs only the record library, the others get the device and the tools.
FUZZ_CFLAGS := $(CSTD) -D_GNU_SOURCE -DACLSUB_VERSION='"$(VERSION)"' -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -I. -Iinclude -I$(O) $(BLAS_CFLAGS)
FUZZ_DEPS = $(REC_SRCS) $(if $(filter rec,$*),,$(SHIM_SRCS) $(TOOL_SRCS) $(DEC_SRCS) $(ONNX_GEN_C))
.SECONDEXPANSION:
$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -I$(GEN_DIR) -o $@ $< $(FUZZ_DEPS) $(if $(filter rec,$*),,$(SYSLIBS) $(DEC_LIBS)) -pthread

fuzz: $(FUZZERS)

fuzz-regress: fuzz
	tests/fuzz/run.sh regress $(O)/fuzz

fuzz-run: fuzz
	tests/fuzz/run.sh explore $(O)/fuzz $(FUZZ_SECONDS)

# The benchmarks run test programs (app_run, tool_genstream) and the models.
bench: tests
	tests/bench/run.sh $(O)

demo: all $(O)/examples/subscribe $(O)/tests/app_plain $(MODELS)
	tests/demo.sh $(O)

# --- install -------------------------------------------------------------------
# PREFIX/bin/aclsub, PREFIX/lib/libaclsub.so (the interposer),
# PREFIX/lib/aclsub/emu/libascendcl.so (the emulated runtime, in a directory of
# its own so that it never shadows a vendor runtime), headers, pkg-config files,
# man pages, and the `acl` Python module where Debian's python3 finds it.
BINDIR  := $(PREFIX)/bin
LIBDIR  := $(PREFIX)/lib
INCDIR  := $(PREFIX)/include
EMUDIR  := $(LIBDIR)/aclsub/emu
MANDIR  := $(PREFIX)/share/man
PCDIR   := $(LIBDIR)/pkgconfig
PY_VER  := $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_python_version())" 2>/dev/null)
PYDIR   ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VER)/dist-packages)
MAN1    := $(wildcard docs/man/*.1)
MAN7    := $(wildcard docs/man/*.7)
DOCDIR  := $(PREFIX)/share/doc/aclsub
COMPDIR := $(PREFIX)/share/bash-completion/completions
DOCS    := README.md $(wildcard docs/*.md)

# Every directory install writes into.  Those it had to create (and their
# created parents) are listed in LIBDIR/aclsub/created-dirs, merged over
# reinstalls; uninstall removes exactly those, deepest first, when empty,
# so a directory that existed before (PREFIX/bin, ...) is never removed.
INSTALL_DIRS := $(BINDIR) $(LIBDIR) $(EMUDIR) $(INCDIR)/acl $(INCDIR)/aclsub $(PCDIR) $(MANDIR)/man1 \
                $(MANDIR)/man7 $(PYDIR) $(DOCDIR) $(COMPDIR)
CREATED_LIST := $(LIBDIR)/aclsub/created-dirs

# The installed module finds the runtime in EMUDIR, not in the build tree;
# this file and the pkg-config files are written on every install, since
# their content depends on PREFIX.
PYACL_INSTALLED := $(O)/install/acl$(PY_EXT)
.PHONY: $(PYACL_INSTALLED) $(O)/install/aclsub.pc $(O)/install/ascendcl-emu.pc
$(PYACL_INSTALLED): $(PYACL_SRCS) $(wildcard shim/pyacl/*.h) $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(call pyacl_link,$(EMUDIR))

$(O)/install/aclsub.pc:
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' 'emudir=$(EMUDIR)' '' \
	    'Name: aclsub' 'Description: aclsub record format, accessors and AscendCL headers' 'Version: $(VERSION)' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -laclsub-decode' >$@

$(O)/install/ascendcl-emu.pc:
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$(INCDIR)' 'emudir=$(EMUDIR)' '' \
	    'Name: ascendcl-emu' 'Description: the emulated AscendCL runtime of aclsub' 'Version: $(VERSION)' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${emudir} -Wl,-rpath,$${emudir} -lascendcl' >$@

install: all $(PYACL_INSTALLED) $(O)/install/aclsub.pc $(O)/install/ascendcl-emu.pc
	@mkdir -p $(O)/install
	for d in $(INSTALL_DIRS); do \
	    p=$$d; while [ "$$p" != / ] && [ ! -d "$(DESTDIR)$$p" ]; do echo "$$p"; p=$$(dirname "$$p"); done; \
	done >$(O)/install/created-dirs.new
	install -d $(addprefix $(DESTDIR),$(INSTALL_DIRS))
	cat $(O)/install/created-dirs.new $(wildcard $(DESTDIR)$(CREATED_LIST)) | sort -u -r >$(O)/install/created-dirs
	install -m 0644 $(O)/install/created-dirs $(DESTDIR)$(CREATED_LIST)
	install -m 0755 $(ACLSUB_BIN) $(DESTDIR)$(BINDIR)/aclsub
	install -m 0755 $(LIB_DECODE_SO) $(DESTDIR)$(LIBDIR)/libaclsub-decode.so.1
	ln -sf libaclsub-decode.so.1 $(DESTDIR)$(LIBDIR)/libaclsub-decode.so
	install -m 0755 $(LIB_PRELOAD) $(DESTDIR)$(LIBDIR)/libaclsub.so
	install -m 0755 $(LIB_EMU_SO) $(DESTDIR)$(EMUDIR)/libascendcl.so
	install -m 0644 include/acl/*.h $(DESTDIR)$(INCDIR)/acl/
	install -m 0644 include/aclsub/*.h $(DESTDIR)$(INCDIR)/aclsub/
	install -m 0644 $(O)/install/aclsub.pc $(O)/install/ascendcl-emu.pc $(DESTDIR)$(PCDIR)/
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 $(PYACL_INSTALLED) $(DESTDIR)$(PYDIR)/acl$(PY_EXT)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/completion/aclsub.bash $(DESTDIR)$(COMPDIR)/aclsub

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aclsub $(DESTDIR)$(LIBDIR)/libaclsub-decode.so.1 \
	      $(DESTDIR)$(LIBDIR)/libaclsub-decode.so $(DESTDIR)$(LIBDIR)/libaclsub.so \
	      $(DESTDIR)$(EMUDIR)/libascendcl.so $(DESTDIR)$(PCDIR)/aclsub.pc $(DESTDIR)$(PCDIR)/ascendcl-emu.pc \
	      $(DESTDIR)$(PYDIR)/acl$(PY_EXT)
	rm -f $(addprefix $(DESTDIR)$(INCDIR)/acl/,$(notdir $(wildcard include/acl/*.h)))
	rm -f $(addprefix $(DESTDIR)$(INCDIR)/aclsub/,$(notdir $(wildcard include/aclsub/*.h)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) $(DESTDIR)$(COMPDIR)/aclsub
	-rmdir $(DESTDIR)$(EMUDIR) $(DESTDIR)$(INCDIR)/acl $(DESTDIR)$(INCDIR)/aclsub $(DESTDIR)$(DOCDIR) 2>/dev/null
	if [ -f $(DESTDIR)$(CREATED_LIST) ]; then \
	    dirs=$$(sort -u -r $(DESTDIR)$(CREATED_LIST)) && rm -f $(DESTDIR)$(CREATED_LIST) && \
	    for d in $$dirs; do rmdir "$(DESTDIR)$$d" 2>/dev/null || true; done; \
	fi
	-rmdir $(DESTDIR)$(LIBDIR)/aclsub 2>/dev/null

clean:
	rm -rf $(O)
