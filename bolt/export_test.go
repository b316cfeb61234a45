package bolt

// OpenWithClock is Open with the store's clock: the expiry sweeps' tests
// move it instead of waiting.
var OpenWithClock = open
