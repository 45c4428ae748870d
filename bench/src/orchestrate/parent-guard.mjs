// Preloaded into every server the benchmark starts (`node --import`): when the benchmark's end
// of our stdin pipe closes — also when the benchmark is killed outright and cannot clean up —
// the server exits instead of living on as an orphan.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
