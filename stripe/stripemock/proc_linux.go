package stripemock

import "syscall"

// sysProcAttr puts stripe-mock in its own process group and asks Linux to
// kill it when the test binary dies without running Main (a panic, a
// timeout, a SIGKILL), so no mock outlives its tests.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup signals stripe-mock's process group: SIGTERM, or SIGKILL when
// hard.
func killGroup(pid int, hard bool) {
	sig := syscall.SIGTERM
	if hard {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pid, sig)
}
