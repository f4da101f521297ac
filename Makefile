# initnn - build, test, benchmark, experiments. GNU make.
#   make test       the test suite (plain, under ASan/UBSan, -march=native, tcc), ends "N passed, N failed"
#   make check      make test plus the whole suite built with clang and run under valgrind, and the
#                   tutorial's mutation check (tutorial/mutate.sh), same last line
#   make tutorial   every tutorial step at full size (tutorial/run.sh), one line per step
#   make tutorial-figures  the tutorial's figures and the outputs shown in tutorial/README.md
#   make fuzz       each libFuzzer target FUZZ_SECONDS (default 60) s (clang; tests/fuzz/)
#   make demo       the main job: fetches MNIST if missing, trains 784-256-256-128-10 from three
#                   initializers with three seeds each, prints the table and the plots' paths
#   make data       MNIST and Fashion-MNIST into data/ (scripts/fetch_data.sh), verified
#   make initlab    the lab, ./initlab (./initlab --help), -O3 -march=native -fopenmp
#   make initlab-plain  the same program as ./initlab-plain: -O2, portable kernels, one thread
#   make predict    ./predict model.ckpt digit.png (needs libstb-dev)
#   make init-demo  every initializer spec on one 784x256 layer, formula against sample
#   make bench      products and training speed against OpenBLAS / PyTorch, and on a busy machine
#   make web        the browser page, build/web/index.html (needs emscripten)
#   make exp-...    the recipes below, each one initlab run writing results/<name>/
#   make exp-paper-...  five papers' figures reproduced (examples/papers.c), QUICK=1 for a short run
CC      ?= cc
CFLAGS  ?= -O2
WARN     = -std=c99 -Wall -Wextra -pedantic -Werror
LDLIBS   = -lm
BUILD    = build

.PHONY: all test check tutorial tutorial-figures demo init-demo bench clean predict data data-mnist data-fashion web web-native \
        exp-mnist-3inits exp-mnist-4inits exp-moons-scale exp-6inits exp-6inits-mnist \
        exp-6inits-fashion exp-6inits-regression exp-deep exp-framework-defaults exp-6inits-cnn \
        exp-6inits-cnn-mnist exp-6inits-cnn-fashion exp-6inits-cnn-data exp-predict-deep exp-deep-resnet \
        papers exp-papers exp-paper-glorot exp-paper-saxe exp-paper-schoenholz exp-paper-pennington exp-paper-lsuv

all: $(BUILD)/init_demo initlab

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/init_demo: examples/init_demo.c initnn.h | $(BUILD)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ $(LDLIBS)

init-demo: $(BUILD)/init_demo
	./$(BUILD)/init_demo

# ---- the lab ------------------------------------------------------------------
# ./initlab is the fast build: -O3, the CPU's own vector instructions and
# OpenMP over the matrix products and the samples, where the compiler takes
# them (the results do not depend on the number of threads: the same
# log.csv on 1 thread or 2). ./initlab-plain is the plain build of the same
# program (CFLAGS, default -O2, one thread), as `cc -O2 examples/initlab.c`
# gives it. LAB_CFLAGS=... builds ./initlab with other flags. tests/lab.sh
# builds both with -Werror; here a compiler's warning does not stop the build.
LAB_WARN = $(filter-out -Werror,$(WARN))

# Where stb is installed (Debian libstb-dev) the lab is built with the image
# section and writes the first layer's weights as PNG pictures; without it,
# it writes everything else.
HAVE_STB = $(wildcard /usr/include/stb/stb_image_write.h)
LAB_STB  = $(if $(HAVE_STB),-DINITNN_WITH_STB $(STB_FLAGS))

LAB_CFLAGS ?= -O3 $(call cc_accepts,-march=native) $(call cc_accepts,-fopenmp)
cc_accepts  = $(shell printf 'int main(void) { return 0; }\n' | $(CC) $(1) -x c - -o /dev/null >/dev/null 2>&1 && echo $(1))

initlab: examples/initlab.c initnn.h
	$(CC) $(LAB_WARN) $(LAB_CFLAGS) -I. $< -o $@ $(LAB_STB) $(LDLIBS)

initlab-plain: examples/initlab.c initnn.h
	$(CC) $(LAB_WARN) $(CFLAGS) -I. $< -o $@ $(LAB_STB) $(LDLIBS)

