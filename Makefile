# aclsub - build, test and install.
#
#   make                 build everything into build/
#   make tests           everything make check runs (libraries, tools,
#                        test programs, examples, models)
#   make check           unit and integration tests, plain and under
#                        AddressSanitizer + UndefinedBehaviorSanitizer
#                        (build/san/), the libFuzzer targets over their
#                        checked-in corpora (deterministic), and a build of
#                        the demo and the tests in a clean clone
#   make demo            the README's demo
#   make fuzz-run        exploratory fuzzing, FUZZ_SECONDS (600) per target;
#                        findings are kept under TMPDIR, never in the tree
#   make bench           measurements (prints ratios and the machine)
#   make install         PREFIX=/usr/local DESTDIR=... ; make uninstall
#
# The language is C11 (-std=c11) with POSIX/GNU interfaces (_GNU_SOURCE).

CC      ?= cc
CLANG   ?= clang
PREFIX  ?= /usr/local
DESTDIR ?=
O       ?= build
SAN     ?= 0
FUZZ_SECONDS ?= 600

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

CPPFLAGS := -D_GNU_SOURCE -Iinclude -Idecoder -Ishim -Ipreload -Itools -I$(O)/gen
CFLAGS   := $(CSTD) $(WARN) $(OPT) -g -fPIC -fvisibility=hidden -pthread $(BLAS_CFLAGS)
LDFLAGS  := -pthread $(LDSAN)
SYSLIBS  := $(BLAS_LIBS) -lelf -lprotobuf-c -lm -ldl

