/* tests/fuzz/fuzz.c - libFuzzer's entry point for one target of targets.h.

   `make fuzz` builds it once per target, e.g.
      clang -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_ENTRY=fuzz_idx \
          tests/fuzz/fuzz.c -o build/fuzz/fuzz_idx -lm
   and runs build/fuzz/fuzz_idx on tests/fuzz/corpus/idx/. */
#include "targets.h"

#ifndef FUZZ_ENTRY
#error "define FUZZ_ENTRY as one of the fuzz_* functions of targets.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return FUZZ_ENTRY(data, size);
}