# The recipes run ./initlab; LAB=initlab-plain runs them on the plain build.
LAB        ?= initlab

# Between two parallel products a waiting thread spins a little, then
# sleeps (libgomp's GOMP_SPINCOUNT): sleeping at once cost the bench's MLP
# a third of its second thread's gain (0.46 s an epoch against 0.32 s),
# while 10000 spins did as well as 100000 on an idle machine and cost a
# busy one less (a thread that spins while another process wants its core
# is preempted, and every barrier waits for it). OMP_WAIT_POLICY=passive or
# active overrides it.
RUN_LAB = GOMP_SPINCOUNT=$${GOMP_SPINCOUNT:-10000} ./$(LAB)

# ---- images (optional; stb from Debian's libstb-dev) -------------------------------
# ./predict model.ckpt digit.png classifies a picture of a digit.
STB_FLAGS = $(shell pkg-config --cflags --libs stb 2>/dev/null || echo -I/usr/include/stb -lstb)

predict: examples/predict.c initnn.h
	$(CC) $(WARN) $(CFLAGS) -I. -DINITNN_WITH_STB $< -o $@ $(STB_FLAGS) $(LDLIBS)

# ---- data -------------------------------------------------------------------------
data:
	sh scripts/fetch_data.sh mnist fashion

data-mnist:
	sh scripts/fetch_data.sh mnist

data-fashion:
	sh scripts/fetch_data.sh fashion

# ---- recipes ----------------------------------------------------------------------
# Each is one initlab run into results/<name>/ (exp-6inits: one per data set).
#   SEEDS=N   seeds 1..N (default 3)
#   EXTRA=... flags appended to the command, which override the recipe's, e.g.
#             EXTRA="--train-limit 5000 --epochs 2" for a quick check
#   CSV=path TARGET=column   exp-6inits-regression on a CSV of numbers
#             (e.g. California Housing) instead of the generated set
SEEDS   ?= 3
EXTRA   ?=
RESULTS ?= results

demo: exp-mnist-3inits
	@echo "demo: the full summary is $(RESULTS)/exp-mnist-3inits/summary.md"

# Issue of porting: the same net from PyTorch's, Keras' and Flax's default
# initializations (each with its own bias policy) and from He.
exp-framework-defaults: data-mnist $(LAB)
	$(RUN_LAB) --data mnist --arch dense:256,relu,dense:256,relu,dense:128,relu,dense:10,softmax \
	    --init "torch_default;keras_default;flax_default;he_normal" --opt adam --lr 1e-3 --batch 128 --epochs 5 \
	    --val test --seeds $(SEEDS) --out $(RESULTS)/$@ $(EXTRA)

exp-mnist-3inits: data-mnist $(LAB)
	$(RUN_LAB) --data mnist --arch dense:256,relu,dense:256,relu,dense:128,relu,dense:10,softmax \
	    --init 'random_normal:0.05;glorot_normal;he_normal' --opt adam --lr 1e-3 --batch 128 --epochs 5 \
	    --val test --seeds $(SEEDS) --out $(RESULTS)/$@ $(EXTRA)

exp-mnist-4inits: data-mnist $(LAB)
	$(RUN_LAB) --data mnist --arch dense:128,relu,dense:10,softmax \
	    --init 'random_normal:0.05;random_uniform:-0.05,0.05;glorot_uniform;he_normal' \
	    --opt adam --lr 1e-3 --batch 32 --epochs 5 --val-split 0.2 --seeds $(SEEDS) --out $(RESULTS)/$@ $(EXTRA)

exp-moons-scale: $(LAB)
	$(RUN_LAB) --data moons --samples 2000 --noise 0.2 --standardize --test-split 0.3 --val test \
	    --arch dense:64,relu,dense:64,relu,dense:2,softmax \
	    --init 'random_normal:0.01;random_normal:0.1;random_normal:0.5;random_normal:1.0' --bias-init zeros \
	    --opt adam --lr 1e-3 --batch full --epochs 200 --seeds $(SEEDS) --out $(RESULTS)/$@ $(EXTRA)

SIX_INITS = zeros;random_normal:0.05;glorot_uniform;he_normal;lecun_normal;orthogonal
SIX_TRAIN = --opt adam --lr 1e-3 --batch 64 --epochs 50 --patience 5 --val-split 0.1 --seeds $(SEEDS)

