package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// unknownSubcommand finds a mistyped subcommand before cobra runs: a
// command group (report, schedule, data…) given a word that names none of
// its subcommands would otherwise print its help and exit 0, or, with flags
// after the word, blame the first flag.
func unknownSubcommand(root *cobra.Command, args []string) error {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return nil // shell completion asks about partial words
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	cmd, rest, err := root.Find(args)
	if cmd == nil || (err == nil && (!cmd.HasSubCommands() || cmd.Runnable())) {
		return nil
	}
	name := firstWord(rest)
	if name == "" || subcommand(cmd, name) {
		return nil
	}
	return unknownCommandError{cmd: cmd, name: name}
}

// unknownCommandError names the word, the group it was given to and what
// it most likely meant, on one line.
type unknownCommandError struct {
	cmd  *cobra.Command
	name string
}

func (e unknownCommandError) Error() string {
	msg := fmt.Sprintf("unknown command %q for %q", e.name, e.cmd.CommandPath())
	if suggestions := e.cmd.SuggestionsFor(e.name); len(suggestions) > 0 {
		quoted := make([]string, len(suggestions))
		for i, s := range suggestions {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		return msg + "; did you mean " + strings.Join(quoted, " or ") + "?"
	}
	var names []string
	for _, c := range e.cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return msg + "; its commands are: " + strings.Join(names, ", ")
}

// firstWord is the first argument that is not a flag.
func firstWord(args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

func subcommand(cmd *cobra.Command, name string) bool {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return true
		}
	}
	return false
}
