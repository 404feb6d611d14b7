#ifndef RETORT_CSTB_SHIM_H
#define RETORT_CSTB_SHIM_H
// Debian's libstb-dev: stb_image decodes PNG and JPEG from memory; failures come back
// as NULL / 0 with stbi_failure_reason() (no setjmp, no exit).
#include <stb/stb_image.h>
#endif
