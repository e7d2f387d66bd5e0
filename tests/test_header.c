/* The public header compiles on its own, with nothing included before it. */
#include "kv.h"

int
main(void)
{
    return KV_OK;
}
