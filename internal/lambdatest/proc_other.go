//go:build !linux

package lambdatest

import "syscall"

// sysProcAttr has nothing to add off Linux: there the function is stopped
// only by Stop or StopAll.
func sysProcAttr() *syscall.SysProcAttr { return nil }