exp-6inits: exp-6inits-mnist exp-6inits-fashion exp-6inits-regression

exp-6inits-mnist: data-mnist $(LAB)
	$(RUN_LAB) --data mnist --arch dense:256,sigmoid,dense:128,tanh,dense:10,softmax --init '$(SIX_INITS)' \
	    $(SIX_TRAIN) --out $(RESULTS)/exp-6inits/mnist $(EXTRA)

exp-6inits-fashion: data-fashion $(LAB)
	$(RUN_LAB) --data fashion --arch dense:256,sigmoid,dense:128,tanh,dense:10,softmax --init '$(SIX_INITS)' \
	    $(SIX_TRAIN) --out $(RESULTS)/exp-6inits/fashion $(EXTRA)

CSV    ?=
TARGET ?= -1
SIX_REGRESSION_DATA = $(if $(CSV),--data 'csv:$(CSV):$(TARGET)',--data regression --samples 20640 --features 8 --noise 0.5)

exp-6inits-regression: $(LAB)
	$(RUN_LAB) $(SIX_REGRESSION_DATA) --standardize --test-split 0.2 \
	    --arch dense:256,sigmoid,dense:128,tanh,dense:1 --init '$(SIX_INITS)' \
	    $(SIX_TRAIN) --out $(RESULTS)/exp-6inits/regression $(EXTRA)

# The six initializers on a small CNN: MNIST and Fashion-MNIST, or the
# CIFAR batches in DIR with DATA=cifar10:DIR (or cifar100:DIR, 100 outputs).
# QUICK=1: one seed, 3 epochs, the first 10000 training images.
CNN_CLASSES = $(if $(filter cifar100:%,$(DATA)),100,10)
CNN_ARCH    = conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:$(CNN_CLASSES),softmax
CNN_TRAIN   = --arch $(CNN_ARCH) --init '$(SIX_INITS)' --bias-init zeros --opt adam --lr 1e-3 --batch 64 --val test \
              $(if $(filter 1 yes,$(QUICK)),--seeds 1 --epochs 3 --train-limit 10000,--seeds $(SEEDS) --epochs 50 --patience 5)
QUICK ?=
DATA  ?=

exp-6inits-cnn: $(if $(DATA),exp-6inits-cnn-data,exp-6inits-cnn-mnist exp-6inits-cnn-fashion)

exp-6inits-cnn-mnist: data-mnist $(LAB)
	$(RUN_LAB) --data mnist $(CNN_TRAIN) --out $(RESULTS)/exp-6inits-cnn/mnist $(EXTRA)

exp-6inits-cnn-fashion: data-fashion $(LAB)
	$(RUN_LAB) --data fashion $(CNN_TRAIN) --out $(RESULTS)/exp-6inits-cnn/fashion $(EXTRA)

exp-6inits-cnn-data: $(LAB)
	$(RUN_LAB) --data '$(DATA)' $(CNN_TRAIN) --out $(RESULTS)/exp-6inits-cnn/$(firstword $(subst :, ,$(DATA))) $(EXTRA)

# The signal-propagation prediction before any training (initlab --predict):
# a 30-layer, 256-wide ReLU net on MNIST, glorot_normal against he_normal.
exp-predict-deep: data-mnist $(LAB)
	$(RUN_LAB) --predict --data mnist --hidden 256x29 --activation relu --init 'glorot_normal;he_normal' \
	    --out $(RESULTS)/$@ $(EXTRA)

# He et al. (2015), Figure 3 at this machine's scale: a 30-layer ReLU MLP (29
# hidden layers of 256 and the output layer) trained with SGD + momentum, as
# in the paper, on the first 10000 MNIST training images for 5 epochs.
exp-deep: data-mnist $(LAB)
	$(RUN_LAB) --data mnist --hidden 256x29 --activation relu --init 'glorot_normal;he_normal;lsuv' \
	    --opt sgd --lr 0.01 --momentum 0.9 --batch 128 --epochs 5 --train-limit 10000 --val test \
	    --seeds $(SEEDS) --out $(RESULTS)/$@ $(EXTRA)

