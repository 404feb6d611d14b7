import CNcurses
import Foundation

/// Why the TUI cannot start; each has a one-line message for the user.
public struct TerminalError: Error, CustomStringConvertible {
    public let description: String
}

/// The only code that talks to ncurses: starts and restores the terminal, draws a
/// `CellGrid`, and reads keys.
public final class CursesBackend: TerminalBackend {
    private var screen: OpaquePointer?
    public private(set) var colors = 0
    public let utf8: Bool
    private var pairs: [Int: Int32] = [:]
    private var theme: ResolvedTheme
    private var mouse: Bool

    /// Checks the terminal and starts curses. Throws a one-line reason when it cannot run.
    public init(theme initialTheme: Theme, tierOverride: ColorTier? = nil, mouse: Bool = true) throws {
        let term = try Self.checkTerminal()
        let env = ProcessInfo.processInfo.environment
        setlocale(LC_ALL, "")
        utf8 = String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        TerminalGuard.install()
        setenv("ESCDELAY", "25", 1)
        guard let scr = newterm(nil, cn_stdout(), cn_stdin()) else {
            throw TerminalError(description: "cannot initialise terminal type '\(term)': unknown to terminfo; try TERM=xterm-256color")
        }
        if cn_has_cup() == 0 {
            endwin(); delscreen(scr)
            throw TerminalError(description: "terminal '\(term)' cannot address the cursor: use a real terminal, or the headless commands")
        }
        screen = scr
        TerminalGuard.cursesActive = true
        cbreak(); noecho(); nonl()
        keypad(cn_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        if has_colors() && !noColor {
            start_color(); use_default_colors()
            colors = Int(cn_colors())
        }
        let tier = tierOverride ?? ColorTier.detect(colors: colors, noColor: noColor)
        theme = ResolvedTheme(initialTheme, tier: tier)
        self.mouse = mouse
        if mouse { mousemask(CN_BUTTON1_PRESSED | CN_BUTTON4_PRESSED | CN_BUTTON5_PRESSED, nil); mouseinterval(0) }
    }

    /// The checks that need no curses (stdin and stdout a TTY, TERM set and not dumb), for
    /// callers that must refuse a bad terminal before touching anything (`resume --tui`
    /// opens the run folder only after this). Returns TERM.
    @discardableResult
    public static func checkTerminal() throws -> String {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "the TUI needs an interactive terminal (stdin and stdout must be a TTY); for scripts use the headless commands: retort train, retort doctor, retort bench …")
        }
        guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty else {
            throw TerminalError(description: "TERM is not set: set it (e.g. TERM=xterm-256color) or use the headless commands (retort train …)")
        }
        if term == "dumb" {
            throw TerminalError(description: "TERM=dumb cannot address the cursor: use a real terminal, or the headless commands (retort train …)")
        }
        return term
    }

    public var tier: ColorTier { theme.tier }

    public func setTheme(_ t: Theme) {
        theme = ResolvedTheme(t, tier: theme.tier)
        pairs.removeAll()
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(cn_stdscr())), Int(getmaxy(cn_stdscr()))) }

    /// Restores the terminal. Safe to call twice.
    public func shutdown() {
        guard let scr = screen else { return }
        if mouse { mousemask(0, nil) }
        endwin()
        delscreen(scr)
        screen = nil
        TerminalGuard.cursesActive = false
    }

    deinit { shutdown() }

    private func pair(_ fg: Int, _ bg: Int) -> Int32 {
        let key = (fg + 1) << 16 | (bg + 1)
        if let p = pairs[key] { return p }
        let p = alloc_pair(Int32(fg), Int32(bg))
        pairs[key] = p < 0 ? 0 : p
        return pairs[key]!
    }

    /// Draws the grid (ncurses diffs against the screen, so unchanged cells cost nothing).
    public func draw(_ g: CellGrid) {
        let win = cn_stdscr()
        var cc = cchar_t()
        var wch: [wchar_t] = [0, 0]
        for y in 0..<g.height {
            for x in 0..<g.width {
                let cell = g[x, y]
                let st = theme.style(cell)
                var a: attr_t = CN_A_NORMAL
                if st.attrs.contains(.bold) { a |= CN_A_BOLD }
                if st.attrs.contains(.dim) { a |= CN_A_DIM }
                if st.attrs.contains(.reverse) { a |= CN_A_REVERSE }
                if st.attrs.contains(.underline) { a |= CN_A_UNDERLINE }
                let p = theme.hasColor ? pair(st.fg, st.bg) : 0
                wch[0] = wchar_t(bitPattern: cell.char.unicodeScalars.first!.value)
                _ = cn_setcchar_ext(&cc, wch, a, p)
                // the bottom-right cell would scroll on some terminals: ignore its error
                _ = mvwadd_wch(win, Int32(y), Int32(x), &cc)
            }
        }
        wrefresh(win)
    }

    /// Waits up to `timeoutMs` for a key; nil on timeout.
    public func readKey(timeoutMs: Int32) -> Key? {
        wtimeout(cn_stdscr(), timeoutMs)
        var ch: wint_t = 0
        let r = wget_wch(cn_stdscr(), &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_RESIZE: return .resize
            case KEY_MOUSE:
                var ev = MEVENT()
                guard getmouse(&ev) == OK else { return nil }
                if ev.bstate & CN_BUTTON1_PRESSED != 0 { return .mouseClick(x: Int(ev.x), y: Int(ev.y)) }
                if ev.bstate & CN_BUTTON4_PRESSED != 0 { return .wheelUp(x: Int(ev.x), y: Int(ev.y)) }
                if ev.bstate & CN_BUTTON5_PRESSED != 0 { return .wheelDown(x: Int(ev.x), y: Int(ev.y)) }
                return nil
            case let k where k >= KEY_F0 && k <= KEY_F0 + 63: return .function(Int(k - KEY_F0))
            default: return nil
            }
        }
        switch ch {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(ch + 96)!))
        default: return Unicode.Scalar(ch).map { .char(Character($0)) }
        }
    }
}
