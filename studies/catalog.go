package studies

import (
	"embed"
	"io/fs"
	"sync"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios/library"
)

//go:embed scenarios/*.yaml
var files embed.FS

// Catalog returns the built-in catalog with the studies' own scenarios
// (echo-demo, mapreduce-paper, detector-tradeoff, transport-bulk) and
// protocol (BulkProtocol) added, so that a command can also run them one
// seed at a time.
var Catalog = sync.OnceValue(func() *library.Catalog {
	sub, err := fs.Sub(files, "scenarios")
	if err != nil {
		panic(err) // the directory is embedded
	}
	c, err := library.Builtin().With([]protocols.Protocol{BulkProtocol()}, sub, "studies")
	if err != nil {
		panic(err) // the names are fixed, and tested
	}
	return c
})
