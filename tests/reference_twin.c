/* reference_twin.c - the library in its INITNN_REFERENCE configuration (every
   layer, loss and optimizer as the plain loop of its formula, no packing, no
   intrinsics, no OpenMP), private to this file (INITNN_STATIC), running the
   small net of small_net.h. tests/test_reference_build.c links it beside the
   library as configured and compares the two runs. */
#include <string.h>
#define INITNN_STATIC
#ifndef INITNN_REFERENCE
#define INITNN_REFERENCE
#endif
#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "small_net.h"

int reference_twin_run(small_net_result *out);
int reference_twin_run(small_net_result *out)
{
    return small_net_run(out);
}