# Why a 100-layer residual net trains when a 100-layer plain net does not:
# plain He, plain + batch norm, residual He / Fixup / SkipInit, residual +
# batch norm, and a delta-orthogonal tanh CNN, at depth 20, 50 and 100 on
# MNIST and Fashion-MNIST (scripts/exp_deep_resnet.sh says what each net is).
# QUICK=1: width 16, 1000 training and 500 test images, 2 epochs.
exp-deep-resnet: data-mnist data-fashion $(LAB)
	sh scripts/exp_deep_resnet.sh ./$(LAB) $(RESULTS)/$@ '$(QUICK)' $(SEEDS)

# ---- the browser page (examples/web/; Debian's emscripten) --------------------------
# make web builds build/web/index.html: examples/web/index.html with app.js,
# worker.js and initnn_web.c compiled to WebAssembly (initnn_wasm.js, the
# wasm inlined as base64 by -sSINGLE_FILE) put inline, one file that opens
# from disk. The native build of the same glue (make web-native) prints what
# the page computes; tests/web.sh compares the two. Both use the portable kernels
# (the glue defines INITNN_NO_SIMD; no -march, no contraction into FMA).
# -msimd128 lets clang vectorize those loops with WebAssembly SIMD, as gcc
# vectorizes them natively at -O2 (no reassociation, so the same bits): a
# 200-layer, 256-wide net's prediction took 1.7 s instead of 4.6 s in Node.
# emcc runs on Node, which finds Debian's acorn only through NODE_PATH.
EMCC       ?= emcc
WEB        = $(BUILD)/web
WEB_EXPORTS = -sEXPORTED_FUNCTIONS=_malloc,_free -sEXPORTED_RUNTIME_METHODS=cwrap,UTF8ToString
WEB_EMFLAGS = -O3 -msimd128 -ffp-contract=off -sSINGLE_FILE=1 -sMODULARIZE=1 -sEXPORT_NAME=createInitnn \
              -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=web,worker,node $(WEB_EXPORTS)

web: $(WEB)/index.html
	@echo "web: $(WEB)/index.html ($$(wc -c <$(WEB)/index.html) bytes); open it with: xdg-open $(WEB)/index.html"

$(WEB)/initnn_wasm.js: examples/web/initnn_web.c initnn.h
	@mkdir -p $(WEB)
	NODE_PATH=$${NODE_PATH:-/usr/share/nodejs} $(EMCC) $(WARN) $(WEB_EMFLAGS) -I. $< -o $@

# Each <script ... src="NAME"></script> line of the page becomes the file
# inline, in a <script> of the same type and id: initnn_wasm.js from the
# build, the others from examples/web/.
WEB_SOURCES = examples/web/index.html examples/web/app.js examples/web/worker.js

$(WEB)/index.html: $(WEB_SOURCES) $(WEB)/initnn_wasm.js
	awk '/^<script( [a-z]+="[^"]*")* src="[^"]*"><\/script>$$/ { \
	         name = $$0; sub(/.* src="/, "", name); sub(/".*/, "", name); \
	         file = (name == "initnn_wasm.js") ? "$(WEB)/" name : "examples/web/" name; \
	         open = $$0; sub(/ src="[^"]*"><\/script>$$/, ">", open); print open; \
	         while ((getline line < file) > 0) print line; close(file); print "</script>"; next } \
	     { print }' examples/web/index.html >$@.tmp && mv $@.tmp $@

web-native: $(WEB)/web-native

$(WEB)/web-native: examples/web/initnn_web.c initnn.h
	@mkdir -p $(WEB)
	$(CC) $(WARN) -O2 -ffp-contract=off -I. $< -o $@ $(LDLIBS)
# ---- the papers' figures (examples/papers.c) -----------------------------------------
# Five figures of the literature at this machine's scale, each into
# results/exp-paper-<name>/: figure SVG(s) on the paper's axes and summary.md
# (what agrees with the paper and what does not, in numbers). SEEDS=N
# seeds (default 3); QUICK=1 a smaller run of a few minutes; EXTRA=...
# flags appended to the command (./build/papers --help lists them).
# They run on one thread unless OMP_NUM_THREADS says otherwise: their
# layers are 32 to 128 units wide, where a second thread costs more in
# waiting than it saves (measured: 8 s on one thread, 107 s on two for
# the QUICK Pennington nets while the machine was busy). The results do
# not depend on the number of threads.
PAPERS      = $(BUILD)/papers
RUN_PAPERS  = OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} ./$(PAPERS)
QUICK_ON    = $(filter 1 yes,$(QUICK))
comma      := ,
empty      :=
space      := $(empty) $(empty)
csv_list    = $(subst $(space),$(comma),$(strip $(1)))

