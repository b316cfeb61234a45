//go:build !linux

package stripemock

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to add off Linux, where the project does not run
// its tests; stripe-mock is then stopped only by Main.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup kills stripe-mock itself; there is no process group here.
func killGroup(pid int, _ bool) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
