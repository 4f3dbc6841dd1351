package studies

import (
	"encoding/json"
	"math"

	"github.com/dsimlab/dsim/stats"
)

// SchemaVersion is the version of a Table's JSON form, written as its
// "schema" field. It changes when a field changes meaning or goes away.
//
// The form: {"schema": 1, "name", "axis", "seeds": [...], "level": 0.95,
// "columns": [{"metric", "unit", "label", "paired"}], "rows": [{"case",
// "cells": [{"values": [one per seed, null if not measured], "mean":
// interval, "vs_first": interval (paired columns only)}]}]}, where an
// interval is {"n", "level", "mean", "half_width", "lo", "hi"} (see
// stats.Interval; infinite half-widths are null). Cells are in the order
// of the columns.
const SchemaVersion = 1

// MarshalJSON writes the table with its schema version.
func (t *Table) MarshalJSON() ([]byte, error) {
	type table Table // without this method
	return json.Marshal(struct {
		Schema int `json:"schema"`
		*table
	}{SchemaVersion, (*table)(t)})
}

// MarshalJSON writes the cell's values with null for those not measured.
func (c Cell) MarshalJSON() ([]byte, error) {
	vals := make([]*float64, len(c.Values))
	for i := range c.Values {
		if v := c.Values[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals[i] = &v
		}
	}
	var vs *stats.Interval
	if c.VsFirst.N > 0 {
		vs = &c.VsFirst
	}
	return json.Marshal(struct {
		Values  []*float64      `json:"values"`
		Mean    stats.Interval  `json:"mean"`
		VsFirst *stats.Interval `json:"vs_first,omitempty"`
	}{vals, c.Mean, vs})
}
