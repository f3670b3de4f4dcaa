// Package receipt computes what a record keeps of a list of IDs in place of the IDs: how many
// distinct ones it held, and a SHA-256 of them that anyone holding the list can recompute with
// standard tools (`LC_ALL=C sort -u ids.txt | sha256sum` for a file of one ID a line). The
// resources' state, the plan and the audit journal all use this one definition.
package receipt

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Receipt stands for a list of IDs: its distinct entries counted and hashed.
type Receipt struct {
	// Count is the number of distinct IDs.
	Count int
	// SHA256 is the hex SHA-256 of the distinct IDs sorted bytewise, each followed by "\n".
	SHA256 string
}

// Of returns the receipt of ids, in any order and with repeats. ids is left as it is; a
// sorted copy is made (see OfSorted to hash in place).
func Of(ids []string) Receipt {
	return OfSorted(Sorted(slices.Clone(ids)))
}

// Sorted sorts ids bytewise in place, drops repeats, and returns the shortened slice.
func Sorted(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// OfSorted returns the receipt of ids that are already sorted bytewise and distinct (see
// Sorted). It hashes without copying the IDs.
func OfSorted(ids []string) Receipt {
	hash := sha256.New()
	for _, id := range ids {
		// A hash.Hash never returns an error from Write.
		_, _ = hash.Write([]byte(id))
		_, _ = hash.Write(newline)
	}
	return Receipt{Count: len(ids), SHA256: hex.EncodeToString(hash.Sum(nil))}
}

var newline = []byte{'\n'}
