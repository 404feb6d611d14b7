#ifndef RETORT_CCAIRO_SHIM_H
#define RETORT_CCAIRO_SHIM_H
/* cairo with its PDF, SVG and PNG surfaces (Debian: libcairo2-dev) */
#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>
#include <cairo/cairo-svg.h>
#endif
