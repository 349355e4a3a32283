package report

// WordWrap breaks text into lines of at most width cells, as the terminal
// view wraps: at spaces, a long path after a backslash, control characters
// made visible. For the tool's other terminal views.
func WordWrap(text string, width int) []string { return wordWrap(text, width) }
