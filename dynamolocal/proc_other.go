//go:build !linux

package dynamolocal

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to add off Linux, where the project does not run
// its tests; the JVM is then stopped only by Main.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup kills the JVM itself; there is no process group to signal here.
func killGroup(pid int, _ bool) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
