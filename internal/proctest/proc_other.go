//go:build !linux

package proctest

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to add off Linux, where the project does not run
// its tests; the child is then stopped only by Main.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup kills the child itself; there is no process group to signal here.
func killGroup(pid int, _ bool) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
