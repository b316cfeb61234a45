package proctest

import "syscall"

// sysProcAttr puts the child in its own process group, so stopping it reaches
// every thread and child it has, and asks Linux to kill it when the test
// binary dies without running Main (a panic, a timeout, a SIGKILL).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup signals the child's process group: SIGTERM first, SIGKILL when
// hard is set.
func killGroup(pid int, hard bool) {
	sig := syscall.SIGTERM
	if hard {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pid, sig)
}
