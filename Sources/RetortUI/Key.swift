/// A key press (or mouse event) as the UI understands it, independent of curses.
public enum Key: Equatable, Sendable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right, enter, escape, backspace, delete, tab, backTab, pageUp, pageDown, home, end
    case function(Int)
    case resize
    case mouseClick(x: Int, y: Int)
    case wheelUp(x: Int, y: Int), wheelDown(x: Int, y: Int)
}
