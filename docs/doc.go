// Package docs holds dsim's guides, as Markdown files. It has no code: its
// test keeps the guides honest, checking that every Go and YAML block in
// them is a verbatim excerpt of the example it quotes, which CI builds and
// tests, so a block that drifts from the code fails `go test ./...`.
//
//   - write-your-own-protocol.md: from sim.Node to a checked, swept,
//     replayable protocol of one's own (examples/register).
//   - labs.md: dsim's graded labs, for students and teachers (package
//     labs keeps its table of grades true).
package docs
