// Package layout holds no code: its test enforces the import rules that keep
// dsim's layers in their order (see DESIGN.md, Layout). The kernel imports
// nothing of the project; the checker only the kernel; the protocol contract
// and the protocols only the kernel, the checker, statistics and each other,
// never the scenario loader, reports, the command or YAML (a lab's student
// code, labs/NAME, no more than a protocol); and only the command knows
// terminals and flags.
package layout
