// Verifies an Assay collector's log with Go's own transparency-log code (golang.org/x/mod/sumdb
// note and tlog, as Debian ships them), so the formats are checked by an independent
// implementation. Built offline in GOPATH mode by GoInteropTest.
//
// Usage: checkpoints VKEY OLD-CHECKPOINT NEW-CHECKPOINT CONSISTENCY-PROOF LEAF INDEX INCLUSION-PROOF
// (all but VKEY and INDEX are file names; proofs hold one base64 hash per line). Exit 0 and
// "ok" when everything verifies; otherwise the first failure on stderr and exit 1.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func read(name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		fail("read %s: %v", name, err)
	}
	return b
}

func open(verifiers note.Verifiers, name string) checkpoint {
	n, err := note.Open(read(name), verifiers)
	if err != nil {
		fail("%s: note signature: %v", name, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		fail("%s: checkpoint body is not three lines", name)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("%s: size: %v", name, err)
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("%s: root: %v", name, err)
	}
	return checkpoint{lines[0], size, root}
}

func proof(name string) []tlog.Hash {
	var out []tlog.Hash
	for _, line := range strings.Split(strings.TrimSpace(string(read(name))), "\n") {
		if line == "" {
			continue
		}
		h, err := tlog.ParseHash(line)
		if err != nil {
			fail("%s: %v", name, err)
		}
		out = append(out, h)
	}
	return out
}

func main() {
	if len(os.Args) != 8 {
		fail("usage: checkpoints VKEY OLD NEW CONSISTENCY LEAF INDEX INCLUSION")
	}
	v, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fail("verifier key: %v", err)
	}
	verifiers := note.VerifierList(v)
	old := open(verifiers, os.Args[2])
	cur := open(verifiers, os.Args[3])
	if err := tlog.CheckTree(tlog.TreeProof(proof(os.Args[4])), cur.size, cur.root, old.size, old.root); err != nil {
		fail("consistency %d -> %d: %v", old.size, cur.size, err)
	}
	index, err := strconv.ParseInt(os.Args[6], 10, 64)
	if err != nil {
		fail("index: %v", err)
	}
	leaf := tlog.RecordHash(read(os.Args[5]))
	if err := tlog.CheckRecord(tlog.RecordProof(proof(os.Args[7])), cur.size, cur.root, index, leaf); err != nil {
		fail("inclusion of leaf %d in %d: %v", index, cur.size, err)
	}
	fmt.Printf("ok: %s checkpoints %d and %d verify, consistent; leaf %d included\n", cur.origin, old.size, cur.size, index)
}
