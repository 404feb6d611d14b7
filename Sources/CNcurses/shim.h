#ifndef RETORT_CNCURSES_SHIM_H
#define RETORT_CNCURSES_SHIM_H
/* SwiftPM drops -D_XOPEN_SOURCE=600 from pkg-config; without this define the wide
   API (cchar_t, add_wch, get_wch) does not exist in Swift. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

/* C globals that Swift 6 rejects -> accessor functions */
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline FILE *cn_stdin(void) { return stdin; }
static inline FILE *cn_stdout(void) { return stdout; }
static inline FILE *cn_stderr(void) { return stderr; }

/* macro-only constants -> values Swift can import */
static const attr_t CN_A_NORMAL = A_NORMAL, CN_A_BOLD = A_BOLD, CN_A_DIM = A_DIM,
                    CN_A_REVERSE = A_REVERSE, CN_A_UNDERLINE = A_UNDERLINE;
static const mmask_t CN_ALL_MOUSE_EVENTS = ALL_MOUSE_EVENTS,
                     CN_REPORT_MOUSE_POSITION = REPORT_MOUSE_POSITION,
                     CN_BUTTON1_PRESSED = BUTTON1_PRESSED, CN_BUTTON1_CLICKED = BUTTON1_CLICKED,
                     CN_BUTTON4_PRESSED = BUTTON4_PRESSED, CN_BUTTON5_PRESSED = BUTTON5_PRESSED;

/* colour pairs > 255 must go through the opts pointer */
static inline int cn_wattr_set_ext(WINDOW *w, attr_t a, int pair) { return wattr_set(w, a, 0, &pair); }
static inline int cn_setcchar_ext(cchar_t *c, const wchar_t *s, attr_t a, int pair) { return setcchar(c, s, a, 0, &pair); }

/* terminfo capability probe without starting curses: returns colours, -2 if the
   terminal is unknown. */
static inline int cn_probe_colors(const char *term) {
  int err = 0;
  if (setupterm((char *)term, 1, &err) != OK) return -2;
  int c = tigetnum("colors");
  return c;
}
/* 1 if the terminal can address the cursor (TERM=dumb cannot) */
static inline int cn_has_cup(void) {
  char *s = tigetstr("cup");
  return (s != NULL && s != (char *)-1) ? 1 : 0;
}
#endif
