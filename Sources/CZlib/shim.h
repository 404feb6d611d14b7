#ifndef RETORT_CZLIB_SHIM_H
#define RETORT_CZLIB_SHIM_H
#include <zlib.h>
#endif
