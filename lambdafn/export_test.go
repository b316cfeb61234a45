package lambdafn

// RefreshHandler exposes the worker's handler to the in-process tests,
// which build the app themselves (an injected clock, a wrapped store).
var RefreshHandler = refreshHandler