$(PAPERS): examples/papers.c initnn.h | $(BUILD)
	$(CC) $(LAB_WARN) $(LAB_CFLAGS) -I. $< -o $@ $(LDLIBS)

papers: $(PAPERS)

exp-papers: exp-paper-glorot exp-paper-saxe exp-paper-schoenholz exp-paper-pennington exp-paper-lsuv

# Glorot & Bengio (2010), Figs. 6-7: no training; 5 tanh layers of 1000
# (QUICK=1: 500) on a batch of 1000 MNIST images (QUICK=1: 500).
exp-paper-glorot: data-mnist $(PAPERS)
	$(RUN_PAPERS) glorot --seeds $(SEEDS) $(if $(QUICK_ON),--width 500 --batch 500) --out $(RESULTS)/$@ $(EXTRA)

# Saxe et al. (2014): linear nets of 1 to 128 (QUICK=1: 32) weight layers of
# 64 units on 2000 MNIST images (QUICK=1: 1000), SGD at three rates.
exp-paper-saxe: data-mnist $(PAPERS)
	$(RUN_PAPERS) saxe --seeds $(SEEDS) \
	    $(if $(QUICK_ON),--depths 1$(comma)2$(comma)4$(comma)8$(comma)16$(comma)32 --train-limit 1000 --epochs 12,--depths 1$(comma)2$(comma)4$(comma)8$(comma)16$(comma)32$(comma)64$(comma)128 --epochs 20) \
	    --out $(RESULTS)/$@ $(EXTRA)

# Schoenholz et al. (2017), the phase diagram: one process per (depth,
# sigma_w^2) cell, so make -j2 runs two at a time. The cells go to cells/ (QUICK=1:
# cells-quick/, one seed, fewer and narrower nets, fewer steps);
# phase-plot draws the heat map and writes the summary.
PHASE_DIR    = $(RESULTS)/exp-paper-schoenholz
PHASE_DEPTHS = $(if $(QUICK_ON),10 20 40 70 100,10 20 30 45 60 80 100 130)
PHASE_SW2    = $(if $(QUICK_ON),1 1.5 1.75 2 2.5 3 4,1 1.25 1.5 1.75 2 2.25 2.5 3 3.5 4)
PHASE_CELLS  = $(PHASE_DIR)/cells$(if $(QUICK_ON),-quick)
PHASE_TRAIN  = $(if $(QUICK_ON),--seeds 1 --width 48 --steps 400,--seeds $(SEEDS) --width 64 --steps 1000)
PHASE_FILES  = $(foreach d,$(PHASE_DEPTHS),$(foreach w,$(PHASE_SW2),$(PHASE_CELLS)/d$(d)_w$(w).csv))

exp-paper-schoenholz: $(PHASE_FILES) $(PAPERS)
	$(RUN_PAPERS) phase-plot --cells $(PHASE_CELLS) --depths $(call csv_list,$(PHASE_DEPTHS)) \
	    --sw2 $(call csv_list,$(PHASE_SW2)) --out $(PHASE_DIR)

$(PHASE_CELLS)/%.csv: $(PAPERS) | data-mnist
	@mkdir -p $(@D)
	$(RUN_PAPERS) phase-cell \
	    --depth $(patsubst d%,%,$(firstword $(subst _, ,$*))) --sw2 $(patsubst w%,%,$(lastword $(subst _, ,$*))) \
	    $(PHASE_TRAIN) --out $@ $(EXTRA)

# Pennington et al. (2017): 200 (QUICK=1: 100) tanh or ReLU layers of 64
# (QUICK=1: 32), SGD with momentum; Jacobian spectra at init.
exp-paper-pennington: data-mnist $(PAPERS)
	$(RUN_PAPERS) pennington --seeds $(SEEDS) \
	    $(if $(QUICK_ON),--depth 100 --width 32 --steps 200,--depth 200 --width 64 --steps 600) \
	    --out $(RESULTS)/$@ $(EXTRA)