# --- sources -----------------------------------------------------------------
DEC_LIB_SRCS := decoder/crc32c.c decoder/record.c decoder/accessors.c decoder/reader.c
DEC_CMD_SRCS := $(filter-out $(DEC_LIB_SRCS),$(wildcard decoder/*.c))
SHIM_SRCS    := $(wildcard shim/*.c)
PRELOAD_SRCS := $(wildcard preload/*.c)
TOOL_SRCS    := $(wildcard tools/*.c)
TOOL_LIB_SRCS := $(filter-out tools/aclsub.c,$(TOOL_SRCS))

# ONNX's protobuf schema, as Debian's libonnx-dev installs it; protoc-c
# generates the C reader at build time.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
GEN_DIR    := $(O)/gen
ONNX_GEN_C := $(GEN_DIR)/onnx.pb-c.c
ONNX_GEN_H := $(GEN_DIR)/onnx.pb-c.h

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
DEC_LIB_OBJS := $(call obj,$(DEC_LIB_SRCS))
DEC_CMD_OBJS := $(call obj,$(DEC_CMD_SRCS))
SHIM_OBJS    := $(call obj,$(SHIM_SRCS))
PRELOAD_OBJS := $(call obj,$(PRELOAD_SRCS))
TOOL_OBJS    := $(call obj,$(TOOL_SRCS))
TOOL_LIB_OBJS := $(call obj,$(TOOL_LIB_SRCS)) $(O)/obj/gen/onnx.pb-c.o

LIB_DECODE_SO := $(O)/lib/libaclsub-decode.so
LIB_DECODE_A  := $(O)/lib/libaclsub-decode.a
LIB_EMU_DIR   := $(O)/lib/aclsub-emu
LIB_EMU_SO    := $(LIB_EMU_DIR)/libascendcl.so
LIB_EMU_A     := $(O)/lib/libascendcl-emu.a
LIB_PRELOAD   := $(O)/lib/libaclsub.so
LIB_TOOLS_A   := $(O)/lib/libaclsub-tools.a
ACLSUB_BIN    := $(O)/bin/aclsub

# Check unit tests: tests/test_*.c, each its own program linked statically
# against the libraries.  Plain AscendCL programs: tests/app_*.c, built against
# include/ and the shared emulated libascendcl.so only.
UNIT_TESTS := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/test_*.c))
APP_TESTS  := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/app_*.c))
TEST_TOOLS := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/tool_*.c))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS    := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))
# Programs in examples/, built like a vendor program (public headers, shared runtime).
EXAMPLES   := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))

# The pyACL-compatible `acl` module (tools/pyacl/), for Debian's python3.
PYTHON     ?= /usr/bin/python3
PYACL_SRCS := $(wildcard tools/pyacl/*.c)
PY_EXT     := $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))" 2>/dev/null)
PY_CFLAGS  := $(shell $(PYTHON)-config --includes 2>/dev/null) \
              -I$(shell $(PYTHON) -c "import numpy; print(numpy.get_include())" 2>/dev/null)
PY_DIR     := $(O)/python
PYACL_MOD  := $(PY_DIR)/acl$(PY_EXT)

LIBS := $(LIB_DECODE_SO) $(LIB_DECODE_A)
ifneq ($(SHIM_SRCS),)
LIBS += $(LIB_EMU_SO) $(LIB_EMU_A)
endif
ifneq ($(PRELOAD_SRCS),)
LIBS += $(LIB_PRELOAD)
endif
ifneq ($(PYACL_SRCS),)
LIBS += $(PYACL_MOD)
endif

.PHONY: all tests check check-plain check-san check-clone fuzz fuzz-regress fuzz-run bench demo install uninstall clean
all: $(LIBS) $(ACLSUB_BIN)

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
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Tool sources may include the generated header.
$(call obj,$(TOOL_SRCS)): $(ONNX_GEN_H)

$(LIB_DECODE_A): $(DEC_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB_DECODE_SO): $(DEC_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libaclsub-decode.so.1 $(LDFLAGS) -o $@ $^

$(LIB_EMU_A): $(SHIM_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The emulated runtime carries the accessors itself (the decoder objects are
# linked in), as the vendor's libascendcl.so does.
$(LIB_EMU_SO): $(SHIM_OBJS) $(DEC_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libascendcl.so -Wl,-z,defs $(LDFLAGS) -o $@ $^ $(SYSLIBS)

# Exports only the interposed functions: the record code linked in stays
# private, so the runtime's own accessors are never shadowed.
$(LIB_PRELOAD): $(PRELOAD_OBJS) $(DEC_LIB_OBJS) preload/libaclsub.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libaclsub.so -Wl,--version-script=preload/libaclsub.map $(LDFLAGS) -o $@ \
	    $(PRELOAD_OBJS) $(DEC_LIB_OBJS) -ldl

# The Python module links the shared emulated runtime, so that a preloaded
# libaclsub.so interposes its calls like any program's.
$(PYACL_MOD): $(PYACL_SRCS) $(wildcard tools/pyacl/*.h include/acl/*.h) $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(CC) -shared $(CPPFLAGS) $(PY_CFLAGS) $(CFLAGS) -fvisibility=default $(LDFLAGS) -o $@ $(PYACL_SRCS) \
	    -L$(LIB_EMU_DIR) -Wl,-rpath,$(abspath $(LIB_EMU_DIR)) -lascendcl

# The subcommands (all of tools/ but the dispatcher, and decoder's commands),
# as an archive that tests link too.
$(LIB_TOOLS_A): $(TOOL_LIB_OBJS) $(DEC_CMD_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(ACLSUB_BIN): $(O)/obj/tools/aclsub.o $(LIB_TOOLS_A) $(LIB_DECODE_A) $(if $(SHIM_SRCS),$(LIB_EMU_A))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(O)/obj/tools/aclsub.o $(LIB_TOOLS_A) $(if $(SHIM_SRCS),$(LIB_EMU_A)) \
	    $(LIB_DECODE_A) $(SYSLIBS)

# --- tests ---------------------------------------------------------------------
MODELS := $(patsubst models/%.txt,$(O)/models/%.om,$(wildcard models/*.txt))
tests: all $(UNIT_TESTS) $(APP_TESTS) $(TEST_TOOLS) $(MODELS) $(EXAMPLES)

# Demo and test models, compiled from their text descriptions.
$(O)/models/%.om: models/%.txt $(ACLSUB_BIN)
	@mkdir -p $(dir $@)
	$(ACLSUB_BIN) mkom -o $@ $<

TEST_LIBS := $(LIB_TOOLS_A) $(if $(SHIM_SRCS),$(LIB_EMU_A)) $(LIB_DECODE_A)
$(O)/tests/test_%: tests/test_%.c $(TEST_LIBS) tests/testutil.h tests/kernel_check.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -Wno-unused-result $(LDFLAGS) -o $@ $< $(TEST_LIBS) $(CHECK_LIBS) $(SYSLIBS)

$(O)/tests/tool_%: tests/tool_%.c $(LIB_DECODE_A) $(if $(SHIM_SRCS),$(LIB_EMU_A))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(if $(SHIM_SRCS),$(LIB_EMU_A)) $(LIB_DECODE_A) $(SYSLIBS)

# Only the public headers and the shared runtime: what a vendor program sees.
$(O)/examples/%: examples/%.c $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CSTD) $(WARN) $(OPT) -g -pthread $(LDFLAGS) -o $@ $< \
	    -L$(LIB_EMU_DIR) -Wl,-rpath,$(abspath $(LIB_EMU_DIR)) -lascendcl

$(O)/tests/app_%: tests/app_%.c tests/app_check.h $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CSTD) $(WARN) $(OPT) -g -pthread $(LDFLAGS) -o $@ $< \
	    -L$(LIB_EMU_DIR) -Wl,-rpath,$(abspath $(LIB_EMU_DIR)) -lascendcl

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

# The README's two front-door targets from nothing but a clone of HEAD.
check-clone:
	tests/check_clean_clone.sh

# libFuzzer targets: clang, with the library sources compiled in.
FUZZ_CFLAGS := $(CSTD) -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -Iinclude -Idecoder -Ishim -Itools -I$(GEN_DIR) $(BLAS_CFLAGS)
# fuzz_rec needs only the decoder library; the others get the device and tools.
FUZZ_DEPS = $(DEC_LIB_SRCS) $(if $(filter rec,$*),,$(SHIM_SRCS) $(TOOL_LIB_SRCS) $(DEC_CMD_SRCS) $(ONNX_GEN_C))
.SECONDEXPANSION:
$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_DEPS) $(if $(filter rec,$*),,$(SYSLIBS)) -pthread

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

# The installed module finds the runtime in EMUDIR, not in the build tree
# (relinked on every install: the rpath depends on PREFIX).
PYACL_INSTALLED := $(O)/install/acl$(PY_EXT)
.PHONY: $(PYACL_INSTALLED)
$(PYACL_INSTALLED): $(PYACL_SRCS) $(wildcard tools/pyacl/*.h) $(LIB_EMU_SO)
	@mkdir -p $(dir $@)
	$(CC) -shared $(CPPFLAGS) $(PY_CFLAGS) $(CFLAGS) -fvisibility=default $(LDFLAGS) -o $@ $(PYACL_SRCS) \
	    -L$(LIB_EMU_DIR) -Wl,-rpath,$(EMUDIR) -lascendcl

# Written on every install: their content depends on PREFIX.
.PHONY: $(O)/install/aclsub.pc $(O)/install/ascendcl-emu.pc
$(O)/install/aclsub.pc:
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' 'emudir=$(EMUDIR)' '' \
	    'Name: aclsub' 'Description: aclsub record format, accessors and AscendCL headers' 'Version: 1.0' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -laclsub-decode' >$@

$(O)/install/ascendcl-emu.pc:
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$(INCDIR)' 'emudir=$(EMUDIR)' '' \
	    'Name: ascendcl-emu' 'Description: the emulated AscendCL runtime of aclsub' 'Version: 1.0' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${emudir} -Wl,-rpath,$${emudir} -lascendcl' >$@

install: all $(if $(PYACL_SRCS),$(PYACL_INSTALLED)) $(O)/install/aclsub.pc $(O)/install/ascendcl-emu.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(EMUDIR) $(DESTDIR)$(INCDIR)/acl \
	    $(DESTDIR)$(INCDIR)/aclsub $(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(ACLSUB_BIN) $(DESTDIR)$(BINDIR)/aclsub
	install -m 0755 $(LIB_DECODE_SO) $(DESTDIR)$(LIBDIR)/libaclsub-decode.so.1
	ln -sf libaclsub-decode.so.1 $(DESTDIR)$(LIBDIR)/libaclsub-decode.so
	install -m 0755 $(LIB_PRELOAD) $(DESTDIR)$(LIBDIR)/libaclsub.so
	install -m 0755 $(LIB_EMU_SO) $(DESTDIR)$(EMUDIR)/libascendcl.so
	install -m 0644 include/acl/*.h $(DESTDIR)$(INCDIR)/acl/
	install -m 0644 include/aclsub/*.h $(DESTDIR)$(INCDIR)/aclsub/
	install -m 0644 $(O)/install/aclsub.pc $(O)/install/ascendcl-emu.pc $(DESTDIR)$(PCDIR)/
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/)
ifneq ($(PYACL_SRCS),)
	install -d $(DESTDIR)$(PYDIR)
	install -m 0644 $(PYACL_INSTALLED) $(DESTDIR)$(PYDIR)/acl$(PY_EXT)
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aclsub $(DESTDIR)$(LIBDIR)/libaclsub-decode.so.1 \
	      $(DESTDIR)$(LIBDIR)/libaclsub-decode.so $(DESTDIR)$(LIBDIR)/libaclsub.so \
	      $(DESTDIR)$(EMUDIR)/libascendcl.so $(DESTDIR)$(PCDIR)/aclsub.pc $(DESTDIR)$(PCDIR)/ascendcl-emu.pc \
	      $(DESTDIR)$(PYDIR)/acl$(PY_EXT)
	rm -f $(addprefix $(DESTDIR)$(INCDIR)/acl/,$(notdir $(wildcard include/acl/*.h)))
	rm -f $(addprefix $(DESTDIR)$(INCDIR)/aclsub/,$(notdir $(wildcard include/aclsub/*.h)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	-rmdir $(DESTDIR)$(EMUDIR) $(DESTDIR)$(LIBDIR)/aclsub $(DESTDIR)$(INCDIR)/acl $(DESTDIR)$(INCDIR)/aclsub 2>/dev/null

clean:
	rm -rf $(O)
