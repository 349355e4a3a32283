// Package probe is the one way a check reads a machine.
//
// A check asks for a Query (a registry value, a WMI query, a file, a command's
// output, the host's identity) through an Observer. Every answer becomes an
// Observation: the value seen, or a classified error saying why nothing could
// be seen. Observations are JSON, so a scan's observations can be saved as a
// Snapshot and replayed on any OS with the same verdicts.
//
// Sources are the live machine (registry and WMI on Windows only) and Replay.
// The Recorder sits between checks and a Source: it runs each probe once,
// bounds it with a timeout, classifies its failure and keeps the Observation.
package probe