# Mishkin & Matas (2016): 30 (QUICK=1: 20) ReLU layers of 128 (QUICK=1:
# 64); LSUV against orthogonal and He.
exp-paper-lsuv: data-mnist $(PAPERS)
	$(RUN_PAPERS) lsuv --seeds $(SEEDS) \
	    $(if $(QUICK_ON),--depth 20 --width 64 --steps 300,--depth 30 --width 128 --steps 600) \
	    --out $(RESULTS)/$@ $(EXTRA)

test:
	sh tests/run.sh

tutorial:
	sh tutorial/run.sh

# The tutorial's figures (tutorial/figures/*.svg) and the expected outputs
# in tutorial/README.md, from the steps at full size, seed 1; make test
# checks that they are current (tutorial/figures.sh --check).
tutorial-figures:
	sh tutorial/figures.sh --update

# The suite as make test runs it, plus a clang build of it, the whole
# suite under valgrind and the tutorial's mutation check (tests/run.sh:
# TEST_CLANG=1, TEST_VALGRIND=1, TEST_MUTATION=1: tutorial/mutate.sh);
# .ci/run runs make test, then make check.
check:
	TEST_CLANG=1 TEST_VALGRIND=1 TEST_MUTATION=1 sh tests/run.sh

# ---- fuzzing (clang's libFuzzer; tests/fuzz/targets.h) ---------------------------
#   make fuzz                          every target for FUZZ_SECONDS (default 60) s
#   make -j2 fuzz FUZZ_SECONDS=600     two at a time, 10 minutes each
#   make fuzz-csv                      one target
# Each target is built with clang -fsanitize=fuzzer,address,undefined
# (and float-divide-by-zero) and
# starts from its seeds, tests/fuzz/corpus/<target>/, and the inputs that
# once crashed it, tests/fuzz/regressions/<target>/ (both read only; what the
# fuzzer learns goes to build/fuzz/corpus/<target>/). A crash stops make with
# the input in build/fuzz/crashes/<target>/: fix the bug, copy the input to
# tests/fuzz/regressions/<target>/, and make test replays it from then on.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS  = spec idx csv cifar checkpoint npy plot stats
FUZZ_FLAGS   ?= -timeout=60 -rss_limit_mb=2048
# clang's undefined group includes float-cast-overflow (a NaN or an
# out-of-range double converted to int or float); float-divide-by-zero is
# added: the library never divides by a zero it could not rule out.
FUZZ_CFLAGS   = -g -O1 -fsanitize=fuzzer,address,undefined,float-divide-by-zero -fno-sanitize-recover=all

.PHONY: fuzz $(FUZZ_TARGETS:%=fuzz-%)
fuzz: $(FUZZ_TARGETS:%=fuzz-%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz.c tests/fuzz/targets.h initnn.h
	@mkdir -p $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_ENTRY=fuzz_$* tests/fuzz/fuzz.c -o $@ -lm

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(BUILD)/fuzz/fuzz_%
	@mkdir -p $(BUILD)/fuzz/corpus/$* $(BUILD)/fuzz/crashes/$* tests/fuzz/regressions/$*
	@echo "fuzz: $* for $(FUZZ_SECONDS) s (log: $(BUILD)/fuzz/$*.log)"
	@dict=; if [ -f tests/fuzz/$*.dict ]; then dict=-dict=tests/fuzz/$*.dict; fi; \
	len=4096; if [ $* = cifar ]; then len=16384; fi; \
	if ./$(BUILD)/fuzz/fuzz_$* $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) -max_len=$$len $$dict \
	        -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/crashes/$*/ \
	        $(BUILD)/fuzz/corpus/$* tests/fuzz/corpus/$* tests/fuzz/regressions/$* >$(BUILD)/fuzz/$*.log 2>&1; then \
	    grep -E '^(Done|stat::number_of_executed_units)' $(BUILD)/fuzz/$*.log | sed 's/^/fuzz: $*: /'; \
	else \
	    tail -n 40 $(BUILD)/fuzz/$*.log; \
	    echo "fuzz: $* failed; the input is in $(BUILD)/fuzz/crashes/$*/ (copy it to tests/fuzz/regressions/$*/ once fixed)"; \
	    exit 1; \
	fi

bench:
	BUILD=$(BUILD) sh bench/run.sh
	CNN_PRODUCTS=$(BUILD)/bench_matmul_native.txt sh bench/run_train.sh

clean:
	rm -rf $(BUILD) initlab initlab-plain
