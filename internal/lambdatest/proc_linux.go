package lambdatest

import "syscall"

// sysProcAttr asks Linux to kill the function when the process that started
// it dies without stopping it (a panic, a test timeout, a SIGKILL).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
