# initnn - build, test, benchmark. GNU make.
#   make test    the test suite (plain, under ASan/UBSan, -march=native), ends "N passed, N failed"
#   make check   the same as make test
#   make demo    the main job
#   make bench   products and training speed against OpenBLAS / PyTorch
CC      ?= cc
CFLAGS  ?= -O2
WARN     = -std=c99 -Wall -Wextra -pedantic -Werror
LDLIBS   = -lm
BUILD    = build

.PHONY: all test check demo bench clean

all: $(BUILD)/init_demo

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/init_demo: examples/init_demo.c initnn.h | $(BUILD)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ $(LDLIBS)

demo: $(BUILD)/init_demo
	./$(BUILD)/init_demo

test:
	sh tests/run.sh

check: test

bench:
	sh bench/run.sh

clean:
	rm -rf $(BUILD)
